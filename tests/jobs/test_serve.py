"""``flask serve`` (what ``make run`` starts): web and worker together on the embedded defaults."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue

from tests.jobs.sample_jobs import write_note

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "outreach", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


@pytest.mark.parametrize("stop", ["ctrl-c", "sigterm"])
def test_serve_starts_gunicorn_and_a_worker_on_sqlite_and_embedded_redis_and_stops_clean(
    tmp_path: Path, stop: str
) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")
    }
    env.update(OUTREACH_INSTANCE_PATH=str(tmp_path), PYTHONPATH=str(ROOT))
    _flask(env, "db", "upgrade")
    assert "ready" in _flask(env, "seed-demo", "--if-empty").stdout
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "outreach", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives it
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as page:
                    assert page.status == 200 and b'name="email"' in page.read()
                    # the production server, not werkzeug's development one
                    assert page.headers["Server"] == "gunicorn", page.headers["Server"]
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "the web server did not answer in 60 s"
                time.sleep(0.3)
        socket_path = tmp_path / "redis.sock"
        assert socket_path.exists(), "the embedded Redis lives in the instance folder"
        queue = Queue("outreach", connection=Redis(unix_socket_path=str(socket_path)))
        job = queue.enqueue(write_note, 1, "from the serve test")
        deadline = time.monotonic() + 60
        while job.get_status(refresh=True) not in ("finished", "failed"):
            assert time.monotonic() < deadline, "the worker did not run the job in 60 s"
            time.sleep(0.3)
        assert job.get_status() == "finished", job.latest_result()
    finally:
        if stop == "ctrl-c":  # a terminal sends SIGINT to the whole foreground group
            os.killpg(server.pid, signal.SIGINT)
        else:  # a process manager signals the main process only
            server.terminate()
        server.wait(timeout=30)
        output = server.stdout.read() if server.stdout else ""
        if server.stdout:
            server.stdout.close()
    assert server.returncode == 0, output
    assert not _group_alive(server.pid), "gunicorn, the worker and Redis all stopped"
    leftovers = subprocess.run(
        ["pgrep", "-f", f"unixsocket:{socket_path}|OUTREACH_INSTANCE_PATH={tmp_path}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert _alive(socket_path) is False, "the embedded Redis stops with serve"
    assert not leftovers


def _group_alive(pgid: int) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.2)
    return True


def _alive(socket_path: Path) -> bool:
    try:
        return bool(Redis(unix_socket_path=str(socket_path), socket_connect_timeout=1).ping())
    except Exception:
        return False
