"""Redirects are followed by hand: recorded, limited, loop-checked, re-checked per hop."""

from __future__ import annotations

from outreach.net import Redirect, fetch_one
from tests.net.fakes import local_policy
from tests.support.simweb import Response, Route, redirect, routes_handler, run_server

PAGE = b"<html>final</html>"


def test_chain_is_recorded_hop_by_hop() -> None:
    routes = {
        "/a": redirect("/b", 301),
        "/b": redirect("c", 302),
        "/c": redirect("/d?x=1", 307),
        "/d": Response(body=PAGE),
    }
    with run_server(routes_handler(routes)) as web:
        result = fetch_one(web.url("/a"), local_policy())
    assert result.ok and result.body == PAGE and result.status == 200
    assert result.redirects == [
        Redirect(web.url("/a"), 301),
        Redirect(web.url("/b"), 302),
        Redirect(web.url("/c"), 307),
    ]
    assert result.final_url == web.url("/d?x=1")


def test_more_than_max_redirects_is_an_error() -> None:
    routes = {f"/r{i}": redirect(f"/r{i + 1}") for i in range(30)}
    with run_server(routes_handler(routes)) as web:
        result = fetch_one(web.url("/r0"), local_policy(), check_robots=False)
        limited = fetch_one(web.url("/r0"), local_policy(max_redirects=3), check_robots=False)
    assert result.error_kind == "too_many_redirects"
    assert result.error == "redirect loop / more than 10 redirects"
    assert len(result.redirects) == 11 and result.final_url == web.url("/r10")
    assert limited.error_kind == "too_many_redirects" and len(limited.redirects) == 4
    assert web.requests == 11 + 4


def test_redirect_loop_is_detected_early() -> None:
    routes = {"/x": redirect("/y"), "/y": redirect("/x")}
    with run_server(routes_handler(routes)) as web:
        result = fetch_one(web.url("/x"), local_policy(), check_robots=False)
    assert result.error_kind == "too_many_redirects"
    assert "loop" in (result.error or "")
    assert web.paths() == ["/x", "/y"]


def test_redirect_to_another_scheme_is_invalid() -> None:
    with run_server(routes_handler({"/go": redirect("ftp://example.com/file")})) as web:
        result = fetch_one(web.url("/go"), local_policy(), check_robots=False)
    assert result.error_kind == "invalid_url"
    assert result.redirects == [Redirect(web.url("/go"), 302)]


def test_redirect_without_location_is_the_final_response() -> None:
    with run_server(routes_handler({"/": Response(302, {}, b"nowhere")})) as web:
        result = fetch_one(web.url("/"), local_policy())
    assert result.ok and result.status == 302 and result.redirects == []


def test_each_hop_is_checked_against_robots() -> None:
    routes: dict[str, Route] = {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private"),
        "/go": redirect("/private/page"),
        "/private/page": Response(body=PAGE),
    }
    with run_server(routes_handler(routes)) as web:
        result = fetch_one(web.url("/go"), local_policy())
    assert result.error_kind == "robots_disallowed"
    assert "/private/page" not in web.paths()
