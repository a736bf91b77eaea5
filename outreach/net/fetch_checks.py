"""The fetcher's checks: a URL's host, a hop's addresses, the body's type, a failure's kind."""

from __future__ import annotations

import asyncio
import re

import httpx

from outreach.net.addresses import forbidden_reason, parse_ip_literal, refusal_message
from outreach.net.backend import BlockedAddressError, ResolutionError, Resolver, resolve_checked
from outreach.net.body import BodyDecodeError
from outreach.net.types import FetchPolicy

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_HOST_CHARS = re.compile(r"[A-Za-z0-9._-]+")


class Stop(Exception):
    """Ends a fetch with ``kind`` and a readable message."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def is_html_type(content_type: str | None) -> bool:
    """True for an HTML media type, or when the server named none."""
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    return not mime or mime in HTML_TYPES


def parse_target(url: str) -> httpx.URL:
    """The URL as httpx parses it, refused unless http(s) with a valid host and port."""
    try:
        target = httpx.URL(url.strip())
        host = target.raw_host.decode("ascii")
    except (httpx.InvalidURL, TypeError, ValueError, UnicodeError) as exc:
        raise Stop("invalid_url", f"malformed URL {url!r}") from exc
    if target.scheme not in ("http", "https"):
        raise Stop("invalid_url", f"not an http(s) URL: {url!r}")
    if not host or not (_HOST_CHARS.fullmatch(host) or parse_ip_literal(host)):
        raise Stop("invalid_url", f"no valid host in {url!r}")
    if target.port is not None and not 0 < target.port < 65536:
        raise Stop("invalid_url", f"invalid port in {url!r}")
    return target


async def preflight(target: httpx.URL, policy: FetchPolicy, resolver: Resolver) -> None:
    """Refuse a hop whose host is, or resolves to, a forbidden address."""
    host = target.raw_host.decode("ascii")
    allowed = policy.allowed_networks
    if policy.proxy is not None:  # the proxy resolves names and checks them
        literal = parse_ip_literal(host)
        reason = forbidden_reason(literal, allowed) if literal is not None else None
        if literal is not None and reason is not None:
            raise Stop("blocked_address", refusal_message(literal, reason))
        return
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        async with asyncio.timeout(policy.connect_timeout):
            await resolve_checked(host, port, resolver, allowed)
    except TimeoutError as exc:
        raise Stop("timeout", f"resolving {host} timed out") from exc
    except BlockedAddressError as exc:
        raise Stop("blocked_address", str(exc)) from exc
    except ResolutionError as exc:
        raise Stop("dns", str(exc)) from exc


def classify(exc: Exception, host: str, policy: FetchPolicy) -> Exception:
    """The Stop for a network exception; anything unexpected is returned unchanged."""
    if isinstance(exc, Stop):
        return exc
    if isinstance(exc, BlockedAddressError):
        return Stop("blocked_address", str(exc))
    if isinstance(exc, ResolutionError):
        return Stop("dns", str(exc))
    if isinstance(exc, BodyDecodeError):
        return Stop("protocol", str(exc))
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return Stop("timeout", f"connect to {host} timed out after {policy.connect_timeout:g} s")
    if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout):
        return Stop("timeout", f"no data from {host} for {policy.read_timeout:g} s")
    if isinstance(exc, httpx.PoolTimeout):
        return Stop("timeout", "no free connection in the pool in time")
    if isinstance(exc, httpx.ProxyError):
        return Stop("connect", f"proxy error: {detail}")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return Stop("invalid_url", detail)
    if isinstance(exc, httpx.ProtocolError | httpx.DecodingError):
        return Stop("protocol", f"bad HTTP from {host}: {detail}")
    if isinstance(exc, httpx.TransportError | OSError):
        return Stop("connect", f"connection to {host} failed: {detail}")
    return exc
