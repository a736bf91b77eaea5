"""Reads of the pipeline: the board's columns and the paginated table."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import case, func, select, union_all

from outreach.activity.models import Activity
from outreach.extensions import db
from outreach.jobs.cache import cache_key, cached
from outreach.pipeline.cards import CARD_COLUMNS, Card, best_first, cards_from
from outreach.pipeline.filters import Filters, Scope
from outreach.prospects.models import Prospect, ProspectScore, Stage

CARDS_PER_COLUMN = 30
PAGE_SIZE = 50
TALLY_SECONDS = 60  # what the version cannot see shows by then
# Off the main path: folded in a strip above the board, their cards read when one is opened.
CLOSED_STAGES = (Stage.LOST, Stage.REJECTED, Stage.NO_RESPONSE, Stage.DO_NOT_CONTACT)


@dataclass
class Column:
    """One stage of the board: its full count and its first cards."""

    stage: Stage
    count: int
    cards: list[Card] = field(default_factory=list)
    loaded: bool = True  # False: the cards are left to be read on demand (``column``)


@dataclass
class Page:
    """One page of the table."""

    rows: list[Card]
    total: int
    page: int
    pages: int


def _tally(scope: Scope) -> dict[Stage, tuple[int, int]]:
    query = select(Prospect.stage, func.count(), func.count(Prospect.score))
    query = query.where(*scope.where(stage=None)).group_by(Prospect.stage)
    found = {stage: (0, 0) for stage in Stage}
    for stage, count, scored in db.session.execute(query):
        found[stage] = (int(count), int(scored))
    return found


def _pipeline_stamp(campaign_id: int) -> tuple[object, ...]:
    """A version of the campaign's pipeline, in three index lookups: the newest activity (every
    stage move, new prospect, assignment and deletion records one), the newest prospect and
    the campaign's newest score row (a scoring run rewrites them with the prospects' scores)."""
    return tuple(
        db.session.execute(
            select(
                select(func.max(Activity.id)).scalar_subquery(),
                select(func.max(Prospect.id)).scalar_subquery(),
                select(func.max(ProspectScore.id))
                .where(ProspectScore.campaign_id == campaign_id)
                .scalar_subquery(),
            )
        ).one()
    )


def tally(scope: Scope) -> dict[Stage, tuple[int, int]]:
    """Prospects and scored prospects per stage matching the filters (the stage filter aside).

    Without filters the tally of a big pipeline (every row of it) is counted once per change
    and shared (``jobs.cache``); filtered ones are counted each time.
    """
    if replace(scope.filters, stage=None, sort="score", page=1) != Filters():
        return _tally(scope)
    return cached(
        cache_key("pipeline-tally", scope.campaign.id, tuple(Stage)),
        cache_key(_pipeline_stamp(scope.campaign.id)),
        lambda: _tally(scope),
        at_most=TALLY_SECONDS,
    )


def counts(scope: Scope) -> dict[Stage, int]:
    """Prospects per stage matching the filters (the stage filter aside)."""
    return {stage: count for stage, (count, _) in tally(scope).items()}


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


def _cards_by_stage(scope: Scope, stages: list[Stage]) -> dict[Stage, list[Card]]:
    """The first CARDS_PER_COLUMN cards of each of ``stages``, best first, in one statement:
    a UNION ALL of index-ordered LIMITs per stage (scored, then unscored, on PostgreSQL)."""
    cards: dict[Stage, list[Card]] = {stage: [] for stage in stages}
    if stages:
        parts = [
            _part(scope.where(stage=stage), scored, 0, CARDS_PER_COLUMN)
            for stage in stages
            for scored in ((True, False) if _split(scope.filters) else (None,))
        ]
        query = union_all(*(select(part) for part in parts))
        for card in cards_from(query, scope.people, scope.campaign.id):
            cards[card.stage].append(card)
    return {stage: _in_best_order(found)[:CARDS_PER_COLUMN] for stage, found in cards.items()}


def board(scope: Scope) -> list[Column]:
    """Every stage in board order, with its count and at most CARDS_PER_COLUMN cards.

    The closed stages' cards are not read (``loaded`` is False) unless the stage filter asks
    for one of them: they sit folded, and the board reads a column when it is opened.
    """
    found = counts(scope)
    chosen = scope.filters.stage
    shown = [
        stage
        for stage in Stage
        if found[stage] and chosen in (None, stage) and (stage not in CLOSED_STAGES or chosen)
    ]
    cards = _cards_by_stage(scope, shown)
    return [
        Column(
            stage=stage,
            count=found[stage],
            cards=cards.get(stage, []),
            loaded=stage in shown or not found[stage] or chosen not in (None, stage),
        )
        for stage in Stage
    ]


def column(scope: Scope, stage: Stage) -> Column:
    """One stage of the board with its first cards (a folded column, opened)."""
    return Column(
        stage=stage, count=counts(scope)[stage], cards=_cards_by_stage(scope, [stage])[stage]
    )


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
    chosen = [scope.filters.stage] if scope.filters.stage else list(Stage)
    found = tally(scope)
    total, scored = (sum(found[stage][n] for stage in chosen) for n in (0, 1))
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
