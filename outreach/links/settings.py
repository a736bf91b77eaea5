"""Settings of the links feature, typed, from the app config (defaults live in config.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from outreach.config import Settings
from outreach.links.checker import PageRenderer
from outreach.net import FetchPolicy


def render_js(config: Mapping[str, Any]) -> bool:
    """Whether pages without the link are rendered in headless Chromium (default off)."""
    return Settings.from_config(config).render_js


def recheck_interval(config: Mapping[str, Any]) -> timedelta:
    """How often a placed link is re-verified (``OUTREACH_RECHECK_DAYS``), an hour at least."""
    return timedelta(days=max(Settings.from_config(config).recheck_days, 1 / 24))


def alert_smtp_url(config: Mapping[str, Any]) -> str | None:
    """Where alert e-mails go (``smtp://host:port``, ``smtps://``), or None: no e-mail."""
    return Settings.from_config(config).alert_smtp_url


def alert_from(config: Mapping[str, Any]) -> str:
    """The From address of alert e-mails."""
    return Settings.from_config(config).alert_from


def renderer_for(config: Mapping[str, Any], policy: FetchPolicy) -> PageRenderer | None:
    """A Chromium renderer when ``OUTREACH_RENDER_JS`` is on, else None."""
    settings = Settings.from_config(config)
    if not settings.render_js:
        return None
    from outreach.links.render import ChromiumRenderer

    return ChromiumRenderer(policy, executable=settings.chromium_path)
