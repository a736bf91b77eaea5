"""The fetch policy every caller uses, built from the app's settings in one place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outreach.net.types import FetchPolicy

MB = 1024 * 1024


def policy_from_config(config: Mapping[str, Any], **overrides: Any) -> FetchPolicy:
    """A :class:`FetchPolicy` from ``OUTREACH_*`` settings (proxy, networks, delay, limits)."""
    timeout = float(config.get("OUTREACH_FETCH_TIMEOUT") or 20.0)
    contact = config.get("OUTREACH_CONTACT_URL") or "https://github.com/outreach-crm/outreach"
    networks = config.get("OUTREACH_ALLOWED_NETWORKS") or ()
    if isinstance(networks, str):
        networks = tuple(n.strip() for n in networks.split(",") if n.strip())
    values: dict[str, Any] = {
        "connect_timeout": min(5.0, timeout),
        "read_timeout": min(10.0, timeout),
        "total_deadline": timeout,
        "max_body_bytes": int(float(config.get("OUTREACH_MAX_PAGE_MB") or 5.0) * MB),
        "user_agent": f"OutreachBot/0.1 (+{contact})",
        "proxy": config.get("OUTREACH_HTTP_PROXY") or None,
        "allowed_networks": tuple(networks),
        "per_host_delay": float(config.get("OUTREACH_PER_HOST_DELAY") or 0.0),
    }
    values.update(overrides)
    return FetchPolicy(**values)
