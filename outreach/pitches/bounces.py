"""What a delivery report or an SMTP answer means, read the way mail servers mean it.

Standard reports (RFC 3464, ``multipart/report; report-type=delivery-status``) are read per
recipient: ``Action`` first (``delayed``, ``relayed``, ``delivered`` and ``expanded`` are not
bounces), then the enhanced ``Status`` code of RFC 3463, with the ``Diagnostic-Code`` as a
hint when the status is vague. Non-standard bounces (Exim's and qmail's text bounces,
``X-Failed-Recipients``) are found with flufl.bounce and their codes read from the text.

* 5.1.x (bad mailbox or domain), 5.2.1 (disabled) and 5.4.4 (no route): a hard bounce, the
  contact is marked as bouncing.
* 4.x.x, 5.2.2 (mailbox full): temporary, nothing is said about the address.
* 5.7.x (policy, a block list naming our sender), 5.6.x, 5.1.7/5.1.8: our own sending is at
  fault; shown on the mailbox page, never held against the contact.
* any other permanent failure: that message failed; the contact is kept.
"""

from __future__ import annotations

import email
import enum
import re
from dataclasses import dataclass, field
from email.message import Message
from email.policy import default as default_policy
from email.utils import parseaddr

from flufl.bounce import all_failures

_ENHANCED = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_BASIC = re.compile(r"(?<![\d.\w])([2-5]\d\d)(?![\d.\w])")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_MESSAGE_ID_LINE = re.compile(r"^message-id:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
_BLOCK_LIST = re.compile(
    r"spamhaus|spamcop|barracuda|block ?list|black ?list|blocked using|listed (at|on|in)"
    r"|\bRBL\b|\bDNSBL\b|reputation",
    re.IGNORECASE,
)
_FULL = re.compile(r"mailbox (is )?full|over ?quota|quota exceeded|insufficient storage", re.I)
_MAILER = re.compile(r"^(mailer-daemon|postmaster|mail-delivery-subsystem|mdaemon)\b", re.I)
NOT_BOUNCING_ACTIONS = ("delayed", "relayed", "delivered", "expanded")


class Verdict(enum.Enum):
    """What one answer or report says about an address and about our sending."""

    HARD = "hard"  # the address does not exist: the contact bounces
    TEMPORARY = "temporary"  # try later / the recipient's server gave up for now
    OURS = "ours"  # policy or block-list rejection: our sending is at fault
    FAILED = "failed"  # a permanent failure of that message, the address kept
    NOT_A_BOUNCE = "none"  # delayed, relayed, delivered

    @property
    def label(self) -> str:
        """How the pages name it."""
        return {
            Verdict.HARD: "hard bounce",
            Verdict.TEMPORARY: "temporary failure",
            Verdict.OURS: "rejected for our sending (policy or block list)",
            Verdict.FAILED: "failed",
            Verdict.NOT_A_BOUNCE: "not a bounce",
        }[self]


_SEVERITY = [Verdict.HARD, Verdict.OURS, Verdict.FAILED, Verdict.TEMPORARY, Verdict.NOT_A_BOUNCE]


_HINTS = (
    (re.compile(r"spamhaus", re.I), "listed by Spamhaus"),
    (re.compile(r"spamcop", re.I), "listed by SpamCop"),
    (re.compile(r"barracuda", re.I), "listed by Barracuda"),
    (re.compile(r"sorbs", re.I), "listed by SORBS"),
    (re.compile(r"uceprotect", re.I), "listed by UCEPROTECT"),
    (_BLOCK_LIST, "on a block list"),
    (re.compile(r"\bDMARC\b", re.I), "DMARC"),
    (re.compile(r"\bSPF\b", re.I), "SPF"),
    (re.compile(r"\bDKIM\b", re.I), "DKIM"),
    (re.compile(r"grey ?list|gray ?list", re.I), "greylisted"),
    (_FULL, "mailbox full"),
    (re.compile(r"rate limit|too many|throttl", re.I), "rate limited"),
    (
        re.compile(r"user unknown|no such user|does not exist|unknown user|not found", re.I),
        "no such user",
    ),
)


def hint(text: str) -> str:
    """What a server's words say, in our own words from a fixed list (never its text, which a
    page must not repeat: a mailbox pointed at another service could echo its banner)."""
    for pattern, words in _HINTS:
        if pattern.search(text or ""):
            return words
    return ""


def enhanced_status(text: str) -> str:
    """The first RFC 3463 code (``5.1.1``) in a text, or ''."""
    found = _ENHANCED.search(text or "")
    return ".".join(found.groups()) if found else ""


def classify_status(status: str, text: str = "") -> Verdict:
    """The verdict for an enhanced status code (``5.7.1``), the server's words as a hint."""
    klass, _, rest = status.partition(".")
    subject, _, detail = rest.partition(".")
    if klass == "2":
        return Verdict.NOT_A_BOUNCE
    if klass == "4":
        return Verdict.TEMPORARY
    if _BLOCK_LIST.search(text):
        return Verdict.OURS
    if subject in ("6", "7") or (subject == "1" and detail in ("7", "8")):
        return Verdict.OURS
    if subject == "1" or (subject, detail) in (("2", "1"), ("4", "4")):
        return Verdict.HARD
    if (subject, detail) in (("2", "2"), ("2", "3")) or _FULL.search(text):
        return Verdict.TEMPORARY
    if subject in ("", "0"):
        return Verdict.HARD  # a bare 550 at RCPT: the server refuses that address
    return Verdict.FAILED


def classify_answer(code: int, text: str) -> tuple[Verdict, str]:
    """The verdict and status code of an SMTP answer (``450 4.2.0 Greylisted``)."""
    status = enhanced_status(text)
    if 400 <= code < 500:
        return Verdict.TEMPORARY, status or "4.0.0"
    if 200 <= code < 300:
        return Verdict.NOT_A_BOUNCE, status or "2.0.0"
    if not status or status[0] != "5":
        status = "5.0.0"
    return classify_status(status, text), status


@dataclass
class DeliveryReport:
    """A delivery report read: its verdict for the recipient, and the message it is about."""

    verdict: Verdict
    recipient: str
    action: str = "failed"
    status: str = ""
    diagnostic: str = ""
    original_ids: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One line for the timeline and the mailbox page."""
        parts = [self.verdict.label, f"{self.action} {self.status}".strip()]
        if self.diagnostic:
            parts.append(self.diagnostic[:300])
        return ": ".join(p for p in parts if p)


def _text(message: Message) -> str:
    chunks: list[str] = []
    for part in message.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                charset = part.get_content_charset() or "utf-8"
                try:
                    chunks.append(payload.decode(charset, errors="replace"))
                except LookupError:
                    chunks.append(payload.decode("utf-8", errors="replace"))
    return "\n".join(chunks)


def original_ids(message: Message) -> list[str]:
    """The Message-IDs of the returned message: from its attached copy or quoted headers."""
    found: list[str] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                found += _MESSAGE_ID.findall(str(payload[0].get("Message-ID", "")))
        elif kind == "text/rfc822-headers":
            raw = part.get_payload(decode=True) or b""
            headers = email.message_from_bytes(bytes(raw), policy=default_policy)
            found += _MESSAGE_ID.findall(str(headers.get("Message-ID", "")))
    found += _MESSAGE_ID_LINE.findall(_text(message))  # a copy quoted in a text bounce
    own = str(message.get("Message-ID", "")).strip()
    return [i for i in dict.fromkeys(found) if i != own]


def _recipient_blocks(message: Message) -> list[Message]:
    blocks: list[Message] = []
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            payload = part.get_payload()
            for block in payload if isinstance(payload, list) else []:
                if isinstance(block, Message) and (
                    block.get("Final-Recipient") or block.get("Original-Recipient")
                ):
                    blocks.append(block)
    return blocks


def _address(value: object) -> str:
    text = str(value or "").split(";", 1)[-1].strip()
    return parseaddr(text)[1] or text.strip("<>")


def _from_block(block: Message) -> DeliveryReport:
    recipient = _address(block.get("Original-Recipient") or block.get("Final-Recipient"))
    action = str(block.get("Action", "failed")).strip().lower().split()[0:1] or ["failed"]
    diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split(";", 1)[-1].split())
    status = enhanced_status(str(block.get("Status", ""))) or enhanced_status(diagnostic)
    if action[0] == "delayed":
        verdict = Verdict.TEMPORARY  # still being retried by their server
    elif action[0] in NOT_BOUNCING_ACTIONS:
        verdict = Verdict.NOT_A_BOUNCE
    elif status:
        verdict = classify_status(status, diagnostic)
    else:
        code = _BASIC.search(diagnostic)
        verdict = classify_answer(int(code.group(1)), diagnostic)[0] if code else Verdict.FAILED
    return DeliveryReport(verdict, recipient, action[0], status, diagnostic)


def is_standard_report(message: Message) -> bool:
    """An RFC 3464 delivery status notification."""
    return (
        message.get_content_type() == "multipart/report"
        and str(message.get_param("report-type", "")).lower() == "delivery-status"
    )


def looks_like_mailer(message: Message) -> bool:
    """Sent by a mail server rather than a person (where heuristics are safe to run)."""
    sender = parseaddr(str(message.get("From", "")))[1]
    return bool(
        message.get("X-Failed-Recipients")
        or _MAILER.match(sender)
        or (
            str(message.get("Return-Path", "")).strip() in ("<>", "")
            and str(message.get("Auto-Submitted", "")).lower().startswith("auto-")
        )
    )


def _near(text: str, address: str) -> str:
    """The server's words about one address: the text from where it is named on."""
    at = text.lower().find(address.lower())
    return text[at : at + 600] if at >= 0 else text[:2000]


def _non_standard(message: Message) -> DeliveryReport | None:
    temporary, permanent = all_failures(message)
    if not temporary and not permanent:
        return None
    text = _text(message)
    reports: list[DeliveryReport] = []
    for address in sorted(permanent | temporary):
        recipient = address.decode("ascii", errors="replace")
        words = _near(text, recipient)
        words = words.split("\n--", 1)[0]  # stop at the copy of the message
        status = enhanced_status(words)
        code = _BASIC.search(words)
        diagnostic = " ".join(words.split())[:300]
        if address in temporary and address not in permanent:
            reports.append(
                DeliveryReport(Verdict.TEMPORARY, recipient, "delayed", status, diagnostic)
            )
        elif status:
            verdict = classify_status(status, words)
            reports.append(DeliveryReport(verdict, recipient, "failed", status, diagnostic))
        elif code:
            verdict, status = classify_answer(int(code.group(1)), words)
            reports.append(DeliveryReport(verdict, recipient, "failed", status, diagnostic))
        else:  # the server said "permanent error" and no more
            reports.append(DeliveryReport(Verdict.HARD, recipient, "failed", "5.0.0", diagnostic))
    return min(reports, key=lambda r: _SEVERITY.index(r.verdict))


def read_report(message: Message) -> DeliveryReport | None:
    """The delivery report in a message (its most serious recipient), or None for other mail."""
    report: DeliveryReport | None = None
    if is_standard_report(message):
        blocks = [_from_block(b) for b in _recipient_blocks(message)]
        if blocks:
            report = min(blocks, key=lambda r: _SEVERITY.index(r.verdict))
        else:
            report = DeliveryReport(Verdict.FAILED, "", "failed")
    elif looks_like_mailer(message):
        report = _non_standard(message)
    if report is not None:
        report.original_ids = original_ids(message)
    return report
