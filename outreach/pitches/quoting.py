"""A reply's new text apart from the history it quotes.

mail-parser-reply splits a plain-text body at the headers mail clients put above a quote
("On ... wrote:", Outlook's "From: ... Sent: ...", "-----Original Message-----", "Am ...
schrieb ...", "Le ... a écrit :" and more, in a dozen languages). A block of ``>`` lines
that ends the first part without such a header is history too.
"""

from __future__ import annotations

from mailparser_reply import EmailReplyParser

LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "sv", "da", "pl"]
MAX_CHARS = 20_000


def _trailing_quote(text: str) -> tuple[str, str]:
    lines = text.rstrip().split("\n")
    cut = len(lines)
    while cut > 0 and (lines[cut - 1].startswith(">") or not lines[cut - 1].strip()):
        cut -= 1
    if cut == len(lines) or not any(line.startswith(">") for line in lines[cut:]):
        return text, ""
    return "\n".join(lines[:cut]).rstrip(), "\n".join(lines[cut:]).strip()


def split_reply(text: str) -> tuple[str, str]:
    """``(new text, quoted history)`` of a plain-text body; the history may be empty."""
    text = text.replace("\r\n", "\n")[:MAX_CHARS]
    if not text.strip():
        return "", ""
    replies = EmailReplyParser(languages=LANGUAGES).read(text=text).replies
    if not replies:
        return text.strip(), ""
    new = replies[0].content.strip()
    history = "\n\n".join(part.content for part in replies[1:] if part.content).strip()
    new, trailing = _trailing_quote(new)
    if not new:  # nothing above the quote: keep everything visible
        return text.strip(), ""
    return new, "\n\n".join(part for part in (trailing, history) if part)
