"""Mail connections obey the address policy: attacks through SMTP and IMAP settings are refused.

Every test here runs the policy with its production defaults unless it says otherwise,
against real servers on 127.0.0.1 (scripted banners, aiosmtpd, and TLS).
"""

from __future__ import annotations

import ast
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from outreach.net.mail import MailPolicy, MailRefused
from outreach.net.mail_imap import open_imap
from outreach.net.mail_smtp import open_smtp
from tests.support.scripted import ScriptedServer
from tests.support.smtp import SmtpServer

SSH_BANNER = b"SSH-2.0-OpenSSH_9.2p1 internal-build-7731\r\n"
SECRET = "hunter2-mailbox-secret"
LOOPBACK_ONLY = ("127.0.0.0/8",)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A plain SMTP server (aiosmtpd) on 127.0.0.1."""
    server = SmtpServer().start()
    yield server
    server.stop()


def ports(*numbers: int) -> tuple[tuple[int, int], ...]:
    """An ``extra_ports`` value allowing these ports."""
    return tuple((n, n) for n in numbers)


class FakeDNS:
    """A resolver that answers from a table and counts its lookups."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        if host not in self.table:
            raise OSError("no such host")
        return self.table[host]


def smtp_without_tls(line: bytes) -> bytes:
    """A mail server that offers AUTH but no STARTTLS."""
    command = line.strip().upper()
    if command.startswith((b"EHLO", b"HELO")):
        return b"250-fake.internal\r\n250 AUTH PLAIN LOGIN\r\n"
    if command.startswith(b"QUIT"):
        return b"221 bye\r\n"
    return b"250 ok\r\n"


def imap_without_tls(line: bytes) -> bytes:
    """An IMAP server that offers LOGIN but no STARTTLS."""
    tag, _, rest = line.strip().partition(b" ")
    verb = rest.split(b" ", 1)[0].upper()
    if verb == b"CAPABILITY":
        return b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + b" OK done\r\n"
    if verb == b"LOGOUT":
        return b"* BYE\r\n" + tag + b" OK bye\r\n"
    return tag + b" OK done\r\n"


def test_smtp_to_loopback_port_22_is_refused_without_connecting() -> None:
    with pytest.raises(MailRefused) as refused:
        open_smtp("127.0.0.1", 22, "starttls", "me", SECRET, MailPolicy())
    assert str(refused.value).startswith("refused: port 22 is not a mail port")


def test_a_loopback_service_is_never_connected_to_even_on_an_allowed_port() -> None:
    with ScriptedServer(SSH_BANNER) as server:
        policy = MailPolicy(extra_ports=ports(server.port))
        with pytest.raises(MailRefused) as smtp_refused:
            open_smtp("127.0.0.1", server.port, "starttls", "me", SECRET, policy)
        with pytest.raises(MailRefused) as imap_refused:
            open_imap("127.0.0.1", server.port, True, "me", SECRET, policy)
    assert str(smtp_refused.value) == "refused: 127.0.0.1 is a loopback address"
    assert str(imap_refused.value) == "refused: 127.0.0.1 is a loopback address"
    assert server.connections == 0


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("169.254.169.254", "cloud-metadata"),
        ("10.0.0.5", "private"),
        ("192.168.1.10", "private"),
        ("[::1]", "loopback"),
        ("fe80::1", "link-local"),
        ("2130706433", "loopback"),
        ("0x7f.1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("100.64.0.1", "carrier-grade NAT"),
    ],
)
def test_internal_addresses_are_refused_on_a_mail_port(host: str, reason: str) -> None:
    dns = FakeDNS({})
    with pytest.raises(MailRefused) as refused:
        open_smtp(host, 587, "starttls", "me", SECRET, MailPolicy(), resolver=dns)
    assert reason in str(refused.value)
    assert dns.calls == []  # a literal address is judged without DNS


