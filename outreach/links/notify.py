"""E-mailing link alerts to the members who asked for them, with plain smtplib.

Alerts to mail are ``queued``; a run claims them (``sending``, committed), sends one message
per workspace, then marks them ``sent`` (or ``failed``). SMTP has no idempotency key, so a
row found in ``sending`` after a crash is left for a person, never resent blindly.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import urlsplit

from sqlalchemy import select

from outreach.accounts.models import User
from outreach.extensions import db
from outreach.links.models import Alert, AlertSubscription


def smtp_client(url: str, timeout: float = 20.0) -> smtplib.SMTP:
    """A connected SMTP client for ``smtp://``, ``smtp+starttls://`` or ``smtps://`` URLs."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    client: smtplib.SMTP
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, parts.port or 465, timeout=timeout)
    elif parts.scheme in ("smtp", "smtp+starttls"):
        client = smtplib.SMTP(host, parts.port or 25, timeout=timeout)
        if parts.scheme == "smtp+starttls":
            client.starttls()
    else:
        raise ValueError(f"unsupported alert SMTP URL scheme: {parts.scheme!r}")
    if parts.username:
        client.login(parts.username, parts.password or "")
    return client


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


def send_queued(smtp_url: str | None, sender: str, base_url: str) -> int:
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
                with smtp_client(smtp_url) as client:
                    client.send_message(compose(alerts, to, sender, base_url))
                sent += len(alerts)
            except (OSError, smtplib.SMTPException):
                state = "failed"
        for alert in alerts:
            alert.email_state = state if to else None
        db.session.commit()
    return sent
