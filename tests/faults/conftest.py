"""Fixtures of the fault tests: real worker processes and a Redis of the test's own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.support.outage import RedisServer
from tests.support.workers import Workers, worker_env

LaunchWorkers = Callable[..., Workers]


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
