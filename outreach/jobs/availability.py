"""Whether a job can be started now: the job queue (Redis) must answer."""

from __future__ import annotations

from flask import Flask
from redis.exceptions import RedisError as RedisError

from outreach.jobs.connection import get_redis


class JobsUnavailable(Exception):
    """The job queue (Redis) does not answer, so no job can be started now."""

    def __init__(self) -> None:
        super().__init__(
            "Background jobs are unavailable right now (the job queue is not answering), "
            "so nothing was started. Try again in a minute."
        )


def require_queue(app: Flask) -> None:
    """Raise :class:`JobsUnavailable` unless Redis answers, before anything is written."""
    try:
        get_redis(app).ping()
    except RedisError as exc:
        raise JobsUnavailable() from exc
