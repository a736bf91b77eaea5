"""Template globals and filters shared by every page, and the headers every response carries."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, available_timezones

from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_app_context,
    has_request_context,
    message_flashed,
    request,
    session,
    url_for,
)
from werkzeug.middleware.proxy_fix import ProxyFix

from outreach.config import Settings
from outreach.db import MAX_ID, utcnow
from outreach.urls import unicode_email

# No inline script or style anywhere: every script and style sheet is a file in static/.
# Pico CSS draws its icons from data: SVGs, hence img-src data:.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
HSTS = "max-age=31536000"
# Flashed messages ride in the session cookie until shown: each is cut to FLASH_CHARS and
# only the last FLASH_COUNT are kept, whatever text a view put in them.
FLASH_CHARS = 300
FLASH_COUNT = 8


def ago(moment: datetime | None) -> str:
    """'3 minutes ago', 'in 2 days', or an em dash for nothing."""
    if moment is None:
        return "—"
    seconds = (utcnow() - moment).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            text = f"{count} {unit}{'s' if count != 1 else ''}"
            return f"in {text}" if future else f"{text} ago"
    return "within a minute" if future else "just now"


@cache
def known_timezones() -> frozenset[str]:
    """The IANA time zone names this machine knows."""
    return frozenset(available_timezones())


def timezone_named(name: str | None) -> ZoneInfo | None:
    """The time zone of that IANA name, or None for anything unknown."""
    return ZoneInfo(name) if name and name in known_timezones() else None


def when(moment: datetime | None) -> str:
    """A timestamp in the viewer's time zone (``g.timezone``, else UTC): '2026-12-04 09:30 CET'."""
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    zone = g.get("timezone") if has_app_context() else None
    local = moment.astimezone(zone or UTC)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or 'UTC'}"


def init_templates(app: Flask) -> None:
    """Register the template filters."""
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["unicode_email"] = unicode_email


def _served_over_https() -> bool:
    """Whether this request reached us over HTTPS, or the operator says the site is HTTPS-only."""
    return bool(current_app.config.get("OUTREACH_HTTPS")) or request.is_secure


class SecureAwareResponse(Response):
    """A response whose cookies are ``Secure`` whenever the request came over HTTPS.

    Flask's session, Flask-Login's remember cookie and any other ``set_cookie`` all pass
    here, so a TLS proxy declared with ``OUTREACH_PROXIES`` is enough to protect them.
    """

    def set_cookie(self, key: str, value: str = "", *args: Any, **kwargs: Any) -> None:
        if has_request_context() and _served_over_https():
            kwargs["secure"] = True
        super().set_cookie(key, value, *args, **kwargs)


def add_security_headers(response: Response) -> Response:
    """The CSP, anti-framing, anti-sniffing and referrer headers; HSTS over HTTPS."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if _served_over_https():
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when something was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cap_flashes(sender: Flask, message: str, category: str, **extra: Any) -> None:
    flashes = session.get("_flashes", [])
    if len(flashes) > FLASH_COUNT or len(str(message)) > FLASH_CHARS:
        session["_flashes"] = [(kind, shorten(str(text), FLASH_CHARS)) for kind, text in flashes][
            -FLASH_COUNT:
        ]


def init_security(app: Flask) -> None:
    """Trust ``OUTREACH_PROXIES`` hops of X-Forwarded-* headers and add the headers above."""
    settings = Settings.from_config(app.config)
    if settings.proxies > 0:
        hops = settings.proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
    app.response_class = SecureAwareResponse
    app.after_request(add_security_headers)
    message_flashed.connect(_cap_flashes, app)


def id_url(endpoint: str, key: str) -> Callable[[int], str]:
    """``url_for(endpoint, key=id)`` for many ids at the cost of one: the URL is built once
    around a placeholder id and filled in per id (a long list of cards builds thousands)."""
    placeholder = 918_273_645
    values: dict[str, Any] = {key: placeholder}
    head, tail = url_for(endpoint, **values).split(str(placeholder), 1)
    return lambda value: f"{head}{int(value)}{tail}"


def parse_id(value: str | None) -> int | None:
    """A positive database id from text, or None for anything else (signs, Unicode digits, huge)."""
    if not value or not _ID.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def safe_next(value: str | None, default: str) -> str:
    """A path on this site to go back to, or ``default`` for anything that could leave it."""
    if not value or not value.startswith("/") or _UNSAFE_NEXT.search(value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or value.startswith(("//", "/\\")):
        return default
    return value


_ID = re.compile(r"[0-9]{1,10}")
_UNSAFE_NEXT = re.compile(r"[\x00-\x20\x7f\\]")
