"""Turning a batch of records, given column by column, into LinkRow and RowError values.

Each column goes through its converter with C-level ``map`` calls over memoised look-ups,
so the Python work per row is little more than building the LinkRow itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import is_not, itemgetter, or_
from typing import Any

from outreach.backlinks.formats import values
from outreach.backlinks.formats.model import LinkRow, RowError
from outreach.backlinks.formats.urlcells import DOMAINS, URLS, url_info

Column = Sequence[str]
ColumnOf = Callable[[int], Column]
NOTHING: tuple[None, None] = (None, None)


@dataclass(frozen=True, slots=True)
class Plan:
    """How to read the records of one file: which column feeds which field."""

    headers: list[str]
    delimiter: str
    index: dict[str, int]  # field -> column number
    source_field: str  # "source_url" or "source_domain"
    metric: str | None
    target: tuple[str, str] | tuple[None, None]  # default (URL, domain) of the target


def _sources(
    plan: Plan, rows: Sequence[int], column: ColumnOf, errors: dict[int, RowError]
) -> list[Any]:
    """(URL, domain) per record; records without a usable source get an error."""
    i = plan.index[plan.source_field]
    cells, header = column(i), plan.headers[i]
    if plan.source_field == "source_url":
        infos: list[Any] = list(map(url_info, cells))  # mostly distinct: no memo
        bad = None in infos
    else:
        domains = DOMAINS.column(cells)
        bad = None in domains
        infos = list(zip(repeat(None), domains))
    if bad:
        for n, info in enumerate(infos):
            if info is None or info[1] is None:
                raw = cells[n]
                if not raw.strip():
                    kind = "URL" if plan.source_field == "source_url" else "domain"
                    message = f"no {kind} in column {header!r}"
                elif plan.source_field == "source_url":
                    message = f"malformed URL {raw!r} in column {header!r}"
                else:
                    message = f"not a domain name: {raw!r} in column {header!r}"
                errors[n] = RowError(rows[n], header, message)
                infos[n] = NOTHING
    return infos


def _targets(
    plan: Plan, rows: Sequence[int], column: ColumnOf, errors: dict[int, RowError]
) -> tuple[Iterable[str | None], Iterable[str | None]]:
    """Target URLs and domains; an empty cell takes the caller's target."""
    i = plan.index.get("target_url")
    if i is None:
        return repeat(plan.target[0]), repeat(plan.target[1])
    cells, header = column(i), plan.headers[i]
    infos: list[Any] = URLS.column(cells)
    if None in infos:
        for n, info in enumerate(infos):
            if info is None:
                infos[n] = plan.target
                if cells[n].strip() and n not in errors:
                    message = f"malformed URL {cells[n]!r} in column {header!r}"
                    errors[n] = RowError(rows[n], header, message)
    return map(itemgetter(0), infos), map(itemgetter(1), infos)


def _flags(plan: Plan, column: ColumnOf) -> list[Iterable[bool]]:
    found: list[Iterable[bool]] = []
    for name in ("nofollow", "ugc", "sponsored"):
        i = plan.index.get(name)
        found.append(repeat(False) if i is None else values.BOOLS.column(column(i)))
    if "rel" in plan.index:
        rels = values.RELS.column(column(plan.index["rel"]))
        found = [map(or_, flag, map(itemgetter(n), rels)) for n, flag in enumerate(found)]
    return found


def _lost(plan: Plan, column: ColumnOf) -> tuple[Iterable[bool], Iterable[Any]]:
    """Lost flags (from a status or flag column, or a lost date) and lost dates."""
    lost: Iterable[bool] = repeat(False)
    lost_at: Iterable[Any] = repeat(None)
    if "lost_at" in plan.index:
        lost_at = values.datetimes(column(plan.index["lost_at"]))
        lost = map(is_not, lost_at, repeat(None))
    if "lost" in plan.index:
        lost = map(or_, values.LOST.column(column(plan.index["lost"])), lost)
    return lost, lost_at


def convert(plan: Plan, rows: Sequence[int], column: ColumnOf) -> list[LinkRow | RowError]:
    """LinkRows, and RowErrors for unusable URLs, of the records numbered ``rows``."""
    index = plan.index

    def cells(name: str, convert: Callable[[Column], Iterable[Any]]) -> Iterable[Any]:
        i = index.get(name)
        return repeat(None) if i is None else convert(column(i))

    errors: dict[int, RowError] = {}
    src_urls, src_domains = zip(*_sources(plan, rows, column, errors), strict=True)
    target_urls, target_domains = _targets(plan, rows, column, errors)
    nofollow, ugc, sponsored = _flags(plan, column)
    lost, lost_at = _lost(plan, column)
    out: list[LinkRow | RowError] = list(
        map(
            LinkRow,
            rows,
            src_urls,
            src_domains,
            cells("title", values.texts),
            target_urls,
            target_domains,
            cells("anchor", values.texts),
            nofollow,
            ugc,
            sponsored,
            cells("authority", values.floats),
            repeat(plan.metric),
            cells("page_authority", values.floats),
            cells("traffic", values.floats),
            cells("first_seen", values.datetimes),
            cells("last_seen", values.datetimes),
            lost,
            lost_at,
            cells("language", values.LANGUAGES.column),
        )
    )
    for n, error in errors.items():
        out[n] = error
    return out
