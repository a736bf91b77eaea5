"""The supervisor under ``flask serve``: real child processes killed, restarted and stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from outreach.jobs.supervisor import Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def _gone(pid: int, within: float = 10) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def _wait_for(supervisor: Supervisor, condition: object, within: float = 10) -> None:
    deadline = time.monotonic() + within
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        assert supervisor.check() is None
        time.sleep(0.02)


def test_a_child_that_dies_is_started_again_after_a_growing_capped_delay() -> None:
    lines: list[str] = []
    supervisor = Supervisor(
        os.environ, backoff=0.1, backoff_max=0.4, stable_after=60, log=lines.append
    )
    child = supervisor.add("sleeper", SLEEPER)
    try:
        pids = []
        for _ in range(4):
            assert child.process is not None
            pid = child.process.pid
            pids.append(pid)
            os.kill(pid, signal.SIGKILL)
            _wait_for(
                supervisor, lambda old=pid: child.process is not None and child.process.pid != old
            )
        assert len(set(pids)) == 4 and all(_gone(pid) for pid in pids)
        delays = [line.rsplit("restarting in ", 1)[1] for line in lines if "restarting" in line]
        assert delays == ["0.1 s", "0.2 s", "0.4 s", "0.4 s"]
        assert f"sleeper (pid {pids[0]}) died after 0 s: killed by SIGKILL" in lines[0]
        assert lines.count("sleeper: starting again") == 4
    finally:
        supervisor.stop()
    assert child.process is not None and _gone(child.process.pid)


def test_a_child_that_ran_a_while_before_dying_restarts_after_the_first_delay() -> None:
    supervisor = Supervisor(os.environ, backoff=0.1, backoff_max=5, stable_after=0.0)
    child = supervisor.add("sleeper", SLEEPER)
    child.failures = 5  # many quick deaths before, then a stable run
    try:
        assert child.process is not None
        child.process.kill()
        child.process.wait()
        supervisor.check()
        assert child.failures == 1 and supervisor.delay(child) == 0.1
    finally:
        supervisor.stop()


def test_what_a_dead_child_forked_dies_with_it(tmp_path: Path) -> None:
    note = tmp_path / "grandchild"
    script = (
        "import subprocess, sys, time; "
        f"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
        f"open({str(note)!r}, 'w').write(str(p.pid)); time.sleep(120)"
    )
    supervisor = Supervisor(os.environ, backoff=30)
    child = supervisor.add("parent", [sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 30
        while not note.exists() or not note.read_text():
            assert time.monotonic() < deadline, "the child did not fork"
            time.sleep(0.05)
        grandchild = int(note.read_text())
        assert child.process is not None
        child.process.kill()  # the child alone, as when a worker is killed mid-job
        _wait_for(supervisor, lambda: child.restart_at is not None)
        assert _gone(grandchild), "a work horse left by a dead worker is killed"
    finally:
        supervisor.stop()


def test_stop_ends_every_child() -> None:
    supervisor = Supervisor(os.environ)
    children = [supervisor.add(f"sleeper-{n}", SLEEPER) for n in range(3)]
    supervisor.stop(timeout=5)
    assert all(c.process is not None and c.process.returncode is not None for c in children)


def test_children_end_when_the_supervisor_is_killed(tmp_path: Path) -> None:
    script = (
        "import os, sys; from outreach.jobs.supervisor import Supervisor; "
        "s = Supervisor(os.environ); "
        f"c = s.add('sleeper', {SLEEPER!r}); print(c.process.pid, flush=True); s.run()"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.kill()  # SIGKILL: no handler, no cleanup, only the kernel's parent-death signal
    parent.wait()
    parent.stdout.close()
    assert _gone(child), "the child outlived its SIGKILLed supervisor"
