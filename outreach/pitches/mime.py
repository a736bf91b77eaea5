"""Building the bytes of one outgoing e-mail: threading, unsubscribe headers, footer."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from outreach.db import utcnow
from outreach.pitches.models import Mailbox, OutboundMessage


def unsubscribe_url(base_url: str, token: str) -> str:
    """The public one-click unsubscribe address of a message."""
    return f"{base_url.rstrip('/')}/u/{token}"


def build(
    message: OutboundMessage,
    mailbox: Mailbox,
    to_email: str,
    base_url: str,
    postal_address: str = "",
) -> EmailMessage:
    """The e-mail of an outbox row, with RFC 8058 one-click unsubscribe headers."""
    mail = EmailMessage(policy=SMTP)
    mail["From"] = formataddr((mailbox.from_name, mailbox.from_email))
    mail["To"] = to_email
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(utcnow())
    mail["Message-ID"] = message.message_id
    if message.in_reply_to:
        mail["In-Reply-To"] = message.in_reply_to
    if message.references:
        mail["References"] = message.references
    footer = ["", "--"]
    if message.unsubscribe_token:
        link = unsubscribe_url(base_url, message.unsubscribe_token)
        mail["List-Unsubscribe"] = f"<{link}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        footer.append(f"Don't want these e-mails? Unsubscribe: {link}")
    if postal_address.strip():
        footer.append(postal_address.strip())
    body = message.body.rstrip("\n")
    if len(footer) > 2:
        body += "\n" + "\n".join(footer)
    mail.set_content(body + "\n", charset="utf-8")
    return mail
