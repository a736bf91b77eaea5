"""E-mailing link alerts to the members who asked for them, with plain smtplib.

Alerts to mail are ``queued``; a run claims them (``sending``, committed), sends one message
per workspace, then marks them ``sent`` (or ``failed``). SMTP has no idempotency key, so a
row found in ``sending`` after a crash is left for a person, never resent blindly.
"""

from __future__ import annotations

import smtplib
from dataclasses import replace
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from sqlalchemy import select

from outreach.accounts.models import User
from outreach.extensions import db
from outreach.links.models import Alert, AlertSubscription
from outreach.net.mail import MailPolicy, MailRefused
from outreach.net.mail_smtp import open_smtp

SECURITY_OF_SCHEME = {"smtps": "tls", "smtp+starttls": "starttls", "smtp": "none"}


def smtp_client(url: str, policy: MailPolicy) -> smtplib.SMTP:
    """A connected SMTP client for ``smtp://``, ``smtp+starttls://`` or ``smtps://`` URLs.

    The relay is the operator's own (a setting, not user input), so any address and port
    may be used; a login is still only sent over TLS (see :mod:`outreach.net.mail`).
    """
    parts = urlsplit(url)
    security = SECURITY_OF_SCHEME.get(parts.scheme)
    if security is None:
        raise ValueError(f"unsupported alert SMTP URL scheme: {parts.scheme!r}")
    port = parts.port or (465 if security == "tls" else 25)
    return open_smtp(
        parts.hostname or "127.0.0.1",
        port,
        security,
        unquote(parts.username or ""),
        unquote(parts.password or ""),
        replace(policy, trusted_endpoint=True),
    )


def recipients(workspace_id: int) -> list[str]:
    """E-mail addresses of the workspace's members subscribed to link alerts."""
    rows = db.session.scalars(
        select(User.email)
        .join(AlertSubscription, AlertSubscription.user_id == User.id)
        .where(AlertSubscription.workspace_id == workspace_id)
        .order_by(User.email)
    )
    return list(rows)


def compose(alerts: list[Alert], to: list[str], sender: str, base_url: str) -> EmailMessage:
    """One message listing ``alerts`` (all of one workspace)."""
    message = EmailMessage()
    noun = "change" if len(alerts) == 1 else "changes"
    message["Subject"] = f"Outreach: {len(alerts)} link {noun}"
    message["From"] = sender
    message["To"] = ", ".join(to)
    lines = [f"- {alert.message}" for alert in alerts]
    lines += ["", f"See every alert: {base_url.rstrip('/')}/links/alerts"]
    message.set_content("\n".join(lines))
    return message


def send_queued(
    smtp_url: str | None, sender: str, base_url: str, policy: MailPolicy | None = None
) -> int:
    """Send every queued alert, one message per workspace; returns how many alerts went out."""
    queued = list(
        db.session.scalars(select(Alert).where(Alert.email_state == "queued").order_by(Alert.id))
    )
    if not queued:
        return 0
    if smtp_url is None:
        for alert in queued:
            alert.email_state = None
        db.session.commit()
        return 0
    by_workspace: dict[int, list[Alert]] = {}
    for alert in queued:
        alert.email_state = "sending"
        by_workspace.setdefault(alert.workspace_id, []).append(alert)
    db.session.commit()
    sent = 0
    for workspace_id, alerts in by_workspace.items():
        to = recipients(workspace_id)
        state = "sent"
        if to:
            try:
                with smtp_client(smtp_url, policy or MailPolicy()) as client:
                    client.send_message(compose(alerts, to, sender, base_url))
                sent += len(alerts)
            except (MailRefused, OSError, smtplib.SMTPException):
                state = "failed"
        for alert in alerts:
            alert.email_state = state if to else None
        db.session.commit()
    return sent
