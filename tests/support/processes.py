"""Long-running commands started by tests, each in its own process group, stopped whole."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path


class Processes:
    """Long-running commands, each in its own process group so it is stopped whole."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env
        self.started: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self, command: str, name: str) -> subprocess.Popen[bytes]:
        """Run one README line through bash, its output kept in a log file."""
        log = self.folder.parent / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                ["bash", "-c", f"exec {command}"],
                cwd=self.folder,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append((process, log))
        return process

    def logs(self) -> str:
        """Everything the started processes printed (for failure messages)."""
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')}" for _, log in self.started
        )

    def stop_all(self) -> None:
        """SIGTERM each process group, then make sure no process of any group is left."""
        for process, _ in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, _ in self.started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        deadline = time.monotonic() + 15
        left = [p.pid for p, _ in self.started if _group_alive(p.pid)]
        while left and time.monotonic() < deadline:
            time.sleep(0.2)
            left = [p.pid for p, _ in self.started if _group_alive(p.pid)]
        for pgid in left:
            os.killpg(pgid, signal.SIGKILL)
        assert not left, f"processes left running in groups {left}"


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
