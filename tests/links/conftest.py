"""A simulated web for link checks: a forward proxy serving editable pages for any host."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from redis import Redis

from outreach.jobs.queues import queue_names
from outreach.jobs.worker import OutreachWorker
from tests.support.simweb import Reply, SimWeb, run_simweb

PAGES = Path(__file__).parent / "pages"
CC = "de.creativecommons.org.endlich.html"
TARGET = "https://ours.example/guide"
LINK = b'<a href="https://ours.example/guide">the guide</a>'
HTML = {"Content-Type": "text/html; charset=utf-8"}


def load(name: str = CC) -> bytes:
    """A saved real page."""
    return (PAGES / name).read_bytes()


def plant(html: bytes, link: bytes = LINK, after: bytes = b'<div class="entry-content">') -> bytes:
    """``html`` with ``link`` inserted right after the first ``after``."""
    position = html.index(after) + len(after)
    return html[:position] + link + html[position:]


def cc_page(link: bytes = LINK, after: bytes = b'<div class="entry-content">') -> bytes:
    """The Creative Commons post with a link planted (in its article body by default)."""
    return plant(load(), link, after)


@dataclass
class Web:
    """Pages served for ``(host, path)``; change them between checks."""

    server: SimWeb
    pages: dict[tuple[str, str], Reply] = field(default_factory=dict)

    def serve(self, url: str, reply: Reply | bytes) -> str:
        """Serve ``reply`` (or an HTML body) at ``url``; returns the URL."""
        host, _, path = url.split("://", 1)[1].partition("/")
        self.pages[(host, "/" + path)] = (200, HTML, reply) if isinstance(reply, bytes) else reply
        return url


@pytest.fixture
def web() -> Iterator[Web]:
    """A forward proxy answering from ``web.pages`` (404 elsewhere)."""
    pages: dict[tuple[str, str], Reply] = {}

    def handle(host: str, path: str) -> Reply:
        return pages.get((host, path), (404, HTML, b"<h1>Not found</h1>"))

    with run_simweb(handle) as server:
        yield Web(server, pages)


@pytest.fixture
def web_app(app: Flask, web: Web) -> Flask:
    """The app fetching through the simulated web, without politeness delays."""
    app.config.update(
        OUTREACH_HTTP_PROXY=web.server.proxy_url,
        OUTREACH_PER_HOST_DELAY=0.0,
        OUTREACH_FETCH_TIMEOUT=10.0,
        OUTREACH_RENDER_JS=False,
        OUTREACH_ALERT_SMTP_URL=None,
    )
    return app


def work(app: Flask, redis_url: str) -> None:
    """Run every queued job in a forking worker until the queue is empty."""
    OutreachWorker(queue_names(app.config), connection=Redis.from_url(redis_url), app=app).work(
        burst=True
    )
