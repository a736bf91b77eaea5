"""The SSRF address policy, on its own."""

from __future__ import annotations

import ipaddress

import pytest

from outreach.net.addresses import forbidden_reason, is_forbidden_address, parse_ip_literal

FORBIDDEN = [
    "127.0.0.1",
    "127.255.0.9",
    "10.0.0.5",
    "172.16.3.4",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.1.1",
    "100.64.0.1",
    "100.127.255.254",
    "0.0.0.0",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "192.0.2.1",
    "::",
    "::1",
    "fe80::1",
    "fe80::1%eth0",
    "fc00::1",
    "fd00:ec2::254",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::127.0.0.1",
    "64:ff9b::7f00:1",
    "2002:7f00:1::",
    "2001:db8::1",
    "[::1]",
    "not-an-ip",
]

ALLOWED = ["8.8.8.8", "93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("ip", FORBIDDEN)
def test_forbidden_addresses(ip: str) -> None:
    assert is_forbidden_address(ip)


@pytest.mark.parametrize("ip", ALLOWED)
def test_public_addresses_allowed(ip: str) -> None:
    assert not is_forbidden_address(ip)
    assert not is_forbidden_address(ipaddress.ip_address(ip))


def test_reasons_are_specific() -> None:
    assert forbidden_reason("10.0.0.5") == "private"
    assert forbidden_reason("127.0.0.1") == "loopback"
    assert forbidden_reason("169.254.169.254") == "cloud-metadata"
    assert forbidden_reason("fd00:ec2::254") == "cloud-metadata"
    assert "carrier-grade NAT" in (forbidden_reason("100.64.0.1") or "")
    assert "IPv4-mapped" in (forbidden_reason("::ffff:127.0.0.1") or "")


def test_allowed_networks_let_listed_ranges_through() -> None:
    assert not is_forbidden_address("127.0.0.1", ("127.0.0.0/8",))
    assert not is_forbidden_address("::ffff:127.0.0.1", ("127.0.0.0/8",))
    assert not is_forbidden_address("::1", ("::1/128",))
    assert is_forbidden_address("10.0.0.1", ("127.0.0.0/8",))
    assert is_forbidden_address("::1", ("127.0.0.0/8",))


@pytest.mark.parametrize(
    "host",
    ["2130706433", "0x7f.1", "017700000001", "127.1", "0x7f000001", "0177.0.0.1", "127.0.0.1."],
)
def test_numeric_host_spellings_are_read_like_inet_aton(host: str) -> None:
    assert parse_ip_literal(host) == ipaddress.ip_address("127.0.0.1")
    assert is_forbidden_address(host)


@pytest.mark.parametrize("host", ["example.com", "cafe", "1.2.3.4.example", "", "xn--bcher-kva.de"])
def test_names_are_not_ip_literals(host: str) -> None:
    assert parse_ip_literal(host) is None
