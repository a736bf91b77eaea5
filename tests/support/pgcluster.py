"""A private PostgreSQL cluster for a test: ``initdb`` in a temporary folder, a free port, restarts.

Debian's server binaries (``/usr/lib/postgresql/<version>/bin``) are used; PostgreSQL refuses
to run as root, so as root the cluster belongs to the ``postgres`` user and every command
runs through ``runuser``. :func:`cluster_or_skip` says why when this machine cannot do it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.smtp import free_port


def server_binaries() -> Path | None:
    """The newest installed PostgreSQL server's ``bin`` folder, or None."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


class PostgresCluster:
    """One cluster: ``start``, ``stop`` (fast shutdown: sessions are cut), ``restart``."""

    def __init__(self, binaries: Path, folder: Path, owner: str | None) -> None:
        self.binaries, self.folder, self.owner = binaries, folder, owner
        self.data = folder / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.binaries / tool), *args]
        if self.owner:
            command = ["runuser", "-u", self.owner, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

    def init(self) -> str | None:
        """Create the cluster; the reason it could not be created, or None."""
        done = self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync"
        )
        return None if done.returncode == 0 else (done.stderr or done.stdout).strip()[-500:]

    def start(self) -> None:
        """Start the server on 127.0.0.1 and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        done = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-o", options, "-w",
            "start",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr + self.log()

    def stop(self) -> None:
        """Fast shutdown: open sessions are terminated, as in a real restart."""
        done = self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        assert done.returncode == 0, done.stderr + self.log()

    def log(self) -> str:
        """The server's log."""
        path = self.folder / "log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@contextmanager
def cluster_or_skip() -> Iterator[PostgresCluster]:
    """A started private cluster, stopped and removed afterwards; skips saying why it cannot."""
    binaries = server_binaries()
    if binaries is None:
        pytest.skip("PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed")
    owner = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a postgres user to own a private cluster")
        owner = "postgres"
    folder = Path(tempfile.mkdtemp(prefix="outreach-pg-"))  # not under root's private tmp
    try:
        if owner:
            shutil.chown(folder, owner, owner)
        cluster = PostgresCluster(binaries, folder, owner)
        reason = cluster.init()
        if reason is not None:
            pytest.skip(f"initdb could not create a private cluster: {reason}")
        cluster.start()
        try:
            yield cluster
        finally:
            cluster._run("pg_ctl", "-D", str(cluster.data), "-m", "immediate", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
