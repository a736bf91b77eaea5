"""Sending a template, rendered for a prospect, to the person writing it ("send a test to me").

The test goes through the chosen mailbox under the mail address policy, like a real pitch,
but it is not an outbox row: no sequence, no unsubscribe link, nothing recorded as sent.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid

from outreach.db import utcnow
from outreach.net.mail import MailRefused
from outreach.pitches import mime
from outreach.pitches.models import Mailbox
from outreach.pitches.smtp_pool import open_smtp
from outreach.urls import ascii_email

TEST_PREFIX = "[Test] "


class TestSendError(Exception):
    """A test message that could not be sent, with a reason for the person."""


def send_test(mailbox: Mailbox, to_email: str, subject: str, body: str) -> None:
    """Send one rendered subject and body to ``to_email`` through ``mailbox``."""
    sender = ascii_email(mailbox.from_email)
    mail = EmailMessage(policy=SMTP)
    try:
        mail["From"] = formataddr((mime.check_header("From name", mailbox.from_name), sender))
        mail["To"] = ascii_email(to_email)
        mail["Subject"] = mime.check_header("subject", TEST_PREFIX + subject)
    except mime.HeaderError as exc:
        raise TestSendError(str(exc)) from exc
    mail["Date"] = format_datetime(utcnow())
    mail["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or None)
    mail.set_content(body.rstrip("\n") + "\n", charset="utf-8")
    try:
        smtp = open_smtp(mailbox)
    except (MailRefused, ValueError) as exc:
        raise TestSendError(f"could not connect to {mailbox.smtp_host}: {exc}") from exc
    try:
        smtp.send_message(mail, from_addr=sender, to_addrs=[ascii_email(to_email)])
    except (OSError, smtplib.SMTPException) as exc:
        raise TestSendError(f"{mailbox.smtp_host} did not take the message: {exc}") from exc
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
