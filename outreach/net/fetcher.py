"""The one safe way the app fetches a URL: SSRF-checked, bounded, polite, robots-aware."""

from __future__ import annotations

import asyncio
import http.cookiejar
import time
import urllib.request
from collections.abc import Mapping
from urllib.parse import urljoin

import httpx
from httpcore import AsyncNetworkBackend

from outreach.net.addresses import parse_networks
from outreach.net.backend import Resolver, system_resolver
from outreach.net.body import ACCEPT_ENCODING, BodyTooLarge, read_limited
from outreach.net.fetch_checks import Stop, classify, is_html_type, parse_target, preflight
from outreach.net.politeness import HostGate
from outreach.net.robots import ROBOTS_MAX_BYTES, RobotsCache, product_token
from outreach.net.transport import DEFAULT_LIMITS, DEFAULT_SHARDS, build_transport
from outreach.net.types import FetchPolicy, FetchResult, Redirect

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"


_Body = tuple[bytes, dict[str, str]]  # what a POST sends: the body and its headers


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Every fetch is stateless: no cookie is stored or sent."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False


class SafeFetcher:
    """Fetches URLs under a :class:`FetchPolicy`; use as ``async with SafeFetcher(policy) as f``.

    ``fetch`` never raises for network or policy problems: it returns a
    :class:`FetchResult` whose ``error_kind`` and ``error`` say what went wrong.
    Redirects are followed by hand, each hop re-checked (URL, addresses, robots).
    Fetches are stateless (no cookies). ``expect_html`` applies to 2xx responses
    only; other statuses keep their (bounded) body whatever its type. On
    ``too_large`` the body holds the first ``max_body_bytes`` bytes.
    """

    max_in_flight_per_host: dict[str, int]

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        resolver: Resolver | None = None,
        network_backend: AsyncNetworkBackend | None = None,
        limits: httpx.Limits = DEFAULT_LIMITS,
        shards: int = DEFAULT_SHARDS,
    ) -> None:
        parse_networks(tuple(policy.allowed_networks))  # malformed CIDR -> ValueError now
        self.policy = policy
        self._resolver = resolver or system_resolver
        transport = build_transport(
            policy, resolver, limits=limits, shards=shards, inner=network_backend
        )
        read = policy.read_timeout
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(
                connect=policy.connect_timeout, read=read, write=read, pool=policy.total_deadline
            ),
            follow_redirects=False,
            trust_env=False,
            cookies=http.cookiejar.CookieJar(policy=_NoCookies()),
            headers={
                "User-Agent": policy.user_agent,
                "Accept": ACCEPT,
                "Accept-Encoding": ACCEPT_ENCODING,
            },
        )
        self._gate = HostGate(policy.per_host_concurrency, policy.per_host_delay)
        self._connections = asyncio.Semaphore(limits.max_connections or 200)
        self.max_in_flight_per_host = self._gate.max_in_flight
        self._robots = RobotsCache(self._load_robots)

    async def __aenter__(self) -> SafeFetcher:
        """Nothing to open: the pool connects lazily."""
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close the connection pool."""
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def fetch(
        self, url: str, *, expect_html: bool = True, check_robots: bool = True
    ) -> FetchResult:
        """GET ``url`` under the policy; the result carries the response or the reason."""
        return await self._run(
            url,
            expect_html=expect_html,
            check_robots=check_robots,
            limit=self.policy.max_body_bytes,
        )

    async def post(self, url: str, content: bytes, headers: Mapping[str, str]) -> FetchResult:
        """POST ``content`` to ``url`` under the policy (addresses, limits, deadline).

        Robots rules do not apply (the receiver asked for these requests) and a redirect is
        not followed: the 3xx is the result, since resending a body elsewhere is unsafe.
        """
        return await self._run(
            url,
            expect_html=False,
            check_robots=False,
            limit=self.policy.max_body_bytes,
            send=(content, dict(headers)),
        )

    async def robots_allowed(self, url: str, user_agent: str | None = None) -> bool:
        """Whether robots.txt lets ``user_agent`` (default: ours) fetch ``url``; True if unknown."""
        try:
            target = parse_target(url)
        except Stop:
            return True
        try:
            async with asyncio.timeout(self._deadline()):
                return await self._robots.allowed(target, user_agent or self.policy.user_agent)
        except TimeoutError:
            return True

    def _deadline(self) -> float | None:
        return self.policy.total_deadline if self.policy.total_deadline > 0 else None

    async def _load_robots(self, robots_url: str) -> FetchResult:
        return await self._run(
            robots_url, expect_html=False, check_robots=False, limit=ROBOTS_MAX_BYTES
        )

    async def _run(
        self,
        url: str,
        *,
        expect_html: bool,
        check_robots: bool,
        limit: int,
        send: _Body | None = None,
    ) -> FetchResult:
        result = FetchResult(url=url, final_url=url)
        started = time.monotonic()
        try:
            async with asyncio.timeout(self._deadline()):
                await self._follow(result, expect_html, check_robots, limit, send)
        except TimeoutError:
            result.error_kind = "timeout"
            result.error = f"timed out after {self.policy.total_deadline:g} s"
        except Stop as stop:
            result.error_kind, result.error = stop.kind, stop.message
        result.elapsed = time.monotonic() - started
        return result

    async def _follow(
        self,
        result: FetchResult,
        expect_html: bool,
        check_robots: bool,
        limit: int,
        send: _Body | None = None,
    ) -> None:
        current = result.url
        seen: set[str] = set()
        while True:
            target = parse_target(current)
            seen.add(str(target))
            await preflight(target, self.policy, self._resolver)
            robots = check_robots and self.policy.obey_robots
            if robots and not await self._robots.allowed(target, self.policy.user_agent):
                token = product_token(self.policy.user_agent)
                raise Stop("robots_disallowed", f"robots.txt disallows {current} for {token}")
            result.final_url = current
            try:
                location = await self._hop(result, target, expect_html, limit, send)
            except Stop:
                raise
            except Exception as exc:
                mapped = classify(exc, target.host, self.policy)
                if mapped is exc:
                    raise
                raise mapped from exc
            if location is None or send is not None:
                return
            result.redirects.append(Redirect(current, result.status or 0))
            if len(result.redirects) > self.policy.max_redirects:
                raise Stop(
                    "too_many_redirects",
                    f"redirect loop / more than {self.policy.max_redirects} redirects",
                )
            try:
                current = urljoin(current, location)
                following = str(parse_target(current))
            except (Stop, ValueError) as exc:
                raise Stop("invalid_url", f"redirect to a malformed URL {location!r}") from exc
            if following in seen:
                raise Stop("too_many_redirects", f"redirect loop: {current} was already fetched")

    async def _hop(
        self,
        result: FetchResult,
        target: httpx.URL,
        expect_html: bool,
        limit: int,
        send: _Body | None = None,
    ) -> str | None:
        """One request; returns the Location to follow, or None when the result is final."""
        host = target.raw_host.decode("ascii").lower()
        async with self._gate.slot(host), self._connections:
            if send is None:
                request = self._client.build_request("GET", target)
            else:
                content, headers = send
                request = self._client.build_request(
                    "POST", target, content=content, headers=headers
                )
            response = await self._client.send(request, stream=True)
            try:
                result.status = response.status_code
                result.headers = {k.lower(): v for k, v in response.headers.items()}
                location = str(response.headers.get("location", "")).strip()
                if response.status_code in REDIRECT_STATUSES and location:
                    return location
                result.body = b""
                if 200 <= response.status_code < 300 and expect_html:
                    content_type = response.headers.get("content-type")
                    if not is_html_type(content_type):
                        raise Stop("not_html", f"not HTML: content-type {content_type}")
                try:
                    result.body = await read_limited(response, limit)
                except BodyTooLarge as exc:
                    result.body = exc.partial
                    raise Stop("too_large", str(exc)) from exc
                return None
            finally:
                await response.aclose()


def fetch_one(
    url: str,
    policy: FetchPolicy,
    *,
    resolver: Resolver | None = None,
    expect_html: bool = True,
    check_robots: bool = True,
) -> FetchResult:
    """Fetch one URL synchronously (runs its own event loop; not for use inside one)."""

    async def run() -> FetchResult:
        async with SafeFetcher(policy, resolver=resolver) as fetcher:
            return await fetcher.fetch(url, expect_html=expect_html, check_robots=check_robots)

    return asyncio.run(run())


def post_one(
    url: str,
    content: bytes,
    headers: Mapping[str, str],
    policy: FetchPolicy,
    *,
    resolver: Resolver | None = None,
) -> FetchResult:
    """POST one body synchronously under the policy (runs its own event loop)."""

    async def run() -> FetchResult:
        async with SafeFetcher(policy, resolver=resolver) as fetcher:
            return await fetcher.post(url, content, headers)

    return asyncio.run(run())
