"""Settings of the links feature, read from the app config with an environment fallback."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from outreach.links.checker import PageRenderer
from outreach.net import FetchPolicy

CHECKS_PER_JOB = 200


def _value(config: Mapping[str, Any], name: str) -> Any:
    value = config.get(name)
    return os.environ.get(name) if value is None else value


def render_js(config: Mapping[str, Any]) -> bool:
    """Whether pages without the link are rendered in headless Chromium (default off)."""
    value = _value(config, "OUTREACH_RENDER_JS")
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")


def recheck_interval(config: Mapping[str, Any]) -> timedelta:
    """How often a placed link is re-verified (``OUTREACH_RECHECK_DAYS``, default 7)."""
    days = float(_value(config, "OUTREACH_RECHECK_DAYS") or 7)
    return timedelta(days=max(days, 1 / 24))


def alert_smtp_url(config: Mapping[str, Any]) -> str | None:
    """Where alert e-mails go (``smtp://host:port``, ``smtps://``), or None: no e-mail."""
    return _value(config, "OUTREACH_ALERT_SMTP_URL") or None


def alert_from(config: Mapping[str, Any]) -> str:
    """The From address of alert e-mails."""
    return str(_value(config, "OUTREACH_ALERT_FROM") or "Outreach <outreach@localhost>")


def renderer_for(config: Mapping[str, Any], policy: FetchPolicy) -> PageRenderer | None:
    """A Chromium renderer when ``OUTREACH_RENDER_JS`` is on, else None."""
    if not render_js(config):
        return None
    from outreach.links.render import ChromiumRenderer

    return ChromiumRenderer(policy)
