"""Politeness and scale, measured through the simulated web (a local forward proxy)."""

from __future__ import annotations

import asyncio
import gc
import itertools
import time

import httpx

from outreach.net import FetchPolicy, SafeFetcher
from outreach.net.types import FetchResult
from tests.net.fakes import FakeDNS
from tests.support.simweb import Reply, run_simweb


def echo(host: str, path: str) -> Reply:
    if path == "/robots.txt":
        return 404, {}, b""
    return 200, {"Content-Type": "text/html"}, f"<p>{host}{path}</p>".encode()


async def fetch_all(
    policy: FetchPolicy, urls: list[str], tasks: int = 50
) -> tuple[list[FetchResult], dict[str, int]]:
    limit = asyncio.Semaphore(tasks)

    async with SafeFetcher(policy, resolver=FakeDNS({})) as fetcher:

        async def one(url: str) -> FetchResult:
            async with limit:
                return await fetcher.fetch(url)

        results = await asyncio.gather(*(one(u) for u in urls))
    return results, fetcher.max_in_flight_per_host


def test_any_host_name_is_served_through_the_proxy_without_local_dns() -> None:
    with run_simweb(echo) as web:
        policy = FetchPolicy(proxy=web.proxy_url)
        (result,), _ = asyncio.run(fetch_all(policy, ["http://anything.example/page"]))
    assert result.ok, result.as_dict()
    assert result.body == b"<p>anything.example/page</p>"
    assert [(r.host, r.path, r.absolute_form) for r in web.log] == [
        ("anything.example", "/robots.txt", True),
        ("anything.example", "/page", True),
    ]
    assert {r.headers["user-agent"] for r in web.log} == {policy.user_agent}


def test_literal_private_target_is_refused_even_with_a_proxy() -> None:
    with run_simweb(echo) as web:
        policy = FetchPolicy(proxy=web.proxy_url)
        (result,), _ = asyncio.run(fetch_all(policy, ["http://10.0.0.5/admin"]))
    assert result.error_kind == "blocked_address" and web.requests == 0


def test_at_most_two_requests_in_flight_per_host() -> None:
    with run_simweb(echo, latency=0.05) as web:
        policy = FetchPolicy(proxy=web.proxy_url)
        urls = [f"http://one-host.example/p{i}" for i in range(20)]
        results, seen = asyncio.run(fetch_all(policy, urls))
    assert all(r.ok for r in results)
    assert seen == {"one-host.example": 2}
    assert web.max_in_flight_per_host == {"one-host.example": 2}


def test_delay_between_request_starts_to_one_host() -> None:
    async def main(policy: FetchPolicy) -> list[FetchResult]:
        async with SafeFetcher(policy) as fetcher:
            await fetcher.fetch("http://warm-up.example/")  # first-request imports and setup
            urls = [f"http://slow-down.example/p{i}" for i in range(4)] + ["http://other.example/"]
            return await asyncio.gather(*(fetcher.fetch(url) for url in urls))

    gc.collect()
    gc.disable()  # an 80 ms collection pause mid-test would skew the measured gaps
    try:
        with run_simweb(echo) as web:
            policy = FetchPolicy(proxy=web.proxy_url, per_host_delay=0.15, obey_robots=False)
            results = asyncio.run(main(policy))
    finally:
        gc.enable()
    assert all(r.ok for r in results)
    starts = [r.started for r in web.log if r.host == "slow-down.example"]
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(gaps) == 3 and min(gaps) >= 0.13, gaps
    other = next(r.started for r in web.log if r.host == "other.example")
    assert other < starts[1], "another host does not wait behind this one's delay"


def test_many_hosts_are_fetched_in_parallel() -> None:
    hosts = 500
    with run_simweb(echo, latency=0.05) as web:
        policy = FetchPolicy(proxy=web.proxy_url)
        urls = [f"http://site{i}.example/page" for i in range(hosts)]
        started = time.monotonic()
        results, seen = asyncio.run(fetch_all(policy, urls, tasks=60))
        elapsed = time.monotonic() - started
    assert all(r.ok for r in results)
    assert web.requests == 2 * hosts  # robots.txt + page
    assert max(seen.values()) <= 2 and web.max_in_flight_total > 40
    # Serialised this takes 2 * 500 * 0.05 = 50 s; 60 wide about 1 s, and several times that
    # on a busy machine (pytest -n 4 on two cores): a quarter of the serial time still tells.
    serial = 2 * hosts * 0.05
    assert elapsed < serial / 4, elapsed


def test_simweb_sustains_hundreds_of_slow_responses_at_once() -> None:
    async def main(proxy: str) -> list[FetchResult]:
        policy = FetchPolicy(proxy=proxy, obey_robots=False)
        async with SafeFetcher(policy, limits=httpx.Limits(max_connections=300)) as fetcher:
            return await asyncio.gather(
                *(fetcher.fetch(f"http://slow{i}.example/") for i in range(250))
            )

    # Each response is held long enough for all 250 to be sent even on a busy machine (at
    # 0.5 s, the first answers came back before the last requests arrived under pytest -n).
    latency = 2.0
    with run_simweb(echo, latency=latency) as web:
        started = time.monotonic()
        results = asyncio.run(main(web.proxy_url))
        elapsed = time.monotonic() - started
    assert all(r.ok for r in results)
    assert web.max_in_flight_total == 250
    # All at once this takes 2 s (more on a busy machine); in waves of 25 it would take 20 s.
    assert elapsed < 250 / 25 * latency, elapsed


def test_https_through_a_proxy_that_refuses_connect_is_an_error_not_an_exception() -> None:
    with run_simweb(echo) as web:
        policy = FetchPolicy(proxy=web.proxy_url, obey_robots=False)
        (result,), _ = asyncio.run(fetch_all(policy, ["https://secure.example/"]))
    assert result.error_kind == "connect" and "proxy" in (result.error or "")
