"""Real ``flask worker`` processes for a test: started on its database and Redis, killed, restarted.

``kill`` ends a job mid-way as a crashed machine would: SIGKILL to the worker and to the
work horse it forked, at once, so nothing of the job runs after it, no ``finally`` block, no
failure callback. The horse must be found and killed by its own id: RQ puts it in a process
group of its own (``setpgrp``), so killing the worker's group leaves it running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flask import Flask

from tests.support.smtp import LOCAL_MAIL

ROOT = Path(__file__).resolve().parents[2]
YEARLY = "0 0 1 1 *"  # recurring jobs stay out of the way unless a test asks for them
T = TypeVar("T")


def worker_env(
    app: Flask,
    folder: Path,
    *,
    database_url: str | None = None,
    redis_url: str | None = None,
    **settings: str,
) -> dict[str, str]:
    """The environment of a production worker on the test app's database and Redis.

    ``settings`` are extra ``OUTREACH_*`` variables (a proxy, a fetch timeout...).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")}
    env.update(
        DATABASE_URL=database_url or str(app.config["SQLALCHEMY_DATABASE_URI"]),
        REDIS_URL=redis_url or str(app.config["REDIS_URL"]),
        SECRET_KEY=str(app.config["SECRET_KEY"]),
        OUTREACH_QUEUE=str(app.config["OUTREACH_QUEUE"]),
        OUTREACH_INSTANCE_PATH=str(folder / "worker-instance"),
        OUTREACH_BASE_URL="https://localhost",  # a production worker: https only (RFC 8058)
        OUTREACH_OUTBOX_SCHEDULE=YEARLY,
        OUTREACH_MAILBOX_POLL_SCHEDULE=YEARLY,
        OUTREACH_LINK_SWEEP_SCHEDULE=YEARLY,
        OUTREACH_UPLOAD_SWEEP_SCHEDULE=YEARLY,
        PYTHONPATH=str(ROOT),
        **LOCAL_MAIL,
    )
    env.update(settings)
    return env


def descendants(pid: int) -> list[int]:
    """The ids of every living process started by ``pid``, its children's children too."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rpartition(")")[2].split()
            parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


class Workers:
    """``flask worker`` processes (what ``flask serve`` runs), with their output kept in logs."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env, self.folder = env, folder
        self.started: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str = "worker") -> subprocess.Popen[bytes]:
        """Start one worker (RQ's scheduler left out: the test drives time itself)."""
        command = [sys.executable, "-m", "flask", "--app", "outreach", "worker"]
        with (self.folder / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                [*command, "--without-scheduler"],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, with its work horse
            )
        self.started[name] = process
        return process

    def kill(self, name: str = "worker") -> None:
        """SIGKILL a worker and every process it started (its work horse), and reap it."""
        process = self.started[name]
        doomed = [process.pid, *descendants(process.pid)]
        for pid in doomed:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in doomed[1:]):
            assert time.monotonic() < deadline, f"processes {doomed} outlived SIGKILL"
            time.sleep(0.05)

    def logs(self) -> str:
        """The tail of each worker's output, for failure messages."""
        return "\n".join(
            f"--- {name}:\n{(self.folder / f'{name}.log').read_text(errors='replace')[-3000:]}"
            for name in self.started
        )

    def wait(self, condition: Callable[[], T], seconds: float, what: str) -> T:
        """Poll ``condition`` until it is true; fail naming ``what``, with the logs."""
        deadline = time.monotonic() + seconds
        while not (result := condition()):
            assert time.monotonic() < deadline, f"no {what} in {seconds} s\n{self.logs()}"
            time.sleep(0.05)
        return result

    def stop_all(self) -> None:
        """SIGTERM every worker still running, then SIGKILL its group and its work horse.

        The horse has a process group of its own and may be waiting for a Redis that is gone
        (patiently, for ever): it is found now, while its worker is still its parent.
        """
        horses = [pid for process in self.started.values() for pid in descendants(process.pid)]
        for process in self.started.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 5
        for process in self.started.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            with contextlib.suppress(ProcessLookupError):  # a work horse left behind goes too
                os.killpg(process.pid, signal.SIGKILL)
            if process.poll() is None:
                process.wait(timeout=10)
        for pid in horses:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
