"""Bulk actions on the link intersect: on the ticked domains, the top N of the current
order, or every domain the current filters match. Callers commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from outreach.accounts.models import Membership
from outreach.activity.services import record
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.prospects.intersect import matching_domains
from outreach.prospects.intersect_rows import IntersectQuery
from outreach.prospects.models import Prospect, Stage
from outreach.prospects.services import add_to_pipeline

ACTIONS = {"add": "Add to pipeline", "reject": "Reject", "assign": "Assign to"}
SCOPES = {
    "selected": "Ticked domains",
    "top": "The top N",
    "filter": "Every domain matching the filters",
}
MAX_DOMAINS = 10_000  # one request never acts on more than this many domains


class BulkError(ValueError):
    """A bulk action that cannot run as asked (no owner to assign to, nothing chosen...)."""


@dataclass(frozen=True)
class BulkResult:
    """What a bulk action did: prospects created, existing ones changed, others left as they are."""

    created: int
    changed: int
    unchanged: int

    def message(self, action: str) -> str:
        """A sentence for the flash message."""
        verb = {"add": "added", "reject": "rejected", "assign": "assigned"}[action]
        parts = [f"{self.created} prospect(s) {verb}"]
        if self.changed:
            parts.append(f"{self.changed} already in the pipeline reassigned")
        if self.unchanged:
            parts.append(f"{self.unchanged} already in the pipeline left as they are")
        return "; ".join(parts) + "."


def chosen_domains(
    campaign: Campaign, query: IntersectQuery, scope: str, ticked: Sequence[str], top: int
) -> list[str]:
    """The domains a bulk action acts on."""
    if scope == "selected":
        return sorted({d.strip().lower() for d in ticked if d.strip()})[:MAX_DOMAINS]
    if scope == "top":
        return matching_domains(campaign, query, max(0, min(top, MAX_DOMAINS)))
    if scope == "filter":
        return matching_domains(campaign, query, MAX_DOMAINS)
    raise BulkError(f"Unknown choice of domains: {scope!r}.")


def _member(workspace_id: int, user_id: int | None) -> int:
    if user_id is None:
        raise BulkError("Choose the teammate to assign the prospects to.")
    found = db.session.scalar(
        select(Membership.user_id).where(
            Membership.workspace_id == workspace_id, Membership.user_id == user_id
        )
    )
    if found is None:
        raise BulkError("That person is not a member of this workspace.")
    return found


def apply(
    campaign: Campaign,
    domains: Sequence[str],
    action: str,
    actor_id: int,
    owner_id: int | None = None,
) -> BulkResult:
    """Add, reject or assign ``domains`` in the campaign's pipeline."""
    if action not in ACTIONS:
        raise BulkError(f"Unknown action: {action!r}.")
    if not domains:
        raise BulkError("No domain was chosen.")
    owner = _member(campaign.workspace_id, owner_id) if action == "assign" else actor_id
    existing = {
        p.domain: p
        for p in db.session.scalars(
            select(Prospect).where(
                Prospect.campaign_id == campaign.id, Prospect.domain.in_(list(domains))
            )
        )
    }
    stage = Stage.REJECTED if action == "reject" else Stage.PROSPECT
    created = add_to_pipeline(campaign, [d for d in domains if d not in existing], owner, stage)
    changed = 0
    if action == "assign":
        for prospect in existing.values():
            if prospect.owner_id != owner:
                prospect.owner_id = owner
                record(
                    campaign.workspace_id, "prospect", prospect.id, "assigned",
                    {"owner_id": owner}, actor_id=actor_id,
                )  # fmt: skip
                changed += 1
    db.session.flush()
    return BulkResult(created, changed, len(existing) - changed)
