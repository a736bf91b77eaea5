"""Benchmark: how fast ``flask serve`` brings a killed worker back, and cleans up after itself.

Run: ``.venv/bin/python -m tests.bench.bench_supervision [--redis-url URL] [--rounds 3]``.

Starts ``flask serve`` (default settings: 1 s first restart delay, doubling) on a temporary
SQLite database and a Redis (``--redis-url``, else ``TEST_REDIS_URL``, else its own embedded
one; it is emptied),
SIGKILLs its default-queue worker ``--rounds`` times in a row and times each until a new worker
is registered and ``/healthz`` answers 200 again; then SIGKILLs ``serve`` itself and times
until every process it started is gone. Saves bench-results/supervision.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from redis import Redis
from rq import Queue, Worker

QUEUE = "bench-supervision"
ROOT = Path(__file__).resolve().parents[2]


def _pids(connection: Redis) -> set[int]:
    return {w.pid for w in Worker.all(queue=Queue(QUEUE, connection=connection)) if w.pid}


def _health(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as failing:
        return failing.code
    except OSError:
        return 0


def _descendants(pid: int) -> set[int]:
    try:
        kids = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return set()
    found = set(kids)
    for kid in kids:
        found |= _descendants(kid)
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def main() -> None:
    """Run the benchmark and print its numbers."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--redis-url", default=os.environ.get("TEST_REDIS_URL"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    redis_url = args.redis_url
    if not redis_url:  # this process's own Redis: serve is not its owner, so no orphan
        from outreach.jobs.connection import embedded_redis_url

        redis_url = embedded_redis_url(Path(tempfile.mkdtemp(prefix="outreach-redis-")))
    connection = Redis.from_url(redis_url)
    connection.flushdb()
    folder = Path(tempfile.mkdtemp(prefix="bench-supervision-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(OUTREACH_INSTANCE_PATH=str(folder), REDIS_URL=redis_url, OUTREACH_QUEUE=QUEUE)
    flask = [sys.executable, "-m", "flask", "--app", "outreach"]
    subprocess.run([*flask, "db", "upgrade"], env=env, capture_output=True, check=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    with (folder / "serve.log").open("wb") as log:
        serve = subprocess.Popen(
            [*flask, "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    result: dict[str, Any] = {"rounds": []}
    try:
        started = time.monotonic()
        while not _pids(connection) or _health(port) != 200:
            time.sleep(0.1)
        result["ready_seconds"] = round(time.monotonic() - started, 1)
        print(f"serve ready (workers registered, /healthz 200): {result['ready_seconds']} s")
        for round_ in range(1, args.rounds + 1):
            (first,) = _pids(connection)
            os.kill(first, signal.SIGKILL)
            killed = time.monotonic()
            while not (pids := _pids(connection)) or first in pids:
                time.sleep(0.05)
            back = time.monotonic() - killed
            while _health(port) != 200:
                time.sleep(0.1)
            green = time.monotonic() - killed
            result["rounds"].append({"new_worker": round(back, 1), "healthz_ok": round(green, 1)})
            print(f"round {round_}: new worker {back:.1f} s, /healthz 200 again {green:.1f} s")
        family = _descendants(serve.pid)
        serve.kill()
        serve.wait()
        killed = time.monotonic()
        while any(_alive(pid) for pid in family):
            time.sleep(0.05)
        gone = round(time.monotonic() - killed, 1)
        result.update(processes=len(family), all_gone_seconds=gone)
        print(f"serve SIGKILLed: its {len(family)} processes gone after {gone} s")
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
        connection.flushdb()
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "supervision.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
