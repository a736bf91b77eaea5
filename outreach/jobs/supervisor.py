"""Keeping ``flask serve``'s processes alive: restart with backoff, stop them all together.

Each child runs in its own process group, so stopping it (or cleaning up after it died)
reaches what it forked too: a worker's work horse, gunicorn's workers. On Linux each child
is also told to end when ``serve`` dies (``PR_SET_PDEATHSIG``), so even a SIGKILLed
``serve`` leaves no worker or scheduler behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def die_with_parent(signum: int = signal.SIGTERM) -> None:
    """Have the kernel send ``signum`` to this process when its parent dies (Linux only)."""
    if _LIBC is None:
        return
    parent = os.getppid()
    _LIBC.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request was in place
        os.kill(os.getpid(), signum)


def describe_exit(status: int) -> str:
    """``exit status 1`` or ``killed by SIGKILL``, from a ``Popen.returncode``."""
    if status < 0:
        try:
            return f"killed by {signal.Signals(-status).name}"
        except ValueError:
            return f"killed by signal {-status}"
    return f"exit status {status}"


@dataclass
class Child:
    """One supervised command, and the state of its restarts."""

    name: str
    command: list[str]
    restart: bool = True  # False: its exit ends the supervisor (the web server)
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0  # deaths in a row, each after a short run
    restart_at: float | None = None


class Supervisor:
    """Start children, restart the ones that die (exponential backoff, capped), stop all."""

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        backoff: float = 1.0,
        backoff_max: float = 60.0,
        stable_after: float = 60.0,
        log: Callable[[str], None] = print,
    ) -> None:
        self.env = dict(env)
        self.backoff, self.backoff_max, self.stable_after = backoff, backoff_max, stable_after
        self.log = log
        self.children: list[Child] = []

    def add(self, name: str, command: list[str], *, restart: bool = True) -> Child:
        """Register a child and start it."""
        child = Child(name, command, restart)
        self.children.append(child)
        self._start(child)
        return child

    def _start(self, child: Child) -> None:
        child.process = subprocess.Popen(
            child.command,
            env=self.env,
            process_group=0,  # its own group: a terminal's Ctrl-C reaches serve alone
            preexec_fn=die_with_parent,
        )
        child.started_at, child.restart_at = time.monotonic(), None

    def delay(self, child: Child) -> float:
        """Seconds before the next start of a child that died ``child.failures`` times in a row."""
        return float(min(self.backoff * 2 ** max(child.failures - 1, 0), self.backoff_max))

    def check(self) -> int | None:
        """Restart what died and is due; the exit status of a non-restarting child that ended."""
        now = time.monotonic()
        for child in self.children:
            process = child.process
            if child.restart_at is not None:
                if now >= child.restart_at:
                    self.log(f"{child.name}: starting again")
                    self._start(child)
                continue
            if process is None or process.poll() is None:
                continue
            status = process.returncode
            _signal_group(process.pid, signal.SIGKILL)  # what it forked dies with it
            if not child.restart:
                self.log(f"{child.name} (pid {process.pid}) stopped: {describe_exit(status)}")
                return status
            ran = now - child.started_at
            child.failures = 1 if ran >= self.stable_after else child.failures + 1
            wait = self.delay(child)
            child.restart_at = now + wait
            self.log(
                f"{child.name} (pid {process.pid}) died after {ran:.0f} s: "
                f"{describe_exit(status)}; restarting in {wait:g} s"
            )
        return None

    def run(self, interval: float = 0.2) -> int:
        """Watch the children until a non-restarting one ends; returns its exit status."""
        while True:
            status = self.check()
            if status is not None:
                return status
            time.sleep(interval)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM every child's group, then SIGKILL what is left after ``timeout`` seconds."""
        running = [c.process for c in self.children if c.process is not None]
        for process in running:
            _signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)
