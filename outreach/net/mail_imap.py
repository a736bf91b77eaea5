"""IMAP connections under the mail policy: to a checked address, TLS before the login."""

from __future__ import annotations

import contextlib
import imaplib
import socket
from collections.abc import Callable
from typing import Any

from imapclient import IMAPClient, imap4, tls

from outreach.net.mail import (
    MailPolicy,
    SyncResolver,
    check_endpoint,
    connect_checked,
    plain_errors,
    read_secret,
    refuse_plaintext,
)


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
    secret = read_secret(password)
    client: IMAPClient | None = None
    try:
        with plain_errors(host, port, "IMAP"):
            client = _GuardedIMAPClient(host, port, implicit_tls, policy, resolver)
            if not implicit_tls:
                if b"STARTTLS" in client.capabilities():
                    client.starttls(policy.tls_context())
                else:
                    refuse_plaintext(policy, "an IMAP login")
            client.login(username, secret)
    except BaseException:
        if client is not None:
            with contextlib.suppress(Exception):
                client.shutdown()
        raise
    return client