@pytest.mark.parametrize(
    "answers", [["10.1.2.3"], ["93.184.216.34", "127.0.0.1"], ["::ffff:169.254.169.254"]]
)
def test_a_name_with_any_internal_answer_is_refused(answers: list[str]) -> None:
    dns = FakeDNS({"smtp.customer.example": answers})
    with pytest.raises(MailRefused) as refused:
        open_smtp("smtp.customer.example", 587, "starttls", "me", SECRET, MailPolicy(), dns)
    assert str(refused.value).startswith("refused: smtp.customer.example resolves to ")


def test_an_unknown_name_gives_a_plain_reason() -> None:
    with pytest.raises(MailRefused) as refused:
        open_smtp("nowhere.test", 587, "starttls", "me", SECRET, MailPolicy(), FakeDNS({}))
    assert str(refused.value) == "could not resolve nowhere.test"


def test_the_checked_address_is_the_one_connected_to_without_resolving_again(
    smtp: SmtpServer,
) -> None:
    dns = FakeDNS({"smtp.rebind.test": ["127.0.0.1"]})  # no system resolver knows this name
    policy = MailPolicy(LOOPBACK_ONLY, ports(smtp.port), allow_plaintext=True)
    client = open_smtp("smtp.rebind.test", smtp.port, "none", "", "", policy, dns)
    client.quit()
    assert dns.calls == ["smtp.rebind.test"]


def test_tls_checks_the_certificate_against_the_configured_host_name(tmp_path: Path) -> None:
    server = SmtpServer(tmp_path, tls=True).start()  # certificate for localhost and 127.0.0.1
    try:
        dns = FakeDNS({"localhost": ["127.0.0.1"], "mail.other.test": ["127.0.0.1"]})
        policy = MailPolicy(LOOPBACK_ONLY, ports(server.port), cafile=str(server.cert))
        good = open_smtp(
            "localhost", server.port, "starttls", server.USER, server.PASSWORD, policy, dns
        )
        good.quit()
        with pytest.raises(MailRefused) as refused:
            open_smtp(
                "mail.other.test",
                server.port,
                "starttls",
                server.USER,
                server.PASSWORD,
                policy,
                dns,
            )
    finally:
        server.stop()
    assert "certificate is not valid for this host or not trusted" in str(refused.value)


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_the_banner_of_a_non_mail_service_is_never_repeated(security: str) -> None:
    with ScriptedServer(SSH_BANNER) as server:
        policy = MailPolicy(LOOPBACK_ONLY, ports(server.port), timeout=2)
        with pytest.raises(MailRefused) as refused:
            open_smtp("127.0.0.1", server.port, security, "me", SECRET, policy)
        with pytest.raises(MailRefused) as imap_refused:
            open_imap("127.0.0.1", server.port, security == "tls", "me", SECRET, policy)
    for message in (str(refused.value), str(imap_refused.value)):
        assert "SSH" not in message and "internal-build" not in message, message
        assert f"127.0.0.1:{server.port}" in message
    assert SECRET.encode() not in server.received


def test_a_mail_servers_error_text_is_never_repeated() -> None:
    greeting = b"554 5.7.1 db01.corp.internal access denied for 10.9.8.7\r\n"
    with ScriptedServer(greeting) as server:
        policy = MailPolicy(LOOPBACK_ONLY, ports(server.port))
        with pytest.raises(MailRefused) as refused:
            open_smtp("127.0.0.1", server.port, "starttls", "me", SECRET, policy)
    assert str(refused.value) == f"127.0.0.1:{server.port} did not answer as an SMTP server"


def test_a_silent_service_times_out_quickly() -> None:
    with ScriptedServer(b"") as server:
        policy = MailPolicy(LOOPBACK_ONLY, ports(server.port), timeout=0.5)
        started = time.monotonic()
        with pytest.raises(MailRefused) as refused:
            open_smtp("127.0.0.1", server.port, "tls", "me", SECRET, policy)
    assert time.monotonic() - started < 5
    assert "timed out" in str(refused.value)


def test_smtp_without_tls_is_refused_before_connecting() -> None:
    with ScriptedServer(b"220 fake ESMTP\r\n", smtp_without_tls) as server:
        policy = MailPolicy(LOOPBACK_ONLY, ports(server.port))
        with pytest.raises(MailRefused) as refused:
            open_smtp("127.0.0.1", server.port, "none", "me", SECRET, policy)
    assert "without TLS is not allowed" in str(refused.value)
    assert server.connections == 0


