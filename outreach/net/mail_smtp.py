"""SMTP connections under the mail policy: to a checked address, TLS before any password."""

from __future__ import annotations

import contextlib
import smtplib
import socket
from collections.abc import Callable

from outreach.net.mail import (
    MailPolicy,
    MailRefused,
    SyncResolver,
    check_endpoint,
    connect_checked,
    plain_errors,
    read_secret,
    refuse_plaintext,
)


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
        refuse_plaintext(policy, "an SMTP connection")
    check_endpoint(host, port, policy)
    secret = read_secret(password) if username else ""
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
