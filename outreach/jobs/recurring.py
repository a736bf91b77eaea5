"""Recurring work: each feature registers its job bodies here, RQ's cron scheduler runs them.

A feature marks a job body with :func:`recurring`, naming the setting that holds its cron
expression. ``outreach.cron`` (the config module of ``rq cron``) hands every registered entry
to RQ's cron scheduler, which enqueues each run on its own, whatever the previous run did.
This module imports no feature: features add themselves to it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from croniter import croniter  # type: ignore[import-untyped]

from outreach.jobs.queues import Lane

Body = TypeVar("Body", bound=Callable[[], Any])

OVERDUE_PERIODS = 3  # a job not successful for this many of its periods is reported


@dataclass(frozen=True)
class Recurring:
    """One piece of recurring work: a job body, and the setting holding its cron schedule."""

    name: str
    func: Callable[[], Any]
    schedule_setting: str
    description: str
    timeout: int
    lane: Lane = Lane.DEFAULT

    def schedule(self, config: Mapping[str, Any]) -> str:
        """The cron expression this entry runs on, from the app's settings."""
        expression = str(config[self.schedule_setting])
        if not croniter.is_valid(expression):
            raise ValueError(f"{self.schedule_setting}={expression!r} is not a cron expression")
        return expression


_registry: dict[str, Recurring] = {}


def recurring(
    name: str,
    *,
    schedule: str,
    description: str,
    timeout: int = 600,
    lane: Lane = Lane.DEFAULT,
) -> Callable[[Body], Body]:
    """Register the decorated job body (no arguments) to run on the cron ``schedule`` setting,
    on the queue of ``lane``."""

    def add(func: Body) -> Body:
        known = _registry.get(name)
        if known is not None and _qualified(known.func) != _qualified(func):
            raise ValueError(f"recurring job {name!r} is already {_qualified(known.func)}")
        _registry[name] = Recurring(name, func, schedule, description, timeout, lane)
        return func

    return add


def _qualified(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def registered() -> list[Recurring]:
    """Every registered entry, in registration order."""
    return list(_registry.values())


def get(name: str) -> Recurring:
    """The entry called ``name``; LookupError when no feature registered it."""
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"no recurring job is called {name!r}") from None


# RQ matches cron fields against local time; these helpers do the same, in and out in UTC.
def _local(moment: datetime) -> datetime:
    return moment.astimezone().replace(tzinfo=None)


def _utc(local: datetime) -> datetime:
    return datetime.fromtimestamp(local.timestamp(), UTC)


def slot_of(expression: str, moment: datetime) -> datetime:
    """The scheduled time a run enqueued at ``moment`` belongs to (the latest at or before it)."""
    base = _local(moment) + timedelta(microseconds=1)
    return _utc(croniter(expression, base).get_prev(datetime))


def period_of(expression: str, moment: datetime) -> timedelta:
    """The time between the two scheduled runs that follow ``moment``."""
    times = croniter(expression, _local(moment))
    first = times.get_next(datetime)
    second = times.get_next(datetime)
    return _utc(second) - _utc(first)
