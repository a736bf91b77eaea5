"""Everyday behaviour: results, headers, charsets, errors that never raise."""

from __future__ import annotations

import asyncio

import pytest

from outreach.net import FetchPolicy, SafeFetcher, fetch_one
from tests.net.fakes import FakeDNS, closed_port, local_policy
from tests.support.simweb import Response, routes_handler, run_server, run_site

PAGE = b"<html><body><a href='/x'>x</a></body></html>"


def test_fetch_returns_status_headers_and_body() -> None:
    with run_site({"/": (200, {"X-Custom": "Yes"}, PAGE)}) as base:
        result = fetch_one(base + "/", local_policy())
    assert result.ok and result.status == 200
    assert result.body == PAGE
    assert result.final_url == base + "/" and result.redirects == []
    assert result.headers["x-custom"] == "Yes"
    assert all(name == name.lower() for name in result.headers)
    assert result.header("Content-Type") == "text/html; charset=utf-8"
    assert result.error is None and result.elapsed > 0


def test_http_error_status_is_a_normal_result() -> None:
    with run_site({}) as base:
        result = fetch_one(base + "/missing", local_policy())
    assert result.ok and result.status == 404 and b"not found" in result.body


def test_content_type_charset_is_kept_for_text() -> None:
    body = "<p>café € naïve</p>".encode("cp1252")
    with run_site({"/": (200, {"Content-Type": "text/html; charset=windows-1252"}, body)}) as base:
        result = fetch_one(base + "/", local_policy())
    assert result.text() == "<p>café € naïve</p>"


def test_user_agent_is_sent_on_every_request() -> None:
    policy = local_policy(user_agent="OutreachBot/9.9 (+https://example.org/bot)")
    with run_server(routes_handler({"/": (200, {}, PAGE)})) as web:
        assert fetch_one(web.url("/"), policy).ok
    assert [r.path for r in web.log] == ["/robots.txt", "/"]
    assert {r.headers["user-agent"] for r in web.log} == {policy.user_agent}


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "not a url",
        "",
        "http://",
        "http:///path",
        "http://exa mple.com/",
        "http://[::1",
        "http://example.com:99999/",
    ],
)
def test_malformed_or_non_http_urls_are_invalid(url: str) -> None:
    result = fetch_one(url, FetchPolicy(), resolver=FakeDNS({}))
    assert result.error_kind == "invalid_url", result.as_dict()
    assert not result.ok and result.error


def test_unresolvable_name_is_a_dns_error() -> None:
    dns = FakeDNS({})
    result = fetch_one("http://no-such-host.test/", FetchPolicy(), resolver=dns)
    assert result.error_kind == "dns"
    assert "could not resolve no-such-host.test" in (result.error or "")


def test_refused_connection_is_a_connect_error() -> None:
    result = fetch_one(f"http://127.0.0.1:{closed_port()}/", local_policy(), check_robots=False)
    assert result.error_kind == "connect" and result.error


def test_environment_proxies_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    dead = f"http://127.0.0.1:{closed_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, dead)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with run_site({"/": (200, {}, PAGE)}) as base:
        result = fetch_one(base + "/", local_policy())
    assert result.ok, result.as_dict()


def test_fetcher_is_reusable_across_many_fetches() -> None:
    async def main(base: str) -> list[int | None]:
        async with SafeFetcher(local_policy()) as fetcher:
            results = await asyncio.gather(*(fetcher.fetch(f"{base}/p{i}") for i in range(10)))
        return [r.status for r in results]

    with run_site({f"/p{i}": Response(body=PAGE) for i in range(10)}) as base:
        assert asyncio.run(main(base)) == [200] * 10


def test_bad_allowed_network_is_a_configuration_error() -> None:
    with pytest.raises(ValueError):
        SafeFetcher(FetchPolicy(allowed_networks=("not-a-cidr",)))
