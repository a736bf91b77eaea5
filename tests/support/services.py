"""The services of one test process: under pytest-xdist each worker gets databases of its own.

Without xdist the tests use ``TEST_DATABASE_URL`` and ``TEST_REDIS_URL`` as given. Worker
``gwN`` uses the database ``<name>_gwN`` on the same PostgreSQL server (created through the
``postgres`` maintenance database when missing). Worker ``gw0`` uses ``TEST_REDIS_URL``; the
others a private ``redis-server`` each: tests flush their Redis, never another worker's.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from outreach.config import database_url


def xdist_worker() -> str | None:
    """This process's pytest-xdist worker id (``gw0``, ``gw1``...), or None without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER") or None


def shares_configured_redis() -> bool:
    """Whether this process uses ``TEST_REDIS_URL`` itself (only one process may: it flushes)."""
    return xdist_worker() in (None, "gw0")


@cache
def worker_postgres_url(raw: str) -> str:
    """``raw`` (a ``TEST_DATABASE_URL``) for this worker: its own database, created if missing."""
    worker = xdist_worker()
    if worker is None:
        return raw
    url = make_url(raw)
    name = f"{url.database}_{worker}"
    maintenance = create_engine(
        database_url(url.set(database="postgres").render_as_string(hide_password=False), Path()),
        isolation_level="AUTOCOMMIT",
    )
    with maintenance.connect() as conn:
        # Workers start together: one CREATE DATABASE at a time (each copies template1).
        conn.execute(text("SELECT pg_advisory_lock(hashtext('outreach-test-databases'))"))
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if found.first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        conn.execute(text("SELECT pg_advisory_unlock(hashtext('outreach-test-databases'))"))
    maintenance.dispose()
    return url.set(database=name).render_as_string(hide_password=False)
