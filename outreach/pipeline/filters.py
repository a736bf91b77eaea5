"""The pipeline's filters: parsed from a query string, as SQL conditions, and whose view."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, cast

from outreach.accounts.models import User
from outreach.campaigns.models import Campaign
from outreach.prospects.models import OpportunityKind, Prospect, Stage
from outreach.web import parse_id

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
