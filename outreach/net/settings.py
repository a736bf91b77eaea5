"""The fetch policy every caller uses, built from the app's settings in one place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outreach.config import MB, Settings
from outreach.net.mail import MailPolicy
from outreach.net.types import FetchPolicy


def policy_from_config(config: Mapping[str, Any], **overrides: Any) -> FetchPolicy:
    """A :class:`FetchPolicy` from the app's settings (proxy, networks, delay, limits)."""
    settings = Settings.from_config(config)
    timeout = settings.fetch_timeout
    values: dict[str, Any] = {
        "connect_timeout": min(5.0, timeout),
        "read_timeout": min(10.0, timeout),
        "total_deadline": timeout,
        "max_body_bytes": int(settings.max_page_mb * MB),
        "user_agent": f"OutreachBot/0.1 (+{settings.contact_url})",
        "proxy": settings.http_proxy,
        "allowed_networks": tuple(settings.allowed_networks),
        "per_host_delay": settings.per_host_delay,
    }
    values.update(overrides)
    return FetchPolicy(**values)


def mail_policy_from_config(config: Mapping[str, Any], **overrides: Any) -> MailPolicy:
    """The :class:`MailPolicy` of every SMTP and IMAP connection, from the app's settings."""
    settings = Settings.from_config(config)
    values: dict[str, Any] = {
        "allowed_networks": tuple(settings.mail_allowed_networks),
        "extra_ports": tuple(settings.mail_allowed_ports),
        "allow_plaintext": settings.mail_allow_plaintext,
        "timeout": settings.mail_timeout,
        "cafile": settings.smtp_cafile,
    }
    values.update(overrides)
    return MailPolicy(**values)
