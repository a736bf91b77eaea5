"""Test doubles for the fetcher: scripted DNS, a recording network backend, odd servers."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import httpcore
from httpcore import AsyncNetworkStream

from outreach.net.types import FetchPolicy

LOCAL = ("127.0.0.0/8",)


def local_policy(**overrides: Any) -> FetchPolicy:
    """A policy that may reach 127.0.0.0/8, with short timeouts for tests."""
    values: dict[str, Any] = {
        "allowed_networks": LOCAL,
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "total_deadline": 5.0,
    }
    values.update(overrides)
    return FetchPolicy(**values)


class FakeDNS:
    """Answers from a table; a list of lists is a sequence of answers, one per lookup."""

    def __init__(
        self, table: dict[str, Sequence[str] | Sequence[Sequence[str]]], delay: float = 0.0
    ) -> None:
        self.table = table
        self.delay = delay
        self.calls: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        if self.delay:
            await asyncio.sleep(self.delay)
        answers = self.table.get(host)
        if answers is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if answers and not isinstance(answers[0], str):
            sequence = list(answers)
            count = self.calls.count(host)
            return list(sequence[min(count, len(sequence)) - 1])
        return [str(a) for a in answers]


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """The real AnyIO backend, recording every (host, port) actually connected to."""

    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()
        self.connects: list[tuple[str, int]] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[object] | None = None,
    ) -> AsyncNetworkStream:
        self.connects.append((host, port))
        return await self.inner.connect_tcp(host, port, timeout, local_address)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


@contextmanager
def blackhole_port() -> Iterator[int]:
    """A port whose listen queue is full, so new TCP connects hang (connect timeout)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    try:
        for _ in range(2):
            filler = socket.socket()
            filler.settimeout(0.2)
            with suppress(OSError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        yield port
    finally:
        for filler in fillers:
            filler.close()
        server.close()


def closed_port() -> int:
    """A local port with nothing listening."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
