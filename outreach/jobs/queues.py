"""The RQ queues, one per lane of work, so slow mail or web servers never hold up the rest.

* ``default`` (``OUTREACH_QUEUE``): imports, scoring, reports, sweeps: work on our own data,
  whose time depends on its size, never on a stranger's server;
* ``mail`` (``OUTREACH_MAIL_QUEUE``): mailbox polls and send batches, one short job per
  mailbox or workspace, every step bounded by ``OUTREACH_MAIL_TIMEOUT``;
* ``fetch`` (``OUTREACH_FETCH_QUEUE``): crawls, link verification, page fetches for scoring:
  outbound HTTP, in slices that go to the back of the queue between them.

A worker on several queues takes from the first non-empty one, in :class:`Lane` order.
``flask serve`` runs one worker per lane, so an import never waits behind a mailbox that
does not answer; in production run ``rq worker`` per queue on as many machines as needed.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Mapping
from typing import Any, TypeVar

from flask import Flask, current_app
from rq import Queue

from outreach.config import Settings
from outreach.jobs.connection import get_redis

T = TypeVar("T")
_GAP: Any = object()


class Lane(enum.StrEnum):
    """A kind of work with its own queue; the order is the priority of a worker on all."""

    DEFAULT = "default"
    MAIL = "mail"
    FETCH = "fetch"


def queue_name(config: Mapping[str, Any], lane: Lane = Lane.DEFAULT) -> str:
    """The name of a lane's queue, from the settings."""
    return Settings.from_config(config).queue_names()[lane.value]


def queue_names(config: Mapping[str, Any], lanes: list[Lane] | None = None) -> list[str]:
    """The queue names of ``lanes`` (default: all), in priority order."""
    names = Settings.from_config(config).queue_names()
    return [names[lane.value] for lane in Lane if lanes is None or lane in lanes]


def parse_lanes(values: tuple[str, ...] | list[str]) -> list[Lane]:
    """Lanes named on a command line (``mail``, ``fetch,default``); all when none is named."""
    words = [w.strip() for value in values for w in value.split(",") if w.strip()]
    if not words:
        return list(Lane)
    known = {lane.value: lane for lane in Lane}
    unknown = [w for w in words if w not in known]
    if unknown:
        raise ValueError(f"unknown lane {unknown[0]!r} (lanes: {', '.join(known)})")
    return [lane for lane in Lane if lane.value in words]


def get_queue(app: Flask | None = None, lane: Lane = Lane.DEFAULT) -> Queue:
    """The RQ queue of a lane."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    return Queue(queue_name(app.config, lane), connection=get_redis(app))


def round_robin(groups: Mapping[Any, list[T]]) -> list[T]:
    """The items of every group interleaved, one from each in turn: the order that lets no
    workspace's long list hold back another's short one (``{a: [1, 2, 3], b: [4]}`` gives
    ``[1, 4, 2, 3]``)."""
    lists = list(groups.values())
    return [
        item
        for column in itertools.zip_longest(*lists, fillvalue=_GAP)
        for item in column
        if item is not _GAP
    ]
