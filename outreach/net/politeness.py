"""Per-host politeness: a concurrency cap and a minimum gap between request starts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class HostGate:
    """At most ``concurrency`` requests in flight per host, starts ``delay`` seconds apart.

    Hosts are independent: waiting on one host never holds up another, so a crawl
    over many hosts runs as wide as its callers and the connection pool allow.
    """

    def __init__(self, concurrency: int = 2, delay: float = 0.0) -> None:
        self._concurrency = max(1, concurrency)
        self._delay = max(0.0, delay)
        self._semaphores: dict[str, asyncio.Semaphore] = {}
        self._next_start: dict[str, float] = {}
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one of ``host``'s request slots for the duration of the block."""
        semaphore = self._semaphores.get(host)
        if semaphore is None:
            semaphore = self._semaphores[host] = asyncio.Semaphore(self._concurrency)
        async with semaphore:
            if self._delay:
                now = asyncio.get_running_loop().time()
                start = max(now, self._next_start.get(host, now))
                self._next_start[host] = start + self._delay
                if start > now:
                    await asyncio.sleep(start - now)
            count = self.in_flight.get(host, 0) + 1
            self.in_flight[host] = count
            if count > self.max_in_flight.get(host, 0):
                self.max_in_flight[host] = count
            try:
                yield
            finally:
                self.in_flight[host] -= 1
