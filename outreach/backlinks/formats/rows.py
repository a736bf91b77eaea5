"""Turning a batch of records, given column by column, into a RowBlock of typed fields.

Each column goes through its converter with C-level ``map`` calls over memoised look-ups,
so there is almost no Python work per row; the loader builds its records with ``zip``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import is_not, itemgetter, or_
from typing import Any

from outreach.backlinks.formats import values
from outreach.backlinks.formats.model import RowBlock, RowError
from outreach.backlinks.formats.urlcells import DOMAINS, URLS, url_infos

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
        infos: list[Any] = url_infos(cells)  # mostly distinct: no memo
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
) -> tuple[Sequence[str | None], Sequence[str | None]]:
    """Target URLs and domains; an empty cell takes the caller's target."""
    i = plan.index.get("target_url")
    if i is None:
        return [plan.target[0]] * len(rows), [plan.target[1]] * len(rows)
    cells, header = column(i), plan.headers[i]
    infos: list[Any] = URLS.column(cells)
    if None in infos:
        for n, info in enumerate(infos):
            if info is None:
                infos[n] = plan.target
                if cells[n].strip() and n not in errors:
                    message = f"malformed URL {cells[n]!r} in column {header!r}"
                    errors[n] = RowError(rows[n], header, message)
    return list(map(itemgetter(0), infos)), list(map(itemgetter(1), infos))


def _flags(plan: Plan, column: ColumnOf, count: int) -> list[Sequence[bool]]:
    found: list[Sequence[bool]] = []
    for name in ("nofollow", "ugc", "sponsored"):
        i = plan.index.get(name)
        found.append([False] * count if i is None else values.BOOLS.column(column(i)))
    if "rel" in plan.index:
        rels = values.RELS.column(column(plan.index["rel"]))
        found = [list(map(or_, flag, map(itemgetter(n), rels))) for n, flag in enumerate(found)]
    return found


def _lost(plan: Plan, column: ColumnOf, count: int) -> tuple[Sequence[bool], Sequence[Any]]:
    """Lost flags (from a status or flag column, or a lost date) and lost dates."""
    lost: Sequence[bool] = [False] * count
    lost_at: Sequence[Any] = [None] * count
    if "lost_at" in plan.index:
        lost_at = values.datetimes(column(plan.index["lost_at"]))
        lost = list(map(is_not, lost_at, repeat(None)))
    if "lost" in plan.index:
        lost = list(map(or_, values.LOST.column(column(plan.index["lost"])), lost))
    return lost, lost_at


def convert(plan: Plan, rows: Sequence[int], column: ColumnOf) -> RowBlock:
    """The records numbered ``rows``, field by field, with RowErrors for unusable URLs."""
    index = plan.index
    count = len(rows)

    def cells(name: str, convert: Callable[[Column], Sequence[Any]]) -> Sequence[Any]:
        i = index.get(name)
        return [None] * count if i is None else convert(column(i))

    errors: dict[int, RowError] = {}
    src_urls, src_domains = zip(*_sources(plan, rows, column, errors), strict=True)
    target_urls, target_domains = _targets(plan, rows, column, errors)
    nofollow, ugc, sponsored = _flags(plan, column, count)
    lost, lost_at = _lost(plan, column, count)
    fields: dict[str, Sequence[Any]] = {
        "source_url": src_urls,
        "source_domain": src_domains,
        "source_title": cells("title", values.texts),
        "target_url": target_urls,
        "target_domain": target_domains,
        "anchor": cells("anchor", values.texts),
        "nofollow": nofollow,
        "ugc": ugc,
        "sponsored": sponsored,
        "authority": cells("authority", values.floats),
        "authority_metric": [plan.metric] * count,
        "page_authority": cells("page_authority", values.floats),
        "traffic": cells("traffic", values.floats),
        "first_seen": cells("first_seen", values.datetimes),
        "last_seen": cells("last_seen", values.datetimes),
        "lost": lost,
        "lost_at": lost_at,
        "language": cells("language", values.LANGUAGES.column),
    }
    return RowBlock(rows, fields, errors)
