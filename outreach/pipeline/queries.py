"""Reads of the pipeline: the board's columns and the paginated table."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import case, func, select, union_all

from outreach.extensions import db
from outreach.pipeline.cards import CARD_COLUMNS, Card, best_first, cards_from
from outreach.pipeline.filters import Filters, Scope
from outreach.prospects.models import Prospect, Stage

CARDS_PER_COLUMN = 30
PAGE_SIZE = 50


@dataclass
class Column:
    """One stage of the board: its full count and its first cards."""

    stage: Stage
    count: int
    cards: list[Card] = field(default_factory=list)


@dataclass
class Page:
    """One page of the table."""

    rows: list[Card]
    total: int
    page: int
    pages: int


def counts(scope: Scope) -> dict[Stage, int]:
    """Prospects per stage matching the filters (the stage filter aside)."""
    query = select(Prospect.stage, func.count()).where(*scope.where(stage=None))
    query = query.group_by(Prospect.stage)
    found = {stage: 0 for stage in Stage}
    for stage, count in db.session.execute(query):
        found[stage] = count
    return found


def _split(filters: Filters) -> bool:
    """Whether best-first listings are read as two parts (see ``_part``): on PostgreSQL, and
    only without filters beyond the stage: a search or an owner matches few rows, which a
    plain sort of those rows finds sooner than a walk along the index. Not on SQLite, whose
    descending index order already puts NULLs last."""
    unfiltered = replace(filters, stage=None, sort="score", page=1) == Filters()
    return unfiltered and db.session.get_bind().dialect.name != "sqlite"


def _part(where: list[Any], scored: bool | None, skip: int, take: int) -> Any:
    """One index-ordered part of a best-first listing (see ``best_first``): the scored rows,
    best first (PostgreSQL reads ``score DESC`` backwards along the index, where NULLs
    would come first, hence the split), the unscored ones, oldest first, or (``None``)
    every row in ``best_first`` order."""
    if scored is None:
        query = select(*CARD_COLUMNS).where(*where).order_by(*best_first())
    elif scored:
        query = select(*CARD_COLUMNS).where(*where, Prospect.score.is_not(None))
        query = query.order_by(Prospect.score.desc(), Prospect.id)
    else:
        query = select(*CARD_COLUMNS).where(*where, Prospect.score.is_(None))
        query = query.order_by(Prospect.id)
    return query.offset(skip).limit(take).subquery()


def _in_best_order(cards: list[Card]) -> list[Card]:
    return sorted(cards, key=lambda card: (card.score is None, -(card.score or 0), card.id))


def board(scope: Scope) -> list[Column]:
    """Every stage in board order, with its count and at most CARDS_PER_COLUMN cards.

    The cards of every column come in one statement: a UNION ALL of index-ordered LIMITs
    per stage (scored, then unscored, on PostgreSQL), whatever the number of stages.
    """
    found = counts(scope)
    shown = [stage for stage in Stage if found[stage] and scope.filters.stage in (None, stage)]
    cards: dict[Stage, list[Card]] = {stage: [] for stage in Stage}
    if shown:
        parts = [
            _part(scope.where(stage=stage), scored, 0, CARDS_PER_COLUMN)
            for stage in shown
            for scored in ((True, False) if _split(scope.filters) else (None,))
        ]
        query = union_all(*(select(part) for part in parts))
        for card in cards_from(query, scope.people, scope.campaign.id):
            cards[card.stage].append(card)
    return [
        Column(
            stage=stage, count=found[stage], cards=_in_best_order(cards[stage])[:CARDS_PER_COLUMN]
        )
        for stage in Stage
    ]


def _order(sort: str) -> list[Any]:
    if sort == "domain":
        return [Prospect.domain, Prospect.id]
    if sort == "stage":
        position = case(
            {stage.value: index for index, stage in enumerate(Stage)}, value=Prospect.stage
        )
        return [position, Prospect.id]
    if sort == "due":
        return [Prospect.due_on.asc().nulls_last(), Prospect.id]
    if sort == "updated":
        return [Prospect.updated_at.desc(), Prospect.id.desc()]
    return best_first()


def _best_page(where: list[Any], scored: int, skip: int) -> Any:
    """A page of the table in best-first order, from the two index-ordered parts."""
    from_scored = max(0, min(PAGE_SIZE, scored - skip))
    parts = [
        _part(where, True, min(skip, scored), from_scored),
        _part(where, False, max(0, skip - scored), PAGE_SIZE - from_scored),
    ]
    return union_all(*(select(part) for part in parts))


def table(scope: Scope) -> Page:
    """One page of the campaign's prospects, filtered and sorted."""
    where = scope.where()
    total, scored = db.session.execute(
        select(func.count(), func.count(Prospect.score)).select_from(Prospect).where(*where)
    ).one()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(scope.filters.page, pages)
    skip = (page - 1) * PAGE_SIZE
    if scope.filters.sort == "score" and _split(scope.filters):
        rows = _in_best_order(
            cards_from(_best_page(where, scored, skip), scope.people, scope.campaign.id)
        )
        return Page(rows=rows, total=total, page=page, pages=pages)
    query = (
        select(*CARD_COLUMNS)
        .where(*where)
        .order_by(*_order(scope.filters.sort))
        .limit(PAGE_SIZE)
        .offset(skip)
    )
    return Page(
        rows=cards_from(query, scope.people, scope.campaign.id), total=total, page=page, pages=pages
    )
