"""SMTP and IMAP connections under the same address policy as the HTTP fetcher.

Every mail connection the app opens (sending, reply polling, link alerts) goes through
:func:`open_smtp` or :func:`open_imap`, which:

* allow only mail ports (25, 465, 587, 2525, 143, 993, plus the operator's
  ``OUTREACH_MAIL_ALLOWED_PORTS``);
* resolve the host once, refuse it unless every answer passes
  :func:`outreach.net.addresses.forbidden_reason` (private, loopback, link-local and
  metadata ranges are refused unless ``OUTREACH_MAIL_ALLOWED_NETWORKS`` lets them through),
  and connect to that checked address itself: nothing resolves the name again. TLS still
  uses the configured host name for SNI and the certificate check;
* never send a password without TLS (implicit TLS or STARTTLS); a connection without TLS
  at all is refused unless ``OUTREACH_MAIL_ALLOW_PLAINTEXT`` is on (local testing);
* bound every step with a timeout;
* turn every failure into :class:`MailRefused`, whose message is our own plain sentence:
  the server's greeting, banner or error text is never repeated, since a mailbox pointed
  at an internal service would otherwise show that service's answer to the user.
"""

from __future__ import annotations

import contextlib
import imaplib
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from imapclient import IMAPClient, imap4, tls
from imapclient.exceptions import IMAPClientError, LoginError

from outreach.net.addresses import forbidden_reason, parse_ip_literal, refusal_message

STANDARD_PORTS = frozenset({25, 465, 587, 2525, 143, 993})
"""SMTP (25), SMTPS (465), submission (587, and 2525 that many providers offer), IMAP, IMAPS."""

SyncResolver = Callable[[str, int], list[str]]
"""Resolve ``(host, port)`` to IP address strings; raise OSError when the name has none."""


class MailRefused(Exception):
    """A mail connection refused by the policy or failed; the message is safe to show."""


@dataclass(frozen=True)
class MailPolicy:
    """The rules every SMTP and IMAP connection obeys; built from the app's settings."""

    allowed_networks: tuple[str, ...] = ()
    extra_ports: tuple[tuple[int, int], ...] = ()
    allow_plaintext: bool = False
    timeout: float = 30.0
    cafile: str | None = None
    trusted_endpoint: bool = False  # the operator's own relay (link alerts): any address/port

    def port_allowed(self, port: int) -> bool:
        """Whether ``port`` is a mail port or one the operator added."""
        return port in STANDARD_PORTS or any(lo <= port <= hi for lo, hi in self.extra_ports)

    def tls_context(self) -> ssl.SSLContext:
        """A certificate- and host-name-checking context (with ``OUTREACH_SMTP_CAFILE``)."""
        return ssl.create_default_context(cafile=self.cafile)


def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's answers (A and AAAA) for ``host``, de-duplicated, in order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(sockaddr[0]) for *_rest, sockaddr in infos))


def _ports_text(policy: MailPolicy) -> str:
    extra = [str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in policy.extra_ports]
    return ", ".join([*(str(p) for p in sorted(STANDARD_PORTS)), *extra])


def check_endpoint(host: str, port: int, policy: MailPolicy) -> None:
    """What can be checked without DNS (for forms): the port, and a literal address."""
    if not host.strip():
        raise MailRefused("refused: no host name")
    if policy.trusted_endpoint:
        return
    if not policy.port_allowed(port):
        raise MailRefused(
            f"refused: port {port} is not a mail port (allowed: {_ports_text(policy)})"
        )
    literal = parse_ip_literal(host)
    if literal is not None:
        reason = forbidden_reason(literal, policy.allowed_networks)
        if reason is not None:
            raise MailRefused(refusal_message(literal, reason))


def checked_addresses(
    host: str, port: int, policy: MailPolicy, resolver: SyncResolver | None = None
) -> list[str]:
    """The addresses to connect to once the port and every resolved address are allowed."""
    check_endpoint(host, port, policy)
    literal = parse_ip_literal(host)
    if literal is not None:
        return [str(literal)]
    try:
        answers = (resolver or system_resolver)(host, port)
    except (OSError, UnicodeError, ValueError) as exc:
        raise MailRefused(f"could not resolve {host}") from exc
    if not answers:
        raise MailRefused(f"could not resolve {host}")
    if not policy.trusted_endpoint:
        for answer in answers:
            reason = forbidden_reason(answer, policy.allowed_networks)
            if reason is not None:
                raise MailRefused(refusal_message(answer, reason, host))
    return [str(parse_ip_literal(a) or a) for a in answers]


