"""The personal today page: my open prospects that are overdue or due today or tomorrow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from outreach.accounts.models import User
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.pipeline.queries import CARD_COLUMNS, Card, best_first, card_from_row
from outreach.prospects.models import Prospect, Stage

# Stages where a prospect needs nothing more from its owner.
CLOSED = frozenset({Stage.LIVE, Stage.LOST, Stage.REJECTED, Stage.DO_NOT_CONTACT})


@dataclass
class Due:
    """A prospect on the today page, with its campaign's name."""

    card: Card
    campaign_id: int
    campaign_name: str


def today_list(workspace_id: int, user: User, today: date) -> dict[str, list[Due]]:
    """The user's open prospects that are overdue, due today or due tomorrow."""
    query = (
        select(*CARD_COLUMNS, Campaign.id.label("campaign_id"), Campaign.name)
        .join(Campaign, Campaign.id == Prospect.campaign_id)
        .where(
            Prospect.workspace_id == workspace_id,
            Campaign.workspace_id == workspace_id,
            Prospect.owner_id == user.id,
            Prospect.due_on <= today + timedelta(days=1),
            Prospect.stage.not_in(CLOSED),
        )
        .order_by(Prospect.due_on, *best_first())
        .limit(500)
    )
    groups: dict[str, list[Due]] = {"overdue": [], "today": [], "tomorrow": []}
    for row in db.session.execute(query):
        card = card_from_row(row, {user.id: user})
        assert card.due_on is not None
        key = "overdue" if card.due_on < today else "today" if card.due_on == today else "tomorrow"
        groups[key].append(Due(card=card, campaign_id=row.campaign_id, campaign_name=row.name))
    return groups
