"""Ranked lists of domains (Tranco, Majestic Million, DomCop Open PageRank): which one a CSV
is, told from its first row, and loading it for a workspace. Callers commit.

* Majestic Million: a header ``GlobalRank,TldRank,Domain,TLD,RefSubNets,...``;
* DomCop Open PageRank: a header ``"Rank","Domain","Open Page Rank"``;
* Tranco: no header, rows of ``rank,domain`` (``1,google.com``).

A list replaces the workspace's previous copy of the same list. The rank becomes authority
through ``authority.rank_to_authority``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, insert

from outreach.extensions import db
from outreach.scoring.authority import rank_to_authority
from outreach.scoring.models import RankedDomain, RankedList

CHUNK = 20_000
_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+$")
_HEADERS = {
    RankedList.MAJESTIC_MILLION: ("globalrank", "domain"),
    RankedList.OPEN_PAGERANK: ("rank", "domain"),
}


class RankedListError(ValueError):
    """A file that is none of the ranked lists Outreach reads."""


@dataclass(frozen=True)
class Detected:
    """Which list a file is, where its rank and domain columns are, and if row one is a header."""

    list_name: RankedList
    rank_column: int
    domain_column: int
    has_header: bool


def _norm(cell: str) -> str:
    return re.sub(r"[\W_]+", "", cell.casefold())


def detect(first_row: list[str]) -> Detected:
    """The list a file is, from its first row."""
    names = [_norm(cell) for cell in first_row]
    if "globalrank" in names and "domain" in names:
        return Detected(
            RankedList.MAJESTIC_MILLION, names.index("globalrank"), names.index("domain"), True
        )
    if names[:2] == ["rank", "domain"] and "openpagerank" in names:
        return Detected(RankedList.OPEN_PAGERANK, 0, 1, True)
    if len(first_row) == 2 and first_row[0].strip().isdigit() and _domain(first_row[1]):
        return Detected(RankedList.TRANCO, 0, 1, False)
    raise RankedListError(
        "Not a ranked list Outreach knows: expected a Majestic Million CSV (GlobalRank, Domain"
        " ...), a DomCop Open PageRank CSV (Rank, Domain, Open Page Rank) or a Tranco list"
        " (rank,domain rows without a header)."
    )


def _domain(cell: str) -> str | None:
    name = cell.strip().strip(".").lower().removeprefix("www.")
    return name if _DOMAIN.match(name) else None


def _rows(reader: Iterator[list[str]], found: Detected) -> Iterator[tuple[str, int]]:
    for row in reader:
        try:
            rank = int(row[found.rank_column].strip())
            name = _domain(row[found.domain_column])
        except (IndexError, ValueError):
            continue
        if name and rank > 0:
            yield name, rank


def load_ranked_list(workspace_id: int, path: Path) -> tuple[RankedList, int]:
    """Load a ranked list file for the workspace; which list it was and how many domains."""
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        reader = csv.reader(text)
        first = next(reader, None)
        if first is None:
            raise RankedListError("The file is empty.")
        found = detect(first)
        db.session.execute(
            delete(RankedDomain).where(
                RankedDomain.workspace_id == workspace_id,
                RankedDomain.list_name == found.list_name,
            )
        )
        rows = _rows(reader, found) if found.has_header else _rows(_chain(first, reader), found)
        seen: set[str] = set()
        batch: list[dict[str, object]] = []
        count = 0
        for name, rank in rows:
            if name in seen:  # a list names each domain once; keep its best rank
                continue
            seen.add(name)
            batch.append(
                {"workspace_id": workspace_id, "list_name": found.list_name, "domain": name,
                 "rank": rank, "authority": rank_to_authority(rank)}
            )  # fmt: skip
            if len(batch) >= CHUNK:
                db.session.execute(insert(RankedDomain), batch)
                count += len(batch)
                batch = []
        if batch:
            db.session.execute(insert(RankedDomain), batch)
            count += len(batch)
    return found.list_name, count


def _chain(first: list[str], rest: Iterator[list[str]]) -> Iterator[list[str]]:
    yield first
    yield from rest