def connect_checked(
    host: str, port: int, policy: MailPolicy, resolver: SyncResolver | None = None
) -> socket.socket:
    """A TCP connection to a checked address of ``host`` (the first that answers)."""
    addresses = checked_addresses(host, port, policy, resolver)
    failure: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout=policy.timeout)
        except OSError as exc:
            failure = exc
    raise MailRefused(f"could not connect to {host}:{port} ({_os_reason(failure)})")


def _os_reason(exc: BaseException | None) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return "connection reset"
    return "network error"


def _tls_reason(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "the certificate is not valid for this host or not trusted"
    return "TLS handshake failed"


class _GuardedSMTP(smtplib.SMTP):
    """``smtplib.SMTP`` whose socket goes to a checked address; STARTTLS keeps the host name."""

    def __init__(
        self, host: str, port: int, policy: MailPolicy, resolver: SyncResolver | None
    ) -> None:
        self._policy, self._resolver = policy, resolver
        super().__init__(host, port, timeout=policy.timeout)  # connects (STARTTLS needs host)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return connect_checked(host, port, self._policy, self._resolver)


class _GuardedSMTPSSL(smtplib.SMTP_SSL):
    """``smtplib.SMTP_SSL`` on a checked address, with SNI and certificate for the host name."""

    def __init__(
        self, host: str, port: int, policy: MailPolicy, resolver: SyncResolver | None
    ) -> None:
        self._policy, self._resolver = policy, resolver
        super().__init__(host, port, timeout=policy.timeout, context=policy.tls_context())

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = connect_checked(host, port, self._policy, self._resolver)
        try:
            return self.context.wrap_socket(sock, server_hostname=host)
        except BaseException:
            sock.close()
            raise


@contextlib.contextmanager
def plain_errors(host: str, port: int, protocol: str) -> Iterator[None]:
    """Turn any error of a mail conversation into :class:`MailRefused` with our own words."""
    where = f"{host}:{port}"
    try:
        yield
    except MailRefused:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise MailRefused(f"{where} refused the login (code {exc.smtp_code})") from None
    except smtplib.SMTPConnectError:
        raise MailRefused(f"{where} did not answer as an {protocol} server") from None
    except smtplib.SMTPNotSupportedError:
        raise MailRefused(f"{where} does not offer what is needed (STARTTLS or AUTH)") from None
    except smtplib.SMTPResponseException as exc:
        raise MailRefused(f"{where} answered with an error (code {exc.smtp_code})") from None
    except smtplib.SMTPServerDisconnected as exc:
        if isinstance(exc.__context__, TimeoutError):  # smtplib's word for a silent server
            raise MailRefused(f"the connection to {where} failed (timed out)") from None
        raise MailRefused(f"{where} closed the connection") from None
    except LoginError:
        raise MailRefused(f"{where} refused the login") from None
    except (smtplib.SMTPException, IMAPClientError, imaplib.IMAP4.error):
        raise MailRefused(f"{where} did not answer as an {protocol} server should") from None
    except ssl.SSLError as exc:
        raise MailRefused(f"TLS with {where} failed: {_tls_reason(exc)}") from None
    except (OSError, EOFError) as exc:
        raise MailRefused(f"the connection to {where} failed ({_os_reason(exc)})") from None
    except (ValueError, UnicodeError):
        raise MailRefused(f"{where} did not answer as an {protocol} server should") from None


def _refuse_plaintext(policy: MailPolicy, what: str) -> None:
    if not policy.allow_plaintext:
        raise MailRefused(
            f"refused: {what} without TLS is not allowed; use STARTTLS or TLS"
            " (OUTREACH_MAIL_ALLOW_PLAINTEXT allows it for local testing)"
        )


def _secret(password: str | Callable[[], str]) -> str:
    """The password (decrypted before connecting, so its errors are never a server's)."""
    secret = password() if callable(password) else password
    if not secret:
        raise MailRefused("the mailbox has no password: enter it on the mailbox page")
    return secret


def open_smtp(
    host: str,
    port: int,
    security: str,
    username: str,
    password: str | Callable[[], str],
    policy: MailPolicy,
    resolver: SyncResolver | None = None,
) -> smtplib.SMTP:
    """A connected (and logged-in, when ``username`` is set) SMTP client.

    ``security`` is ``"tls"`` (implicit TLS), ``"starttls"`` (required) or ``"none"``
    (only with ``allow_plaintext``; for the operator's trusted relay, only without a login).
    ``password`` may be a callable (it decrypts the stored one); it is sent only over TLS.
    """
    if security not in ("tls", "starttls") and (username or not policy.trusted_endpoint):
        _refuse_plaintext(policy, "an SMTP connection")
    check_endpoint(host, port, policy)
    secret = _secret(password) if username else ""
    smtp: smtplib.SMTP | None = None
    try:
        with plain_errors(host, port, "SMTP"):
            # The constructor connects and checks the greeting (SMTPConnectError unless 220).
            kind = _GuardedSMTPSSL if security == "tls" else _GuardedSMTP
            smtp = kind(host, port, policy, resolver)
            smtp.ehlo()
            if security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise MailRefused(f"{host}:{port} does not offer STARTTLS")
                smtp.starttls(context=policy.tls_context())
                smtp.ehlo()
            if username:
                smtp.login(username, secret)
    except BaseException:
        if smtp is not None:
            with contextlib.suppress(Exception):
                smtp.close()
        raise
    return smtp


class _GuardedIMAP4(imap4.IMAP4WithTimeout):
    def __init__(self, host: str, port: int, policy: MailPolicy, resolver: Any) -> None:
        self._policy, self._resolver = policy, resolver
        super().__init__(host, port, policy.timeout)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        return connect_checked(self.host, self.port, self._policy, self._resolver)


class _GuardedIMAP4TLS(tls.IMAP4_TLS):
    def __init__(self, host: str, port: int, policy: MailPolicy, resolver: Any) -> None:
        self._policy, self._resolver = policy, resolver
        super().__init__(host, port, policy.tls_context(), policy.timeout)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        sock = connect_checked(self.host, self.port, self._policy, self._resolver)
        try:
            context = self.ssl_context or self._policy.tls_context()
            return context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


class _GuardedIMAPClient(IMAPClient):
    """IMAPClient whose connection is made by the guarded classes above."""

    def __init__(
        self, host: str, port: int, implicit_tls: bool, policy: MailPolicy, resolver: Any
    ) -> None:
        self._mail_policy, self._mail_resolver = policy, resolver
        super().__init__(
            host,
            port=port,
            ssl=implicit_tls,
            ssl_context=policy.tls_context(),
            timeout=policy.timeout,
        )

    def _create_IMAP4(self) -> imaplib.IMAP4:
        if self.ssl:
            return _GuardedIMAP4TLS(self.host, self.port, self._mail_policy, self._mail_resolver)
        return _GuardedIMAP4(self.host, self.port, self._mail_policy, self._mail_resolver)


def open_imap(
    host: str,
    port: int,
    implicit_tls: bool,
    username: str,
    password: str | Callable[[], str],
    policy: MailPolicy,
    resolver: SyncResolver | None = None,
) -> IMAPClient:
    """A logged-in IMAP client: implicit TLS, else STARTTLS (plain only with allow_plaintext)."""
    check_endpoint(host, port, policy)
    secret = _secret(password)
    client: IMAPClient | None = None
    try:
        with plain_errors(host, port, "IMAP"):
            client = _GuardedIMAPClient(host, port, implicit_tls, policy, resolver)
            if not implicit_tls:
                if b"STARTTLS" in client.capabilities():
                    client.starttls(policy.tls_context())
                else:
                    _refuse_plaintext(policy, "an IMAP login")
            client.login(username, secret)
    except BaseException:
        if client is not None:
            with contextlib.suppress(Exception):
                client.shutdown()
        raise
    return client
