"""Reads of the pipeline: filters, board columns, the paginated table and the today list."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, case, cast, func, select, union_all
from sqlalchemy.sql import Executable

from outreach.accounts.models import Membership, User
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.prospects.models import OpportunityKind, Prospect, ProspectScore, Stage
from outreach.web import parse_id

CARDS_PER_COLUMN = 30
PAGE_SIZE = 50
OPPORTUNITIES = dict(OpportunityKind.choices())
DUE_CHOICES = {"overdue": "Overdue", "week": "Due in the next 7 days"}
SORTS = {
    "score": "Score (high first)",
    "domain": "Domain",
    "stage": "Stage",
    "due": "Due date",
    "updated": "Last changed",
}


@dataclass(frozen=True)
class Filters:
    """What the board and table show: owner, minimum score, opportunity, due, search, stage."""

    owner: str = ""  # "", "me", "none" or a user id
    min_score: float | None = None
    opportunity: str = ""
    due: str = ""
    search: str = ""
    stage: Stage | None = None
    sort: str = "score"
    page: int = 1

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments that reproduce these filters (with some changed)."""
        merged = replace(self, **changes)
        values = {
            "owner": merged.owner,
            "min_score": "" if merged.min_score is None else f"{merged.min_score:g}",
            "opportunity": merged.opportunity,
            "due": merged.due,
            "q": merged.search,
            "stage": merged.stage.value if merged.stage else "",
            "sort": "" if merged.sort == "score" else merged.sort,
            "page": "" if merged.page == 1 else str(merged.page),
        }
        return {key: value for key, value in values.items() if value}


def filters_from_args(args: Mapping[str, str]) -> Filters:
    """Filters from a query string; values that make no sense are ignored."""
    try:
        min_score: float | None = float(args.get("min_score", "").strip() or "nan")
    except ValueError:
        min_score = None
    if min_score is not None and not math.isfinite(min_score):
        min_score = None
    owner = args.get("owner", "").strip()
    if owner not in ("me", "none") and parse_id(owner) is None:
        owner = ""
    try:
        stage: Stage | None = Stage(args.get("stage", ""))
    except ValueError:
        stage = None
    page = args.get("page", "1")
    opportunity = args.get("opportunity", "").strip()
    return Filters(
        owner=owner,
        min_score=min_score,
        opportunity=opportunity if opportunity in OPPORTUNITIES else "",
        due=args.get("due", "") if args.get("due", "") in DUE_CHOICES else "",
        search=args.get("q", "").strip().lower()[:255],
        stage=stage,
        sort=args.get("sort", "score") if args.get("sort", "score") in SORTS else "score",
        page=min(parse_id(page) or 1, 1_000_000),
    )


