"""SSRF defences: literal, resolved, redirected and re-resolved addresses are all checked."""

from __future__ import annotations

import asyncio
import socket

import pytest

from outreach.net import FetchPolicy, Redirect, SafeFetcher, fetch_one
from outreach.net.backend import BlockedAddressError, GuardedBackend
from outreach.net.types import FetchResult
from tests.net.fakes import FakeDNS, RecordingBackend, local_policy
from tests.support.simweb import Response, redirect, routes_handler, run_server

PAGE = b"<html>secret</html>"


def fetch_with(
    url: str,
    policy: FetchPolicy,
    dns: FakeDNS | None = None,
    backend: RecordingBackend | None = None,
    check_robots: bool = True,
) -> FetchResult:
    async def main() -> FetchResult:
        async with SafeFetcher(policy, resolver=dns, network_backend=backend) as fetcher:
            return await fetcher.fetch(url, check_robots=check_robots)

    return asyncio.run(main())


def test_loopback_is_refused_by_default() -> None:
    with run_server(routes_handler({"/": (200, {}, PAGE)})) as web:
        result = fetch_one(web.url("/"), FetchPolicy())
    assert result.error_kind == "blocked_address" and result.blocked
    assert result.error == "refused: 127.0.0.1 is a loopback address"
    assert web.requests == 0


@pytest.mark.parametrize(
    "host", ["2130706433", "0x7f.1", "017700000001", "127.1", "0x7f000001", "[::ffff:127.0.0.1]"]
)
def test_numeric_spellings_of_loopback_are_refused_without_dns(host: str) -> None:
    dns = FakeDNS({})  # any lookup would fail with "dns", not "blocked_address"
    with run_server(routes_handler({"/": (200, {}, PAGE)})) as web:
        result = fetch_with(f"http://{host}:{web.port}/", FetchPolicy(), dns)
    assert result.error_kind == "blocked_address", result.as_dict()
    assert "127.0.0.1" in (result.error or "")
    assert dns.calls == [] and web.requests == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "cloud-metadata"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "cloud-metadata"),
        ("http://100.64.0.1/", "carrier-grade NAT"),
        ("http://10.0.0.5/", "private"),
        ("http://[fe80::1]/", "link-local"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://[::]/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
    ],
)
def test_special_addresses_are_refused(url: str, reason: str) -> None:
    backend = RecordingBackend()
    result = fetch_with(url, FetchPolicy(), FakeDNS({}), backend)
    assert result.error_kind == "blocked_address"
    assert reason in (result.error or "")
    assert backend.connects == []


def test_name_resolving_to_private_address_is_refused() -> None:
    result = fetch_with(
        "http://intranet.test/", FetchPolicy(), FakeDNS({"intranet.test": ["10.0.0.5"]})
    )
    assert result.error_kind == "blocked_address"
    assert result.error == "refused: intranet.test resolves to 10.0.0.5, a private address"


def test_every_answer_must_be_allowed() -> None:
    dns = FakeDNS({"mixed.test": ["93.184.215.14", "127.0.0.1"]})
    backend = RecordingBackend()
    result = fetch_with("http://mixed.test/", FetchPolicy(), dns, backend)
    assert result.error_kind == "blocked_address" and "127.0.0.1" in (result.error or "")
    assert backend.connects == []


def test_dns_rebinding_is_caught_at_connect_time() -> None:
    """First lookup (the pre-check) says public, the connect-time lookup says loopback."""
    with run_server(routes_handler({"/": (200, {}, PAGE)})) as web:
        dns = FakeDNS({"localhost": [["93.184.215.14"], ["127.0.0.1"]]})
        backend = RecordingBackend()
        result = fetch_with(f"http://localhost:{web.port}/", FetchPolicy(), dns, backend, False)
    assert result.error_kind == "blocked_address", result.as_dict()
    assert "localhost resolves to 127.0.0.1" in (result.error or "")
    assert dns.calls == ["localhost", "localhost"]
    assert backend.connects == [] and web.requests == 0


