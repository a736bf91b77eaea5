"""``flask serve`` keeps its worker and scheduler alive; a SIGKILLed serve leaves no child."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from redis import Redis
from rq import Queue, Worker
from rq.cron import CronScheduler

from tests.jobs.sample_jobs import process_id

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "serve-supervision"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _until(condition: Callable[[], Any], what: str, within: float = 60) -> Any:
    deadline = time.monotonic() + within
    while True:
        found = condition()
        if found:
            return found
        assert time.monotonic() < deadline, f"{what} within {within:.0f} s"
        time.sleep(0.2)


def _worker_pids(connection: Redis) -> set[int]:
    return {w.pid for w in Worker.all(queue=Queue(QUEUE, connection=connection)) if w.pid}


def _scheduler_pids(connection: Redis) -> set[int]:
    return {s.pid for s in CronScheduler.all(connection) if s.pid and _alive(s.pid)}


def _health(port: int) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as failing:
        return failing.code, json.loads(failing.read())
    except OSError:
        return 0, {}


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return found
    for child in map(int, children):
        found |= {child, *_descendants(child)}
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_serve_restarts_a_killed_worker_and_scheduler_and_dies_whole_when_killed(
    redis_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(
        OUTREACH_INSTANCE_PATH=str(tmp_path),
        PYTHONPATH=str(ROOT),
        REDIS_URL=redis_url,  # not the embedded Redis: it would outlive a SIGKILLed serve
        OUTREACH_QUEUE=QUEUE,
        OUTREACH_RESTART_BACKOFF="0.2",
        OUTREACH_WORKER_HEARTBEAT="1",
    )
    flask = [sys.executable, "-m", "flask", "--app", "outreach"]
    subprocess.run([*flask, "db", "upgrade"], env=env, capture_output=True, check=True)
    port = _free_port()
    log = tmp_path / "serve.log"
    connection = Redis.from_url(redis_url)
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*flask, "serve", "--port", str(port), "--threads", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    family: set[int] = set()
    try:
        (first,) = _until(lambda: _worker_pids(connection), "a worker registered")
        _, body = _until(lambda: _health(port)[0] == 200 and _health(port), "healthz ok")
        assert [w["name"] for w in body["workers"]] and len(body["schedulers"]) == 1

        (cron,) = _scheduler_pids(connection)
        os.kill(first, signal.SIGKILL)
        os.kill(cron, signal.SIGKILL)
        (second,) = _until(
            lambda: (pids := _worker_pids(connection)) and first not in pids and pids,
            "a new worker, and the killed one forgotten",
        )
        _until(lambda: _scheduler_pids(connection) - {cron}, "a new cron scheduler")
        job = Queue(QUEUE, connection=connection).enqueue(process_id)
        _until(lambda: job.get_status(refresh=True) == "finished", "the job ran")
        _, body = _until(lambda: _health(port)[0] == 200 and _health(port), "healthz ok")
        assert body["workers"] and not any(w["stale"] for w in body["workers"])
        output = log.read_text()
        assert f"(pid {first}) died after" in output, output
        assert f"scheduler (pid {cron}) died after" in output, output
        assert "killed by SIGKILL; restarting in 0.2 s" in output, output

        family = _descendants(server.pid)
        assert second in family and len(family) >= 4  # web (+ its worker), worker, scheduler
        server.kill()  # SIGKILL: serve cannot clean up; the kernel tells each child
        server.wait(timeout=10)
        _until(lambda: not any(_alive(pid) for pid in family), "every child stopped", within=20)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        for pid in family | _descendants(server.pid):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        for key in connection.keys("rq:*"):
            connection.delete(key)
