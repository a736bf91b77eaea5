"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd): STARTTLS, AUTH, and a stall switch.

It records the exact bytes of every accepted message and when it arrived. ``stall_at``
makes the server stop answering at the DATA of the n-th message (1-based), as a server
that hangs mid-send would. ``rcpt_answers`` and ``data_answers`` script the next answers
to RCPT TO and to DATA (``"450 4.2.0 Greylisted"``), one per command, then 250 again.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# The test SMTP and IMAP servers listen on 127.0.0.1, on free ports, without TLS: the app
# fixture (and the worker processes some tests start) let them through the mail policy;
# tests/pitches/test_mail_policy.py runs with the policy's defaults.
LOCAL_MAIL: dict[str, str] = {
    "OUTREACH_MAIL_ALLOWED_NETWORKS": "127.0.0.0/8",
    "OUTREACH_MAIL_ALLOWED_PORTS": "1024-65535",
    "OUTREACH_MAIL_ALLOW_PLAINTEXT": "1",
}


@dataclass
class Received:
    """One message as the server accepted it."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    at: float

    @property
    def message(self) -> EmailMessage:
        """The parsed message."""
        return message_from_bytes(self.data, _class=EmailMessage, policy=default_policy)


@dataclass
class Recorder:
    """The aiosmtpd handler: keeps what arrived; can stall or reject."""

    received: list[Received] = field(default_factory=list)
    stall_at: int | None = None
    stalled: threading.Event = field(default_factory=threading.Event)
    release: asyncio.Event | None = None
    data_seen: int = 0
    rcpt_answers: list[str] = field(default_factory=list)
    data_answers: list[str] = field(default_factory=list)
    rcpt_seen: int = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        """Refuse the recipient with the next scripted answer, if any."""
        self.rcpt_seen += 1
        if self.rcpt_answers:
            return self.rcpt_answers.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Record a message (or hang, when told to)."""
        self.data_seen += 1
        if self.stall_at is not None and self.data_seen == self.stall_at:
            self.stalled.set()
            self.release = asyncio.Event()
            await self.release.wait()
            return "451 stalled"
        if self.data_answers:
            return self.data_answers.pop(0)
        content = envelope.original_content or envelope.content
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(content), time.monotonic())
        )
        return "250 OK"

    def message_ids(self) -> list[str]:
        """The Message-ID header of every accepted message, in order."""
        return [str(r.message["Message-ID"]) for r in self.received]


def free_port() -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, generated now; returns (cert, key) paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class SmtpServer:
    """A running server; ``tls`` adds STARTTLS (required) and AUTH (required)."""

    USER, PASSWORD = "sender@ours.example", "smtp-pass"

    def __init__(self, folder: Path | None = None, tls: bool = False, utf8: bool = False) -> None:
        import ssl

        self.recorder = Recorder()
        self.port = free_port()
        self.cert: Path | None = None
        kwargs: dict[str, Any] = {"enable_SMTPUTF8": utf8}
        if tls and folder is not None:
            self.cert, key = self_signed_cert(folder)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.cert, key)
            kwargs |= {
                "tls_context": context,
                "require_starttls": True,
                "auth_required": True,
                "auth_require_tls": True,
                "authenticator": self._authenticate,
            }
        self.controller = Controller(
            self.recorder, hostname="127.0.0.1", port=self.port, ready_timeout=10, **kwargs
        )

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            self.USER.encode(),
            self.PASSWORD.encode(),
        )
        return AuthResult(success=ok, handled=False)

    def start(self) -> SmtpServer:
        """Start serving in a background thread."""
        self.controller.start()
        return self

    def stop(self) -> None:
        """Let a stalled conversation end, then stop."""
        release, loop = self.recorder.release, self.controller.loop
        if release is not None:
            loop.call_soon_threadsafe(release.set)
        self.controller.stop()
