"""Turning a batch of records, given column by column, into a RowBlock of typed fields.

Each column goes through its converter with C-level ``map`` calls over memoised look-ups,
so there is almost no Python work per row; the loader builds its records with ``zip``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import is_, is_not, itemgetter, not_, or_
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
    has_header: bool = True


def _sources(
    plan: Plan, rows: Sequence[int], column: ColumnOf, errors: dict[int, RowError]
) -> tuple[list[Any], Sequence[str | None]]:
    """(URL, domain) per record and the URLs as written; records without a usable source
    get an error."""
    i = plan.index[plan.source_field]
    cells, header = column(i), plan.headers[i]
    texts: Sequence[str | None] = [None] * len(cells)
    if plan.source_field == "source_url":
        texts = list(map(str.strip, cells))
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
    return infos, texts


def _targets(
    plan: Plan, rows: Sequence[int], column: ColumnOf, errors: dict[int, RowError]
) -> tuple[Sequence[str | None], Sequence[str | None], Sequence[str | None]]:
    """Target URLs, domains and URLs as written; an empty cell takes the caller's target."""
    i = plan.index.get("target_url")
    if i is None:
        same = [plan.target[0]] * len(rows)
        return same, [plan.target[1]] * len(rows), same
    cells, header = column(i), plan.headers[i]
    infos: list[Any] = URLS.column(cells)
    texts: list[str | None] = list(map(str.strip, cells))
    if None in infos:
        for n, info in enumerate(infos):
            if info is None:
                infos[n] = plan.target
                texts[n] = plan.target[0]
                if cells[n].strip() and n not in errors:
                    message = f"malformed URL {cells[n]!r} in column {header!r}"
                    errors[n] = RowError(rows[n], header, message)
    return list(map(itemgetter(0), infos)), list(map(itemgetter(1), infos)), texts


def _flags(plan: Plan, column: ColumnOf, count: int) -> list[Sequence[bool]]:
    found: list[Sequence[bool]] = []
    for name in ("nofollow", "ugc", "sponsored"):
        i = plan.index.get(name)
        if i is None and name == "nofollow" and "dofollow" in plan.index:
            dofollow = values.BOOLS.column(column(plan.index["dofollow"]))
            found.append(list(map(not_, dofollow)))
            continue
        found.append([False] * count if i is None else values.BOOLS.column(column(i)))
    if "rel" in plan.index:
        rels = values.RELS.column(column(plan.index["rel"]))
        found = [list(map(or_, flag, map(itemgetter(n), rels))) for n, flag in enumerate(found)]
    return found


def _lost(
    plan: Plan, rows: Sequence[int], column: ColumnOf, errors: dict[int, RowError]
) -> tuple[Sequence[bool], Sequence[Any]]:
    """Lost flags (from a status or flag column, or a lost date) and lost dates."""
    count = len(rows)
    lost: Sequence[bool] = [False] * count
    lost_at: Sequence[Any] = [None] * count
    if "lost_at" in plan.index:
        lost_at = _dates(plan, "lost_at", rows, column, errors)
        lost = list(map(is_not, lost_at, repeat(None)))
    if "lost" in plan.index:
        lost = list(map(or_, values.LOST.column(column(plan.index["lost"])), lost))
    return lost, lost_at


def _dates(
    plan: Plan, name: str, rows: Sequence[int], column: ColumnOf, errors: dict[int, RowError]
) -> Sequence[Any]:
    """A date column; a cell that is neither a date nor empty ("false") is a row error."""
    i = plan.index.get(name)
    if i is None:
        return [None] * len(rows)
    cells = column(i)
    dates = values.datetimes(cells)
    # The cells of the dates not read, deduplicated in C: mostly just "" (never lost).
    unread = set(compress(cells, map(is_, dates, repeat(None)))) if None in dates else ()
    if any(not values.is_no_date(cell) for cell in unread):
        header = plan.headers[i]
        for n, date in enumerate(dates):
            if date is None and n not in errors and not values.is_no_date(cells[n]):
                message = f"not a date: {cells[n]!r} in column {header!r}"
                errors[n] = RowError(rows[n], header, message)
    return dates


# Per-type flags, strongest first: a link flagged image and text is an image link.
_TYPE_FLAGS = (
    ("image_flag", "image"), ("redirect_flag", "redirect"), ("frame_flag", "frame"),
    ("form_flag", "form"), ("text_flag", "text"),
)  # fmt: skip


def _link_types(plan: Plan, column: ColumnOf, count: int) -> Sequence[str | None]:
    """Link types from a type column, overridden by the per-type flags of a file."""
    i = plan.index.get("link_type")
    kinds: Sequence[str | None] = (
        [None] * count if i is None else values.LINK_TYPES.column(column(i))
    )
    flags = [(values.BOOLS.column(column(plan.index[f])), kind) for f, kind in _TYPE_FLAGS
             if f in plan.index]  # fmt: skip
    if flags:
        kinds = list(kinds)
        for n in range(count):
            for flagged, kind in flags:
                if flagged[n]:
                    kinds[n] = kind
                    break
    return kinds


def _placements(plan: Plan, column: ColumnOf, count: int) -> Sequence[str | None]:
    """Where on the page a link sits, when the export says: content, boilerplate, sitewide."""
    found: Sequence[str | None] = [None] * count
    if "in_content" in plan.index:
        found = values.PLACEMENTS.column(column(plan.index["in_content"]))
    if "sitewide" in plan.index:
        sitewide = values.BOOLS.column(column(plan.index["sitewide"]))
        found = ["sitewide" if wide else place for wide, place in zip(sitewide, found, strict=True)]
    return found


def _topical(plan: Plan, column: ColumnOf, count: int) -> Sequence[str | None]:
    """Majestic's first topical Trust Flow as "Topic:Value" ("Computers/Internet:23")."""
    if "ttf_topic" not in plan.index:
        return [None] * count
    topics = column(plan.index["ttf_topic"])
    levels = column(plan.index["ttf_value"]) if "ttf_value" in plan.index else [""] * count
    return [
        (f"{topic.strip()}:{level.strip()}" if level.strip() else topic.strip())[:255] or None
        for topic, level in zip(topics, levels, strict=True)
    ]


def convert(plan: Plan, rows: Sequence[int], column: ColumnOf) -> RowBlock:
    """The records numbered ``rows``, field by field, with RowErrors for unusable URLs."""
    index = plan.index
    count = len(rows)

    def cells(name: str, convert: Callable[[Column], Sequence[Any]]) -> Sequence[Any]:
        i = index.get(name)
        return [None] * count if i is None else convert(column(i))

    errors: dict[int, RowError] = {}
    sources, source_texts = _sources(plan, rows, column, errors)
    src_urls, src_domains = zip(*sources, strict=True)
    target_urls, target_domains, target_texts = _targets(plan, rows, column, errors)
    nofollow, ugc, sponsored = _flags(plan, column, count)
    lost, lost_at = _lost(plan, rows, column, errors)
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
        "first_seen": _dates(plan, "first_seen", rows, column, errors),
        "last_seen": _dates(plan, "last_seen", rows, column, errors),
        "lost": lost,
        "lost_at": lost_at,
        "language": cells("language", values.LANGUAGES.column),
        "source_text": source_texts,
        "target_text": target_texts,
        "placement": _placements(plan, column, count),
        "link_type": _link_types(plan, column, count),
        "is_spam": cells("is_spam", values.SPAM.column),
        "spam_score": cells("spam_score", values.floats),
        "topical_trust_flow": _topical(plan, column, count),
    }
    return RowBlock(rows, fields, errors)
