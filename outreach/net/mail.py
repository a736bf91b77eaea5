"""The mail policy: the address, port and TLS rules of every SMTP and IMAP connection.

Every mail connection the app opens (sending, reply polling, link alerts) goes through
:func:`outreach.net.mail_smtp.open_smtp` or :func:`outreach.net.mail_imap.open_imap`, which
use the checks and error wording of this module:

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


def refuse_plaintext(policy: MailPolicy, what: str) -> None:
    """Refuse ``what`` without TLS unless the policy allows plaintext (local testing)."""
    if not policy.allow_plaintext:
        raise MailRefused(
            f"refused: {what} without TLS is not allowed; use STARTTLS or TLS"
            " (OUTREACH_MAIL_ALLOW_PLAINTEXT allows it for local testing)"
        )


def read_secret(password: str | Callable[[], str]) -> str:
    """The password (decrypted before connecting, so its errors are never a server's)."""
    secret = password() if callable(password) else password
    if not secret:
        raise MailRefused("the mailbox has no password: enter it on the mailbox page")
    return secret
