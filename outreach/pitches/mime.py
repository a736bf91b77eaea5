"""Building the bytes of one outgoing e-mail: threading, unsubscribe headers, footer.

Addresses go out with their domain in ASCII (punycode). A non-ASCII local part needs
SMTPUTF8, which :meth:`smtplib.SMTP.send_message` uses (with UTF-8 headers) only when the
server offers it. Header values are checked here: a CR or LF (from a merge field or a From
name) raises :class:`HeaderError`, so the caller holds that one message and goes on.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr
from urllib.parse import quote

from outreach.db import utcnow
from outreach.pitches.models import Mailbox, OutboundMessage
from outreach.urls import ascii_email

SIGNATURE_SEPARATOR = "-- "  # with its trailing space (RFC 3676 4.3)
UNSUBSCRIBE_SUBJECT = "unsubscribe"


class HeaderError(ValueError):
    """A header value that cannot be sent (a line break in it); the message is held."""


def unsubscribe_url(base_url: str, token: str) -> str:
    """The public one-click unsubscribe address of a message."""
    return f"{base_url.rstrip('/')}/u/{token}"


def unsubscribe_mailto(mailbox: Mailbox, token: str) -> str:
    """The ``mailto:`` unsubscribe (RFC 2369) the poller honours: the token is in the subject."""
    subject = quote(f"{UNSUBSCRIBE_SUBJECT} {token}")
    return f"mailto:{ascii_email(mailbox.from_email)}?subject={subject}"


def check_header(what: str, value: str) -> str:
    """The value, or :class:`HeaderError` naming the header when it holds a line break."""
    if "\r" in value or "\n" in value:
        raise HeaderError(f"a line break (CR or LF) in the {what}; the message was held")
    return value


def build(
    message: OutboundMessage,
    mailbox: Mailbox,
    to_email: str,
    base_url: str,
    postal_address: str = "",
) -> EmailMessage:
    """The e-mail of an outbox row, with RFC 8058 one-click unsubscribe headers."""
    mail = EmailMessage(policy=SMTP)
    name = check_header("From name of the mailbox", mailbox.from_name)
    mail["From"] = formataddr((name, check_header("From address", ascii_email(mailbox.from_email))))
    mail["To"] = check_header("recipient's address", ascii_email(to_email))
    mail["Subject"] = check_header("subject", message.subject)
    mail["Date"] = format_datetime(utcnow())
    mail["Message-ID"] = message.message_id
    if message.in_reply_to:
        mail["In-Reply-To"] = message.in_reply_to
    if message.references:
        mail["References"] = message.references
    footer = ["", SIGNATURE_SEPARATOR]
    if message.unsubscribe_token:
        link = unsubscribe_url(base_url, message.unsubscribe_token)
        mailto = unsubscribe_mailto(mailbox, message.unsubscribe_token)
        mail["List-Unsubscribe"] = f"<{link}>, <{mailto}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        footer.append(f"Don't want these e-mails? Unsubscribe: {link}")
    if postal_address.strip():
        footer.append(postal_address.strip())
    body = message.body.rstrip("\n")
    if len(footer) > 2:
        body += "\n" + "\n".join(footer)
    mail.set_content(body + "\n", charset="utf-8")
    return mail