def _conditions(filters: Filters, me: int, today: date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.owner == "me":
        conditions.append(Prospect.owner_id == me)
    elif filters.owner == "none":
        conditions.append(Prospect.owner_id.is_(None))
    elif filters.owner:
        conditions.append(Prospect.owner_id == int(filters.owner))
    if filters.min_score is not None:
        conditions.append(Prospect.score >= filters.min_score)
    if filters.opportunity:
        as_text = cast(Prospect.opportunity_types, String)
        conditions.append(as_text.contains(f'"{filters.opportunity}"', autoescape=True))
    if filters.due == "overdue":
        conditions.append(Prospect.due_on < today)
    elif filters.due == "week":
        conditions.append(Prospect.due_on.between(today, today + timedelta(days=6)))
    if filters.search:
        conditions.append(Prospect.domain.contains(filters.search, autoescape=True))
    if filters.stage is not None:
        conditions.append(Prospect.stage == filters.stage)
    return conditions


def filter_conditions(filters: Filters, me: int, today: date) -> list[ColumnElement[bool]]:
    """The WHERE conditions of ``filters`` (the campaign and workspace aside), for other readers
    of the same filters (the API's prospect list)."""
    return _conditions(filters, me, today)


@dataclass(frozen=True)
class Scope:
    """Whose view of which campaign: the filters, the viewer, the day and the team."""

    campaign: Campaign
    filters: Filters
    me: int
    today: date
    people: dict[int, User]

    def where(self, **changes: Any) -> list[Any]:
        """Conditions for the campaign's prospects matching the filters (some changed)."""
        return [
            Prospect.workspace_id == self.campaign.workspace_id,
            Prospect.campaign_id == self.campaign.id,
            *_conditions(replace(self.filters, **changes), self.me, self.today),
        ]


@dataclass
class Card:
    """What a board card or table row shows of a prospect."""

    id: int
    domain: str
    stage: Stage
    score: float | None
    owner: User | None
    due_on: date | None
    opportunity_types: list[str]
    version: int
    reminder: str | None = None
    authority: float | None = None
    authority_source: str = ""
    relevance: float | None = None
    risk_flags: list[dict[str, Any]] = field(default_factory=list)
    competitors: int | None = None  # how many of the campaign's competitors it links to

    def overdue(self, today: date) -> bool:
        """True when the due date has passed."""
        return self.due_on is not None and self.due_on < today


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


def members(workspace_id: int) -> dict[int, User]:
    """The workspace's users by id, for owner names, initials and choices."""
    users = db.session.scalars(
        select(User).join(Membership).where(Membership.workspace_id == workspace_id)
    )
    return {user.id: user for user in users}


def initials(user: User | None) -> str:
    """Up to two capital letters for a user ('Sam Lee' -> 'SL')."""
    if user is None:
        return ""
    words = (user.name or user.email.split("@")[0]).replace(".", " ").split()
    return "".join(word[0] for word in words[:2]).upper()


CARD_COLUMNS = (
    Prospect.id,
    Prospect.domain,
    Prospect.stage,
    Prospect.score,
    Prospect.owner_id,
    Prospect.due_on,
    Prospect.opportunity_types,
    Prospect.version,
    Prospect.reminder,
)


def best_first() -> list[Any]:
    """Highest score first, unscored last, then oldest: in a form an index can serve.

    SQLite already sorts NULLs last in descending order and cannot use an index for an
    explicit NULLS LAST; PostgreSQL needs it spelled out.
    """
    score = Prospect.score.desc()
    if db.session.get_bind().dialect.name != "sqlite":
        score = score.nulls_last()
    return [score, Prospect.id]


def card_from_row(row: Any, people: dict[int, User]) -> Card:
    """A card from a row of CARD_COLUMNS, with its owner looked up in ``people``."""
    return Card(
        id=row.id,
        domain=row.domain,
        stage=row.stage,
        score=row.score,
        owner=people.get(row.owner_id) if row.owner_id else None,
        due_on=row.due_on,
        opportunity_types=list(row.opportunity_types or []),
        version=row.version,
        reminder=row.reminder,
    )


def _overlap(breakdown: list[dict[str, Any]] | None) -> int | None:
    """The competitor count scoring recorded in a breakdown (its ``overlap`` signal)."""
    for entry in breakdown or []:
        if entry.get("signal") == "overlap" and isinstance(entry.get("value"), int):
            return int(entry["value"])
    return None


def _cards(query: Executable, people: dict[int, User], campaign_id: int) -> list[Card]:
    cards = [card_from_row(row, people) for row in db.session.execute(query)]
    if cards:
        by_domain = {card.domain: card for card in cards}
        scores = db.session.execute(
            select(
                ProspectScore.domain,
                ProspectScore.authority,
                ProspectScore.authority_source,
                ProspectScore.relevance,
                ProspectScore.risk_flags,
                ProspectScore.breakdown,
            ).where(
                ProspectScore.campaign_id == campaign_id,
                ProspectScore.domain.in_(list(by_domain)),
            )
        )
        for domain, authority, source, relevance, flags, breakdown in scores:
            card = by_domain[domain]
            card.authority, card.authority_source = authority, source or ""
            card.relevance, card.risk_flags = relevance, list(flags or [])
            card.competitors = _overlap(breakdown)
    return cards


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
        for card in _cards(query, scope.people, scope.campaign.id):
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
            _cards(_best_page(where, scored, skip), scope.people, scope.campaign.id)
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
        rows=_cards(query, scope.people, scope.campaign.id), total=total, page=page, pages=pages
    )
