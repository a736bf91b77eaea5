"""PostgreSQL restarted under load: gunicorn serves signed-in pages from a cluster of the test's
own while four clients keep asking; the cluster is stopped (fast shutdown) and started again.

Only the requests in flight while it is down may fail; from the moment it is back every
request succeeds. Then the cluster restarts again while the clients pause, as a nightly
restart finds an idle site: the pooled connections all died with the old server, and the
first requests after it must not meet them (``pool_pre_ping``), so none fails.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from outreach import create_app
from outreach.config import database_url
from outreach.extensions import db
from tests.factories import Factory
from tests.support.pgcluster import PostgresCluster, cluster_or_skip
from tests.support.processes import Processes
from tests.support.smtp import free_port

pytestmark = pytest.mark.faults
SECRET = "a-secret-key-long-enough-for-a-production-server"
CLIENTS = 4


@dataclass(frozen=True)
class Hit:
    """One request: when it started and ended (monotonic), and its status (0: no answer)."""

    started: float
    ended: float
    status: int


@pytest.fixture
def cluster() -> Iterator[PostgresCluster]:
    """A private PostgreSQL cluster (skips with the reason where none can be made)."""
    with cluster_or_skip() as made:
        yield made


def _seed(url: str, redis_url: str, folder: Path) -> int:
    """The schema, a user with a workspace and a campaign; returns the campaign id."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_url, "INSTANCE_PATH": folder}
        | {"TESTING": True, "SECRET_KEY": SECRET}
    )
    with app.app_context():
        db.create_all()
        factory = Factory(app)
        _, workspace = factory.user_with_workspace("o@example.com", "Acme")
        campaign_id = factory.campaign(workspace).id
        db.engine.dispose()
    return campaign_id


def _signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=10)
    deadline = time.monotonic() + 60
    while True:
        try:
            page = client.get("/login")
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, "gunicorn did not answer in 60 s"
            time.sleep(0.2)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert token, page.text
    form = {"email": "o@example.com", "password": Factory.PASSWORD, "csrf_token": token[1]}
    assert client.post("/login", data=form).status_code == 302
    return client


class Load:
    """Clients asking for pages in a loop, each in its thread, until stopped; pausable."""

    def __init__(self, clients: list[httpx.Client], paths: list[str]) -> None:
        self.paths, self.hits = paths, list[Hit]()
        self.stopped, self.running = threading.Event(), threading.Event()
        self.idle = [threading.Event() for _ in clients]
        self.running.set()
        self.threads = [
            threading.Thread(target=self._ask, args=(client, idle), daemon=True)
            for client, idle in zip(clients, self.idle, strict=True)
        ]
        for thread in self.threads:
            thread.start()

    def _ask(self, client: httpx.Client, idle: threading.Event) -> None:
        n = 0
        while not self.stopped.is_set():
            if not self.running.is_set():
                idle.set()
                self.running.wait(timeout=0.1)
                continue
            idle.clear()
            started = time.monotonic()
            try:
                status = client.get(self.paths[n % len(self.paths)]).status_code
            except httpx.TransportError:
                status = 0
            self.hits.append(Hit(started, time.monotonic(), status))
            n += 1

    def pause(self) -> None:
        """Let the requests in flight end, and ask nothing more until ``resume``."""
        self.running.clear()
        for idle in self.idle:
            assert idle.wait(timeout=15)

    def resume(self) -> None:
        """Ask again."""
        self.running.set()

    def stop(self) -> None:
        """Stop every client."""
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=15)


def _between(hits: list[Hit], start: float, end: float) -> list[Hit]:
    return [hit for hit in hits if hit.started > start and hit.ended < end]


def test_the_app_reconnects_after_a_postgresql_restart_without_a_run_of_500s(
    cluster: PostgresCluster, redis_url: str, tmp_path: Path
) -> None:
    url = database_url(cluster.url, tmp_path)
    campaign_id = _seed(url, redis_url, tmp_path / "seed")
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": SECRET,
        "OUTREACH_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    (tmp_path / "run").mkdir()
    processes = Processes(tmp_path / "run", env)
    gunicorn = f"{sys.executable} -m gunicorn --bind 127.0.0.1:{port} --workers 1 --threads 4"
    processes.start(f"{gunicorn} --no-control-socket outreach.wsgi:app", "gunicorn")
    try:
        base = f"http://127.0.0.1:{port}"
        first = _signed_in(base)
        clients = [first] + [
            httpx.Client(base_url=base, timeout=10, cookies=first.cookies)
            for _ in range(CLIENTS - 1)
        ]
        paths = ["/", f"/campaigns/{campaign_id}", f"/campaigns/{campaign_id}/prospects"]
        load = Load(clients, paths)
        time.sleep(1)  # every server thread has a pooled connection by now
        down = time.monotonic()
        cluster.stop()
        time.sleep(0.5)
        cluster.start()
        back = time.monotonic()
        time.sleep(1)
        load.pause()
        quiet = time.monotonic()
        cluster.stop()
        cluster.start()
        load.resume()
        time.sleep(1)
        load.stop()
    finally:
        processes.stop_all()
    log = processes.logs()[-3000:]
    hits = load.hits
    before, after_load = _between(hits, 0, down), _between(hits, back, quiet)
    after_quiet = _between(hits, quiet, time.monotonic())
    failed = [hit for hit in hits if hit.status != 200]
    assert before and all(hit.status == 200 for hit in before), log
    assert all(hit.started < back and hit.ended > down for hit in failed), (
        "only requests in flight while PostgreSQL is down fail, none after a restart",
        [(round(h.started - back, 3), h.status) for h in failed if h.started >= back],
        log,
    )
    assert len(after_load) >= 10, "the clients kept asking after the restart under load"
    assert len(after_quiet) >= 10, "the clients asked again after the quiet restart"
