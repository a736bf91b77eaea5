"""httpx transports built on :class:`GuardedBackend`, sharded so that many hosts scale.

httpcore's connection pool scans every connection it holds for every queued
request each time a request starts or ends (encode/httpx#3215); with a few hundred
connections that cost ~4 ms of CPU per request. Hosts are therefore spread over
several small pools (by a hash of the host name): each pool stays short, and the
fetcher enforces the overall connection cap with one semaphore.
"""

from __future__ import annotations

import ssl
import zlib

import certifi
import httpcore
import httpx
from httpcore import AsyncNetworkBackend

from outreach.net.backend import GuardedBackend, Resolver, system_resolver
from outreach.net.types import FetchPolicy

DEFAULT_LIMITS = httpx.Limits(
    max_connections=200, max_keepalive_connections=100, keepalive_expiry=15
)
DEFAULT_SHARDS = 16


def make_ssl_context(verify: bool) -> ssl.SSLContext:
    """Certificate-checking context from certifi, or a non-verifying one when asked."""
    if verify:
        return ssl.create_default_context(cafile=certifi.where())
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def proxy_origin(proxy: str) -> tuple[httpx.URL, tuple[str, int]]:
    """The parsed proxy URL and its (host, port); only http:// and https:// proxies."""
    url = httpx.URL(proxy)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"unsupported proxy {proxy!r}: use http://host:port")
    port = url.port or (443 if url.scheme == "https" else 80)
    return url, (url.host.lower(), port)


class SafeTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` whose pool connects only through :class:`GuardedBackend`.

    Keeps httpx's exception mapping and response streaming; the verify setting
    (``ssl_context``) and ``limits`` are passed to the rebuilt pool. Environment
    proxies are never read; ``policy.proxy`` is the only proxy.
    """

    def __init__(
        self,
        policy: FetchPolicy,
        resolver: Resolver | None = None,
        *,
        limits: httpx.Limits = DEFAULT_LIMITS,
        ssl_context: ssl.SSLContext | None = None,
        inner: AsyncNetworkBackend | None = None,
    ) -> None:
        context = ssl_context or make_ssl_context(policy.verify_tls)
        super().__init__(verify=context, trust_env=False, limits=limits)
        resolve = resolver or system_resolver
        keep = limits.max_keepalive_connections
        if policy.proxy is None:
            backend = GuardedBackend(resolve, policy.allowed_networks, inner=inner)
            self._pool = httpcore.AsyncConnectionPool(
                ssl_context=context,
                max_connections=limits.max_connections,
                max_keepalive_connections=keep,
                keepalive_expiry=limits.keepalive_expiry,
                network_backend=backend,
            )
            return
        url, origin = proxy_origin(policy.proxy)
        backend = GuardedBackend(resolve, policy.allowed_networks, proxy_origin=origin, inner=inner)
        self._pool = httpcore.AsyncHTTPProxy(
            proxy_url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            proxy_auth=(url.username, url.password) if url.username else None,
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=keep,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


class ShardedTransport(httpx.AsyncBaseTransport):
    """Routes each request to one of several transports by a stable hash of its host."""

    def __init__(self, shards: list[httpx.AsyncBaseTransport]) -> None:
        if not shards:
            raise ValueError("at least one shard")
        self.shards = shards

    def shard_for(self, host: str) -> httpx.AsyncBaseTransport:
        """The transport that serves ``host``."""
        return self.shards[zlib.crc32(host.lower().encode()) % len(self.shards)]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through its host's shard."""
        return await self.shard_for(request.url.host).handle_async_request(request)

    async def aclose(self) -> None:
        """Close every shard."""
        for shard in self.shards:
            await shard.aclose()


def build_transport(
    policy: FetchPolicy,
    resolver: Resolver | None = None,
    *,
    limits: httpx.Limits = DEFAULT_LIMITS,
    shards: int = DEFAULT_SHARDS,
    inner: AsyncNetworkBackend | None = None,
) -> ShardedTransport:
    """The fetcher's transport: ``shards`` safe pools sharing one TLS context.

    Each shard may open up to ``limits.max_connections`` (the caller caps requests
    in flight overall) and keeps its share of the idle keep-alive connections.
    """
    context = make_ssl_context(policy.verify_tls)
    count = max(1, shards)
    keep = limits.max_keepalive_connections
    shard_limits = httpx.Limits(
        max_connections=limits.max_connections,
        max_keepalive_connections=None if keep is None else max(2, -(-keep // count)),
        keepalive_expiry=limits.keepalive_expiry,
    )
    return ShardedTransport(
        [
            SafeTransport(policy, resolver, limits=shard_limits, ssl_context=context, inner=inner)
            for _ in range(count)
        ]
    )
