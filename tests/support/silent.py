"""A server that accepts TCP connections and never says a word: the mail server that hangs."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator


class SilentServer:
    """Listens on 127.0.0.1, accepts every connection and keeps it open without greeting."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port: int = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(connection)

    @property
    def connections(self) -> int:
        """How many connections it has accepted so far."""
        return len(self.accepted)

    def close(self) -> None:
        """Stop listening and drop every connection."""
        self._stop.set()
        self._thread.join(timeout=5)
        for connection in [self.listener, *self.accepted]:
            with contextlib.suppress(OSError):
                connection.close()


@contextlib.contextmanager
def silent_server() -> Iterator[SilentServer]:
    """A :class:`SilentServer` for the length of the block."""
    server = SilentServer()
    server._thread.start()
    try:
        yield server
    finally:
        server.close()
