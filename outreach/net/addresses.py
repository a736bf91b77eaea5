"""Which IP addresses outbound requests may reach: the SSRF address policy.

Everything is decided with :mod:`ipaddress` on parsed addresses, never on strings,
so decimal, hex and octal spellings of an IPv4 address (``2130706433``, ``0x7f.1``,
``017700000001``) and IPv6 forms that embed an IPv4 address are all caught.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence
from functools import lru_cache

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

CLOUD_METADATA = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, DigitalOcean
        ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
        ipaddress.ip_address("fd00:ec2::254"),  # AWS IMDS over IPv6
    }
)

# Ranges refused even if a Python version's ``is_global`` table says otherwise.
_EXPLICIT: tuple[tuple[IPNetwork, str], ...] = tuple(
    (ipaddress.ip_network(cidr), reason)
    for cidr, reason in (
        ("0.0.0.0/8", "unspecified"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "carrier-grade NAT (shared)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "reserved"),
        ("192.0.2.0/24", "documentation"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("::/96", "IPv4-compatible (deprecated)"),
        ("64:ff9b:1::/48", "local-use NAT64"),
        ("100::/64", "discard-only"),
        ("2001::/23", "IETF protocol assignment"),
        ("2001:db8::/32", "documentation"),
        ("fc00::/7", "unique-local (private)"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"),
        ("ff00::/8", "multicast"),
    )
)

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPAT = ipaddress.ip_network("::/96")


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a URL host denotes by itself (no DNS), with inet_aton leniency; else None.

    ``127.1``, ``0x7f.1``, ``2130706433`` and ``017700000001`` all give 127.0.0.1,
    as the C resolver would; ``[::1]`` and ``fe80::1%eth0`` are read as IPv6.
    """
    text = host.strip().strip("[]").rstrip(".")
    if not text:
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if ":" in text or not all(c.isalnum() or c == "." for c in text):
        return None
    try:
        packed = socket.inet_aton(text)
    except OSError:
        return None
    return ipaddress.IPv4Address(packed)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address carried inside an IPv6 one (mapped, 6to4, NAT64, compatible)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or (ip in _IPV4_COMPAT and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


@lru_cache(maxsize=256)
def parse_networks(cidrs: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """CIDR strings as networks; raises ValueError on a malformed entry."""
    return tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs)


def _in_any(ip: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    return any(ip.version == net.version and ip in net for net in networks)


def forbidden_reason(ip: str | IPAddress, allowed_networks: Sequence[str] = ()) -> str | None:
    """Why a request must not reach ``ip`` (e.g. ``"private"``), or None when it may.

    An unparseable address is refused ("not an IP address"): fail closed.
    Networks in ``allowed_networks`` (CIDR strings) are let through.
    """
    if isinstance(ip, str):
        parsed = parse_ip_literal(ip)
        if parsed is None:
            return "not an IP address"
        ip = parsed
    allowed = parse_networks(tuple(allowed_networks))
    if _in_any(ip, allowed):
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            ip = ipaddress.IPv6Address(ip.compressed.split("%", 1)[0])
        inner = _embedded_ipv4(ip)
        if inner is not None:
            inner_reason = forbidden_reason(inner, allowed_networks)
            if ip.ipv4_mapped is not None:
                return None if inner_reason is None else f"IPv4-mapped {inner_reason}"
            if inner_reason is not None:
                return f"{inner_reason} (embedded in IPv6)"
            if ip in _NAT64 or ip.sixtofour is not None:
                return None
    if ip in CLOUD_METADATA:
        return "cloud-metadata"
    for network, reason in _EXPLICIT:
        if ip.version == network.version and ip in network:
            return reason
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "non-global"
    return None


def is_forbidden_address(
    ip: str | ipaddress.IPv4Address | ipaddress.IPv6Address,
    allowed_networks: Sequence[str] = (),
) -> bool:
    """True when outbound requests must not reach ``ip`` (see :func:`forbidden_reason`)."""
    return forbidden_reason(ip, allowed_networks) is not None


def refusal_message(ip: str | IPAddress, reason: str, host: str | None = None) -> str:
    """A readable sentence such as ``refused: 10.0.0.5 is a private address``."""
    article = "an" if reason[:1].lower() in "aeiou" else "a"
    parsed = parse_ip_literal(ip) if isinstance(ip, str) else ip
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        ip = f"::ffff:{parsed.ipv4_mapped}"
    if host and parse_ip_literal(host) is None:
        return f"refused: {host} resolves to {ip}, {article} {reason} address"
    return f"refused: {ip} is {article} {reason} address"
