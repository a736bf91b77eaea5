"""Fixtures of the fault tests: real worker processes and a Redis of the test's own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.support.outage import RedisServer
from tests.support.simweb import Reply, Response, SimWeb, run_simweb
from tests.support.smtp import SmtpServer
from tests.support.workers import Workers, worker_env

LaunchWorkers = Callable[..., Workers]
HTML = {"Content-Type": "text/html; charset=utf-8"}
PAGES = 30  # of the slow site, each answered after SLOW seconds
SLOW = 0.3


@pytest.fixture
def launch_workers(app: Flask, tmp_path: Path) -> Iterator[LaunchWorkers]:
    """Make :class:`Workers` for the test app (keyword arguments: see ``worker_env``)."""
    made: list[Workers] = []

    def make(**options: str) -> Workers:
        made.append(Workers(worker_env(app, tmp_path, **options), tmp_path))
        return made[-1]

    yield make
    for workers in made:
        workers.stop_all()


@pytest.fixture
def private_redis(app: Flask, tmp_path: Path) -> Iterator[RedisServer]:
    """A persistent Redis of this test's own, which it may stop (never the shared one).

    The app uses it from the start: set before any request builds a Redis client.
    """
    server = RedisServer(tmp_path, persistent=True).start()
    app.config["REDIS_URL"] = server.url
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A local SMTP server that records every message it accepts."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def web() -> Iterator[tuple[SimWeb, dict[str, float]]]:
    """A forward proxy for any host: a slow site to crawl, and pages holding a link to us.

    ``delays`` maps a host to how long its pages take (a host can be made to hang).
    """
    delays: dict[str, float] = {"slow.example": SLOW}

    def handle(host: str, path: str) -> Reply:
        delay = delays.get(host, 0.0)
        if path == "/robots.txt":
            return (404, HTML, b"")
        if host == "slow.example" and path == "/":
            items = "".join(f'<a href="/p/{n}">page {n}</a> ' for n in range(PAGES))
            return Response(200, HTML, f"<html><body><p>{items}</p></body></html>".encode())
        body = (
            f"<html><head><title>{host}{path}</title></head><body><article><p>Notes on "
            '<a href="https://rival-one.com/guide">a guide</a> and '
            '<a href="https://ours.example/guide">ours</a>.</p></article></body></html>'
        )
        return Response(200, HTML, body.encode(), delay=delay)

    with run_simweb(handle) as server:
        yield server, delays
