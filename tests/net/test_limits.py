"""Timeouts, the total deadline, body size limits (after decompression) and content types."""

from __future__ import annotations

import gzip
import itertools
import zlib
from collections.abc import Callable

import pytest

from outreach.net import fetch_one
from tests.net.fakes import FakeDNS, blackhole_port, local_policy
from tests.support.simweb import Response, routes_handler, run_server, run_site

MB = 1 << 20


def test_connect_timeout() -> None:
    with blackhole_port() as port:
        result = fetch_one(
            f"http://127.0.0.1:{port}/", local_policy(connect_timeout=0.3), check_robots=False
        )
    assert result.error_kind == "timeout", result.as_dict()
    assert "connect" in (result.error or "") and result.elapsed < 1.5


def test_slow_dns_counts_against_the_connect_timeout() -> None:
    dns = FakeDNS({"slow.test": ["127.0.0.1"]}, delay=5)
    result = fetch_one("http://slow.test/", local_policy(connect_timeout=0.3), resolver=dns)
    assert result.error_kind == "timeout" and result.elapsed < 1.5


def test_read_timeout_when_the_server_says_nothing() -> None:
    with run_site({"/": Response(body=b"late", delay=5)}) as base:
        result = fetch_one(base + "/", local_policy(read_timeout=0.4), check_robots=False)
    assert result.error_kind == "timeout", result.as_dict()
    assert result.error == "no data from 127.0.0.1 for 0.4 s"
    assert result.elapsed < 1.5


def test_total_deadline_stops_a_body_that_trickles_forever() -> None:
    trickle = Response(
        headers={"Content-Type": "text/html"}, chunks=itertools.repeat(b"x"), interval=1.0
    )
    policy = local_policy(read_timeout=3.0, total_deadline=1.5)
    with run_site({"/": trickle}) as base:
        result = fetch_one(base + "/", policy, check_robots=False)
    assert result.error_kind == "timeout"
    assert result.error == "timed out after 1.5 s"
    assert 1.4 <= result.elapsed < 2.5


def test_total_deadline_covers_the_whole_redirect_chain() -> None:
    routes = {f"/r{i}": Response(302, {"Location": f"/r{i + 1}"}, delay=0.3) for i in range(10)}
    policy = local_policy(read_timeout=2.0, total_deadline=1.0)
    with run_site(routes) as base:
        result = fetch_one(base + "/r0", policy, check_robots=False)
    assert result.error_kind == "timeout" and result.elapsed < 1.8
    assert 1 <= len(result.redirects) <= 4


def test_streamed_body_stops_at_the_limit() -> None:
    endless = Response(chunks=itertools.repeat(b"a" * 65536))  # no Content-Length
    with run_site({"/": endless}) as base:
        result = fetch_one(base + "/", local_policy(max_body_bytes=MB), check_robots=False)
    assert result.error_kind == "too_large"
    assert result.error == "body exceeds 1 MB limit"
    assert len(result.body) == MB


def test_declared_length_over_the_limit_is_refused_early() -> None:
    with run_site({"/": Response(body=b"a" * (2 * MB))}) as base:
        result = fetch_one(base + "/", local_policy(max_body_bytes=MB), check_robots=False)
    assert result.error_kind == "too_large" and result.status == 200


def test_gzip_bomb_is_stopped_on_decompressed_size() -> None:
    bomb = gzip.compress(b"\0" * (40 * MB), compresslevel=9)
    assert len(bomb) < 100_000
    page = Response(headers={"Content-Encoding": "gzip"}, body=bomb)
    with run_site({"/": page}) as base:
        result = fetch_one(base + "/", local_policy(max_body_bytes=MB), check_robots=False)
    assert result.error_kind == "too_large", result.as_dict()
    assert len(result.body) == MB


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send
    ],
)
def test_compressed_pages_are_decoded(encoding: str, compress: Callable[[bytes], bytes]) -> None:
    text = b"<html>" + b"hello compressed world " * 5000 + b"</html>"
    body = compress(text)
    with run_site({"/": Response(headers={"Content-Encoding": encoding}, body=body)}) as base:
        result = fetch_one(base + "/", local_policy(), check_robots=False)
    assert result.ok and result.body == text


def test_corrupt_gzip_is_a_protocol_error() -> None:
    page = Response(headers={"Content-Encoding": "gzip"}, body=b"\x1f\x8b\x08\x00garbage" * 10)
    with run_site({"/": page}) as base:
        result = fetch_one(base + "/", local_policy(), check_robots=False)
    assert result.error_kind == "protocol"


@pytest.mark.parametrize("content_type", ["image/png", "application/pdf", "application/json"])
def test_non_html_is_refused_without_downloading_the_body(content_type: str) -> None:
    endless = Response(
        headers={"Content-Type": content_type}, chunks=itertools.repeat(b"\x89"), interval=0.2
    )
    with run_server(routes_handler({"/file": endless})) as web:
        result = fetch_one(web.url("/file"), local_policy(total_deadline=3.0))
    assert result.error_kind == "not_html"
    assert result.error == f"not HTML: content-type {content_type}"
    assert result.status == 200 and result.body == b"" and result.elapsed < 1.0


def test_non_html_is_downloaded_when_not_expecting_html() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    with run_site({"/a.png": (200, {"Content-Type": "image/png"}, png)}) as base:
        result = fetch_one(base + "/a.png", local_policy(), expect_html=False)
    assert result.ok and result.body == png


def test_xhtml_and_missing_content_type_count_as_html() -> None:
    routes = {
        "/x": (200, {"Content-Type": "application/xhtml+xml; charset=utf-8"}, b"<html/>"),
        "/none": (200, {"Content-Type": ""}, b"<html/>"),
    }
    with run_site(routes) as base:
        assert fetch_one(base + "/x", local_policy()).ok
        assert fetch_one(base + "/none", local_policy()).ok
