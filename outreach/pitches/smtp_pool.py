"""SMTP connections of the mailboxes: one opened under the mail policy, one kept per batch."""

from __future__ import annotations

import contextlib
import smtplib

from flask import current_app

from outreach.net.mail import MailRefused
from outreach.net.mail_smtp import open_smtp as connect_smtp
from outreach.net.settings import mail_policy_from_config
from outreach.pitches.mailboxes import decrypt_password
from outreach.pitches.models import Mailbox


def open_smtp(mailbox: Mailbox) -> smtplib.SMTP:
    """A logged-in SMTP connection for a mailbox, under the mail address policy.

    Raises :class:`MailRefused` (a plain reason) when the policy refuses the server or the
    connection fails.
    """
    if mailbox.smtp_username and not mailbox.smtp_password_encrypted:
        raise MailRefused("the mailbox has no password: enter it on the mailbox page")
    return connect_smtp(
        mailbox.smtp_host,
        mailbox.smtp_port,
        mailbox.smtp_security.value,
        mailbox.smtp_username,
        lambda: decrypt_password(mailbox),
        mail_policy_from_config(current_app.config),
    )


class SmtpPool:
    """One open connection per mailbox for the length of a batch.

    A mailbox whose server could not be reached is not tried again in the same batch: its
    other rows are deferred at once instead of each waiting out the connection timeout.
    """

    def __init__(self) -> None:
        self.connections: dict[int, smtplib.SMTP] = {}
        self.refused: dict[int, MailRefused] = {}

    def get(self, mailbox: Mailbox) -> smtplib.SMTP:
        """The mailbox's connection, reopened when the server dropped it."""
        if mailbox.id in self.refused:
            raise self.refused[mailbox.id]
        smtp = self.connections.get(mailbox.id)
        if smtp is not None:
            try:
                if smtp.noop()[0] == 250:
                    return smtp
            except (OSError, smtplib.SMTPException):
                pass
            self.drop(mailbox.id)
        try:
            smtp = open_smtp(mailbox)
        except MailRefused as exc:
            self.refused[mailbox.id] = exc
            raise
        self.connections[mailbox.id] = smtp
        return smtp

    def drop(self, mailbox_id: int) -> None:
        """Forget a connection after an error."""
        smtp = self.connections.pop(mailbox_id, None)
        if smtp is not None:
            with contextlib.suppress(OSError):
                smtp.close()

    def close(self) -> None:
        """Say goodbye to every server."""
        for mailbox_id, smtp in list(self.connections.items()):
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.drop(mailbox_id)
        self.connections.clear()
