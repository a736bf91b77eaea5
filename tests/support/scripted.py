"""A scripted TCP server on 127.0.0.1: a banner, canned answers, and every byte it received.

It stands for an internal service a mailbox might be pointed at (an SSH daemon's banner,
a database's greeting), or for a mail server that offers no TLS, so that tests can check
what the app connected to, what it sent (a password?) and what it showed back.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

from tests.support.smtp import free_port

Answer = Callable[[bytes], bytes | None]
"""Given one received line, the bytes to send back (None: close the connection)."""


def silent(_line: bytes) -> bytes:
    """Answer nothing (and keep the connection open)."""
    return b""


class ScriptedServer:
    """Accepts connections, sends ``banner``, answers each line with ``answer``."""

    def __init__(self, banner: bytes, answer: Answer = silent) -> None:
        self.banner, self.answer = banner, answer
        self.port = free_port()
        self.connections = 0
        self.received = bytearray()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _addr = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._talk, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _talk(self, conn: socket.socket) -> None:
        conn.settimeout(0.2)
        with conn:
            try:
                if self.banner:
                    conn.sendall(self.banner)
                pending = b""
                while not self._stop.is_set():
                    try:
                        chunk = conn.recv(4096)
                    except TimeoutError:
                        continue
                    if not chunk:
                        return
                    self.received += chunk
                    pending += chunk
                    while b"\n" in pending:
                        line, pending = pending.split(b"\n", 1)
                        reply = self.answer(line + b"\n")
                        if reply is None:
                            return
                        if reply:
                            conn.sendall(reply)
            except OSError:
                return
