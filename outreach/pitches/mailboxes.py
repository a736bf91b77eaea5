"""Mailboxes: workspace-scoped lookups, and their passwords kept encrypted with Fernet."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select

from outreach import encryption
from outreach.extensions import db
from outreach.net.mail import MailPolicy, MailRefused, check_endpoint
from outreach.pitches.models import Mailbox, MessageStatus, OutboundMessage, SmtpSecurity
from outreach.scoping import get_in_workspace

# Where the stored password would be sent: changing any of these clears it.
CONNECTION_FIELDS = (
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "imap_host",
    "imap_port",
    "imap_tls",
)


class MailboxError(ValueError):
    """Mailbox settings that cannot be used, with a message for the user."""


def check_servers(box: Mailbox, policy: MailPolicy) -> None:
    """Refuse servers the mail policy would refuse anyway (what is known without DNS).

    The full check (every resolved address) runs again at each connection.
    """
    endpoints = [("SMTP", box.smtp_host, box.smtp_port)]
    if box.imap_host:
        endpoints.append(("IMAP", box.imap_host, box.imap_port))
    for label, host, port in endpoints:
        try:
            check_endpoint(host.strip(), port, policy)
        except MailRefused as exc:
            raise MailboxError(f"{label} server {exc}") from exc
    if box.smtp_security is SmtpSecurity.NONE and not policy.allow_plaintext:
        raise MailboxError(
            "SMTP without TLS is not allowed: choose STARTTLS (usually port 587) or TLS (465)."
        )


def apply_settings(
    box: Mailbox, values: Mapping[str, Any], password: str, policy: MailPolicy, editor_id: int
) -> bool:
    """Set a mailbox's settings; True when its stored password was cleared.

    Changing a server, port, login or security of a saved mailbox clears the stored password
    unless a new one is given: a password is only ever sent where its user sent it, whoever
    edits the mailbox. Only the mailbox's own user may share it (``shared``).
    """
    if box.user_id != editor_id:
        values = {name: value for name, value in values.items() if name != "shared"}
    moved = box.id is not None and any(
        name in values and getattr(box, name) != values[name] for name in CONNECTION_FIELDS
    )
    for name, value in values.items():
        setattr(box, name, value.strip() if isinstance(value, str) else value)
    box.timezone = check_timezone((box.timezone or "UTC").strip())
    check_servers(box, policy)
    if password:
        box.smtp_password_encrypted = encrypt_password(password)
        return False
    if moved and box.smtp_password_encrypted:
        box.smtp_password_encrypted = ""
        return True
    return False


def encrypt_password(password: str) -> str:
    """The password as a Fernet token under the current key (``outreach.encryption``)."""
    return encryption.encrypt(password)


def decrypt_password(mailbox: Mailbox) -> str:
    """The mailbox's password in clear, for the SMTP and IMAP logins."""
    try:
        return encryption.decrypt(mailbox.smtp_password_encrypted)
    except encryption.InvalidToken as exc:
        raise MailboxError(
            f"the password of {mailbox.from_email} cannot be decrypted: "
            "is its key missing from OUTREACH_ENCRYPTION_KEYS?"
        ) from exc


def check_timezone(name: str) -> str:
    """The name of a valid IANA time zone, or :class:`MailboxError`."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise MailboxError(f"{name!r} is not a time zone (e.g. Europe/Paris).") from exc
    return name


def mailboxes_of(workspace_id: int) -> list[Mailbox]:
    """The workspace's mailboxes."""
    return list(
        db.session.scalars(
            select(Mailbox).where(Mailbox.workspace_id == workspace_id).order_by(Mailbox.id)
        )
    )


def get_mailbox(workspace_id: int, mailbox_id: int) -> Mailbox:
    """One mailbox of the workspace; 404 otherwise."""
    return get_in_workspace(Mailbox, workspace_id, mailbox_id)


def may_send_from(mailbox: Mailbox, user_id: int | None) -> bool:
    """Whether ``user_id`` may send through the mailbox: its own user, or anyone once shared."""
    return mailbox.shared or (user_id is not None and mailbox.user_id == user_id)


def sendable_by(workspace_id: int, user_id: int) -> list[Mailbox]:
    """The workspace's mailboxes this user may send from (their own, and shared ones)."""
    return [m for m in mailboxes_of(workspace_id) if may_send_from(m, user_id)]


def in_sending_hours(mailbox: Mailbox, now: datetime) -> bool:
    """Whether ``now`` falls in the mailbox's sending hours, in its own time zone."""
    local = now.astimezone(ZoneInfo(mailbox.timezone or "UTC"))
    start, end = mailbox.sending_start_hour, mailbox.sending_end_hour
    if start == end:
        return True  # the same hour for both means "any time"
    if start < end:
        return start <= local.hour < end
    return local.hour >= start or local.hour < end  # a window across midnight


def sent_today(mailbox: Mailbox, now: datetime) -> int:
    """Messages the mailbox sent since local midnight."""
    zone = ZoneInfo(mailbox.timezone or "UTC")
    local_midnight = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    since = local_midnight - timedelta(0)
    return int(
        db.session.scalar(
            select(func.count(OutboundMessage.id)).where(
                OutboundMessage.mailbox_id == mailbox.id,
                OutboundMessage.status == MessageStatus.SENT,
                OutboundMessage.sent_at >= since,
            )
        )
        or 0
    )
