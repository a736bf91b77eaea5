"""robots.txt rules, fetched once per origin through the safe fetcher and parsed with Protego.

Failure policy (a deliberate choice for a CRM that fetches a few pages per site,
not a bulk crawler): a robots.txt answered with 4xx (404, 410, also 401/403) means
"no rules"; a 5xx, a timeout or any network failure is also treated as "no rules"
(allow) rather than RFC 9309's "assume complete disallow", so that a flaky
robots.txt server does not make link verification report false blockers. The
outcome, whatever it is, is cached for the life of the cache.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
from protego import Protego

from outreach.net.types import FetchResult

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 asks parsers to read at least 500 KiB

RobotsLoader = Callable[[str], Awaitable[FetchResult]]


def origin_key(url: httpx.URL) -> str:
    """``scheme://host:port`` of a URL, the unit robots.txt applies to."""
    port = url.port or (443 if url.scheme == "https" else 80)
    return f"{url.scheme}://{url.raw_host.decode('ascii')}:{port}"


def robots_url_for(url: httpx.URL) -> str:
    """The robots.txt URL governing ``url``."""
    return str(url.copy_with(path="/robots.txt", query=None, fragment=None, userinfo=b""))


def product_token(user_agent: str) -> str:
    """The robots.txt name of a User-Agent: ``OutreachBot/0.1 (+...)`` -> ``OutreachBot``.

    Browser-style strings (``Mozilla/5.0 (compatible; Googlebot/2.1; ...)``) are kept
    whole; Protego finds the robot's name inside them.
    """
    token = user_agent.strip().split("/", 1)[0].split(" ", 1)[0]
    if not token or token.lower() == "mozilla":
        return user_agent
    return token


def rules_from_result(result: FetchResult) -> Protego | None:
    """Parsed rules from a robots.txt fetch, or None meaning "everything allowed"."""
    usable = result.error_kind is None or (result.error_kind == "too_large" and result.body)
    if not usable or result.status is None or not 200 <= result.status < 300:
        return None
    try:
        return Protego.parse(result.text())
    except Exception:  # a robots.txt Protego cannot read gives no rules
        return None


class RobotsCache:
    """robots.txt rules per origin; concurrent lookups for one origin share one fetch."""

    def __init__(self, load: RobotsLoader) -> None:
        self._load = load
        self._rules: dict[str, Protego | None] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.fetches = 0

    async def rules_for(self, url: httpx.URL) -> Protego | None:
        """The cached rules for ``url``'s origin, fetching robots.txt on first use."""
        key = origin_key(url)
        if key in self._rules:
            return self._rules[key]
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if key not in self._rules:
                self.fetches += 1
                result = await self._load(robots_url_for(url))
                self._rules[key] = rules_from_result(result)
                self._locks.pop(key, None)
        return self._rules[key]

    async def allowed(self, url: httpx.URL, user_agent: str) -> bool:
        """Whether ``user_agent`` (a full UA string or a bare name) may fetch ``url``."""
        rules = await self.rules_for(url)
        if rules is None:
            return True
        return bool(rules.can_fetch(str(url), product_token(user_agent)))
