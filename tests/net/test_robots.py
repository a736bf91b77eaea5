"""robots.txt: obeyed, cached per origin, lenient on failures, answerable for other agents."""

from __future__ import annotations

import asyncio

from outreach.net import SafeFetcher, fetch_one
from outreach.net.types import FetchPolicy
from tests.net.fakes import local_policy
from tests.support.simweb import Response, Route, routes_handler, run_server

PAGE = b"<html>page</html>"
ROBOTS = b"""User-agent: *
Disallow: /private

User-agent: Googlebot
Disallow: /

User-agent: NastyBot
Disallow: /
"""


def robots_routes(robots: Route) -> dict[str, Route]:
    return {
        "/robots.txt": robots,
        "/public": Response(body=PAGE),
        "/private/x": Response(body=PAGE),
    }


def text(body: bytes, status: int = 200) -> Response:
    return Response(status, {"Content-Type": "text/plain"}, body)


def test_disallowed_path_is_not_fetched() -> None:
    with run_server(routes_handler(robots_routes(text(ROBOTS)))) as web:
        blocked = fetch_one(web.url("/private/x"), local_policy())
        allowed = fetch_one(web.url("/public"), local_policy())
    assert blocked.error_kind == "robots_disallowed" and blocked.blocked
    assert blocked.error == f"robots.txt disallows {web.url('/private/x')} for OutreachBot"
    assert allowed.ok and allowed.body == PAGE
    assert "/private/x" not in web.paths()


def test_group_for_our_own_agent_applies() -> None:
    robots = text(b"User-agent: OutreachBot\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    with run_server(routes_handler(robots_routes(robots))) as web:
        result = fetch_one(web.url("/public"), local_policy())
    assert result.error_kind == "robots_disallowed"


def test_robots_txt_is_fetched_once_per_origin() -> None:
    async def main(url: str) -> SafeFetcher:
        async with SafeFetcher(local_policy()) as fetcher:
            results = await asyncio.gather(*(fetcher.fetch(url) for _ in range(8)))
            results.append(await fetcher.fetch(url))
            assert all(r.ok for r in results)
        return fetcher

    with run_server(routes_handler(robots_routes(text(ROBOTS)))) as web:
        asyncio.run(main(web.url("/public")))
    assert web.paths().count("/robots.txt") == 1
    assert web.paths().count("/public") == 9


def test_missing_robots_allows_everything() -> None:
    with run_server(routes_handler(robots_routes(text(b"gone", 410)))) as web:
        assert fetch_one(web.url("/private/x"), local_policy()).ok
    with run_server(routes_handler(robots_routes(text(b"nope", 404)))) as web:
        assert fetch_one(web.url("/private/x"), local_policy()).ok


def test_server_error_or_timeout_on_robots_is_treated_as_allow() -> None:
    with run_server(routes_handler(robots_routes(text(ROBOTS, 503)))) as web:
        assert fetch_one(web.url("/private/x"), local_policy()).ok
    slow = Response(200, {"Content-Type": "text/plain"}, ROBOTS, delay=3)
    with run_server(routes_handler(robots_routes(slow))) as web:
        result = fetch_one(web.url("/private/x"), local_policy(read_timeout=0.3))
    assert result.ok and result.elapsed < 2


def test_robots_allowed_answers_for_other_agents() -> None:
    async def main(base: str) -> tuple[bool, ...]:
        async with SafeFetcher(local_policy()) as fetcher:
            return (
                await fetcher.robots_allowed(base + "/public"),
                await fetcher.robots_allowed(base + "/public", "Googlebot"),
                await fetcher.robots_allowed(
                    base + "/public", "Mozilla/5.0 (compatible; Googlebot/2.1)"
                ),
                await fetcher.robots_allowed(base + "/private/x"),
                await fetcher.robots_allowed(base + "/public", "Bingbot"),
                await fetcher.robots_allowed("not a url", "Googlebot"),
            )

    with run_server(routes_handler(robots_routes(text(ROBOTS)))) as web:
        answers = asyncio.run(main(web.base_url))
    assert answers == (True, False, False, False, True, True)
    assert web.paths() == ["/robots.txt"]


def test_robots_can_be_skipped() -> None:
    with run_server(routes_handler(robots_routes(text(ROBOTS)))) as web:
        assert fetch_one(web.url("/private/x"), local_policy(), check_robots=False).ok
        assert fetch_one(web.url("/private/x"), local_policy(obey_robots=False)).ok
    assert "/robots.txt" not in web.paths()


def test_robots_fetch_is_itself_ssrf_checked() -> None:
    with run_server(routes_handler(robots_routes(text(ROBOTS)))) as web:
        result = fetch_one(web.url("/public"), FetchPolicy())
    assert result.error_kind == "blocked_address" and web.requests == 0
