"""The pipeline's cards: what the board and table show of a prospect, and who owns it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.sql import Executable

from outreach.accounts.models import Membership, User
from outreach.extensions import db
from outreach.prospects.models import Prospect, ProspectScore, Stage


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


def cards_from(query: Executable, people: dict[int, User], campaign_id: int) -> list[Card]:
    """Cards of the rows of ``query`` (CARD_COLUMNS), with their scoring details."""
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
