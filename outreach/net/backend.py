"""A network backend whose every TCP connection goes to an address checked by the SSRF policy.

httpx has no DNS hook, so the check lives in an ``httpcore`` network backend:
``connect_tcp`` resolves the name itself (through an injectable resolver), refuses
the connection unless *every* answer is allowed, and connects to a validated IP.
httpcore still passes the host name to ``start_tls``, so SNI and certificate
checks use the name, not the IP. With a proxy configured, the backend only ever
connects to the proxy itself; names are resolved (and checked) by the proxy.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence

import anyio
import httpcore
from httpcore import AsyncNetworkBackend, AsyncNetworkStream

from outreach.net.addresses import forbidden_reason, parse_ip_literal, refusal_message

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""Resolve ``(host, port)`` to IP address strings; raise OSError when the name has none."""

SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


class BlockedAddressError(Exception):
    """A connection was refused by the address policy; the message is readable."""


class ResolutionError(Exception):
    """A host name could not be resolved."""


async def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's answers (A and AAAA) for ``host``, de-duplicated, in order."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[str, None] = {}
    for _family, _type, _proto, _canon, sockaddr in infos:
        seen.setdefault(str(sockaddr[0]), None)
    return list(seen)


async def resolve_checked(
    host: str, port: int, resolver: Resolver, allowed_networks: Sequence[str]
) -> list[str]:
    """Addresses for ``host`` once all are allowed; else BlockedAddressError/ResolutionError."""
    literal = parse_ip_literal(host)
    if literal is not None:
        reason = forbidden_reason(literal, allowed_networks)
        if reason is not None:
            raise BlockedAddressError(refusal_message(literal, reason))
        return [str(literal)]
    try:
        answers = await resolver(host, port)
    except (OSError, UnicodeError, ValueError) as exc:
        detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise ResolutionError(f"could not resolve {host}: {detail}") from exc
    if not answers:
        raise ResolutionError(f"could not resolve {host}: no addresses")
    for answer in answers:
        reason = forbidden_reason(answer, allowed_networks)
        if reason is not None:
            raise BlockedAddressError(refusal_message(answer, reason, host))
    return [str(parse_ip_literal(a)) for a in answers]


class GuardedBackend(AsyncNetworkBackend):
    """Network backend that resolves, validates and connects to the validated IP only."""

    def __init__(
        self,
        resolver: Resolver,
        allowed_networks: Sequence[str] = (),
        *,
        proxy_origin: tuple[str, int] | None = None,
        inner: AsyncNetworkBackend | None = None,
    ) -> None:
        self._resolver = resolver
        self._allowed = tuple(allowed_networks)
        self._proxy_origin = proxy_origin
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> AsyncNetworkStream:
        """Connect to ``host``'s first reachable validated address (or to the proxy)."""
        if self._proxy_origin is not None:
            if (host.lower().strip("[]"), port) != self._proxy_origin:
                raise BlockedAddressError(
                    f"refused: direct connection to {host}:{port} bypassing the proxy"
                )
            return await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        try:
            with anyio.fail_after(timeout):
                addresses = await resolve_checked(host, port, self._resolver, self._allowed)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> AsyncNetworkStream:
        """Unix sockets are never used for outbound fetches."""
        raise BlockedAddressError(f"refused: unix socket {path}")

    async def sleep(self, seconds: float) -> None:
        """Delegate to the wrapped backend."""
        await self._inner.sleep(seconds)