def test_connection_goes_to_the_validated_ip_with_the_host_name_kept() -> None:
    with run_server(routes_handler({"/": (200, {}, PAGE)})) as web:
        dns = FakeDNS({"site.test": ["127.0.0.1"]})
        backend = RecordingBackend()
        result = fetch_with(f"http://site.test:{web.port}/", local_policy(), dns, backend)
    assert result.ok and result.body == PAGE
    assert backend.connects == [("127.0.0.1", web.port)]
    assert {r.headers["host"] for r in web.log} == {f"site.test:{web.port}"}


def test_tls_uses_the_host_name_for_sni() -> None:
    with run_server(routes_handler({"/": (200, {}, PAGE)}), tls=True) as web:
        dns = FakeDNS({"site.test": ["127.0.0.1"]})
        result = fetch_with(f"https://site.test:{web.port}/", local_policy(verify_tls=False), dns)
    assert result.ok and result.body == PAGE, result.as_dict()
    assert set(web.sni_names) == {"site.test"}


def test_tls_certificates_are_verified_by_default() -> None:
    with run_server(routes_handler({"/": (200, {}, PAGE)}), tls=True) as web:
        dns = FakeDNS({"site.test": ["127.0.0.1"]})
        result = fetch_with(f"https://site.test:{web.port}/", local_policy(), dns, None, False)
    assert result.error_kind == "connect" and "CERTIFICATE" in (result.error or "").upper()


def test_redirect_to_metadata_address_is_refused() -> None:
    routes = {"/go": redirect("http://169.254.169.254/latest/meta-data/")}
    with run_server(routes_handler(routes)) as web:
        result = fetch_one(web.url("/go"), local_policy())
    assert result.error_kind == "blocked_address"
    assert result.redirects == [Redirect(web.url("/go"), 302)]
    assert "cloud-metadata" in (result.error or "")


def test_redirect_to_name_resolving_privately_is_refused() -> None:
    with run_server(routes_handler({})) as web:
        web.handler = routes_handler({"/go": redirect(f"http://evil.test:{web.port}/admin")})
        dns = FakeDNS({"site.test": ["127.0.0.1"], "evil.test": ["10.1.2.3"]})
        result = fetch_with(f"http://site.test:{web.port}/go", local_policy(), dns)
    assert result.error_kind == "blocked_address"
    assert "evil.test resolves to 10.1.2.3" in (result.error or "")
    assert "/admin" not in web.paths()


def _ipv6_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_available(), reason="no IPv6 loopback")
def test_ipv6_loopback_refused_unless_allowed() -> None:
    with run_server(routes_handler({"/": Response(body=PAGE)}), host="::1") as web:
        refused = fetch_one(web.url("/"), FetchPolicy())
        allowed = fetch_one(web.url("/"), FetchPolicy(allowed_networks=("::1/128",)))
    assert refused.error_kind == "blocked_address" and "::1" in (refused.error or "")
    assert allowed.ok and allowed.body == PAGE


def test_backend_refuses_by_itself() -> None:
    async def main() -> None:
        backend = GuardedBackend(FakeDNS({"rebind.test": ["127.0.0.1"]}))
        with pytest.raises(BlockedAddressError, match="loopback"):
            await backend.connect_tcp("rebind.test", 80)
        with pytest.raises(BlockedAddressError, match="private"):
            await backend.connect_tcp("0xa.1", 80)
        with pytest.raises(BlockedAddressError):
            await backend.connect_unix_socket("/var/run/docker.sock")
        proxied = GuardedBackend(FakeDNS({}), proxy_origin=("127.0.0.1", 8899))
        with pytest.raises(BlockedAddressError, match="bypassing the proxy"):
            await proxied.connect_tcp("example.com", 80)

    asyncio.run(main())