def test_starttls_that_the_server_does_not_offer_sends_no_password() -> None:
    with ScriptedServer(b"220 fake ESMTP\r\n", smtp_without_tls) as server:
        policy = MailPolicy(LOOPBACK_ONLY, ports(server.port), allow_plaintext=True)
        with pytest.raises(MailRefused) as refused:
            open_smtp("127.0.0.1", server.port, "starttls", "me", SECRET, policy)
    assert str(refused.value) == f"127.0.0.1:{server.port} does not offer STARTTLS"
    assert b"AUTH" not in server.received.upper()


def test_imap_login_without_tls_is_refused_and_the_password_never_sent() -> None:
    banner = b"* OK IMAP4rev1 ready\r\n"
    with ScriptedServer(banner, imap_without_tls) as server:
        policy = MailPolicy(LOOPBACK_ONLY, ports(server.port))
        with pytest.raises(MailRefused) as refused:
            open_imap("127.0.0.1", server.port, False, "me", SECRET, policy)
    assert "without TLS is not allowed" in str(refused.value)
    assert b"LOGIN" not in server.received.upper()
    assert SECRET.encode() not in server.received


def test_plaintext_imap_login_is_allowed_only_when_the_operator_says_so() -> None:
    banner = b"* OK IMAP4rev1 ready\r\n"
    with ScriptedServer(banner, imap_without_tls) as server:
        policy = MailPolicy(LOOPBACK_ONLY, ports(server.port), allow_plaintext=True)
        client = open_imap("127.0.0.1", server.port, False, "me", SECRET, policy)
        client.logout()
    assert SECRET.encode() in server.received


def test_a_port_that_is_not_a_mail_port_is_refused_even_on_an_allowed_network(
    smtp: SmtpServer,
) -> None:
    policy = MailPolicy(LOOPBACK_ONLY, allow_plaintext=True)
    with pytest.raises(MailRefused) as refused:
        open_smtp("127.0.0.1", smtp.port, "none", "", "", policy)
    assert str(refused.value).startswith(f"refused: port {smtp.port} is not a mail port")
    assert smtp.recorder.received == []


def test_the_operators_relay_may_be_local_but_never_gets_a_password_in_clear(
    smtp: SmtpServer,
) -> None:
    policy = MailPolicy(trusted_endpoint=True)
    client = open_smtp("127.0.0.1", smtp.port, "none", "", "", policy)
    client.quit()
    with pytest.raises(MailRefused) as refused:
        open_smtp("127.0.0.1", smtp.port, "none", "alerts", SECRET, policy)
    assert "without TLS is not allowed" in str(refused.value)


def test_a_password_that_cannot_be_read_is_our_error_not_the_servers(smtp: SmtpServer) -> None:
    def unreadable() -> str:
        raise ValueError("the password of me cannot be decrypted: was the key changed?")

    policy = MailPolicy(LOOPBACK_ONLY, ports(smtp.port), allow_plaintext=True)
    with pytest.raises(ValueError, match="cannot be decrypted"):
        open_smtp("127.0.0.1", smtp.port, "none", "me", unreadable, policy)
    with pytest.raises(MailRefused, match="has no password"):
        open_smtp("127.0.0.1", smtp.port, "none", "me", "", policy)


CONNECTORS = frozenset(
    {"SMTP", "SMTP_SSL", "LMTP", "IMAPClient", "IMAP4", "IMAP4_SSL", "create_connection"}
)


def test_no_module_opens_a_mail_connection_around_the_policy() -> None:
    """Every SMTP and IMAP connection goes through outreach/net/mail.py (merges included)."""
    package = Path(__file__).resolve().parents[2] / "outreach"
    found = []
    for path in sorted(package.rglob("*.py")):
        if path == package / "net" / "mail.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in CONNECTORS:
                    found.append(f"{path.relative_to(package)}:{node.lineno} {name}(...)")
    assert found == []
