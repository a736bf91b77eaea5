"""Fixtures of the pitch tests: real SMTP servers (plain, and STARTTLS with AUTH), Dovecot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pipeline.conftest import browser, live_url, page  # noqa: F401  (fixtures)
from tests.support.imap import dovecot  # noqa: F401  (fixture)
from tests.support.smtp import SmtpServer


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A plain SMTP server on 127.0.0.1."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def tls_smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    """An SMTP server that requires STARTTLS (self-signed certificate) and AUTH."""
    server = SmtpServer(tmp_path, tls=True).start()
    yield server
    server.stop()
