"""Prospects: workspace-scoped reads, adding domains to a campaign's pipeline, notes and
details (stage moves are in :mod:`outreach.prospects.stages`). Callers commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from outreach.activity.services import record
from outreach.backlinks.models import Backlink
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.prospects.models import Prospect, ProspectScore, Stage
from outreach.prospects.stages import Conflict, conflict_after_race
from outreach.scoping import get_in_workspace
from outreach.urls import InvalidURL, clean_domain

NOTE_LIMIT = 5000
MAX_ADD_BATCH = 1000  # domains one "Add to pipeline" may carry (README, "Security")


class ProspectInputError(ValueError):
    """Domains that cannot be added, with a message for the user."""


def clean_domains(raw: Iterable[str]) -> list[str]:
    """Distinct valid domain names, sorted; ProspectInputError names the first bad one
    (and refuses more than ``MAX_ADD_BATCH``), so "Add to pipeline" adds all or nothing."""
    given = [value for value in islice(raw, MAX_ADD_BATCH * 2 + 1) if value.strip()]
    if len(given) > MAX_ADD_BATCH:
        raise ProspectInputError(f"Add at most {MAX_ADD_BATCH:,} domains at a time.")
    wanted: set[str] = set()
    bad: list[str] = []
    for value in given:
        try:
            wanted.add(clean_domain(value))
        except InvalidURL:
            bad.append(value)
    if bad:
        shown = bad[0].strip()
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise ProspectInputError(f"{shown!r} is not a domain name{more}; nothing was added.")
    return sorted(wanted)


def get_prospect(workspace_id: int, prospect_id: int) -> Prospect:
    """A prospect of this workspace, or 404."""
    return get_in_workspace(Prospect, workspace_id, prospect_id)


def prospects_by_id(workspace_id: int, ids: set[int]) -> dict[int, Prospect]:
    """The workspace's prospects among ``ids``."""
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Prospect).where(Prospect.workspace_id == workspace_id, Prospect.id.in_(ids))
    )
    return {p.id: p for p in rows}


def prospect_choices(workspace_id: int, limit: int = 500) -> list[tuple[int, str]]:
    """``(id, domain)`` of the workspace's prospects for a select box, by domain."""
    rows = db.session.execute(
        select(Prospect.id, Prospect.domain)
        .where(Prospect.workspace_id == workspace_id)
        .order_by(Prospect.domain)
        .limit(limit)
    )
    return [(pid, domain) for pid, domain in rows]


def latest_prospects(workspace_id: int, limit: int = 200) -> list[Prospect]:
    """The workspace's most recently added prospects, newest first."""
    return list(
        db.session.scalars(
            select(Prospect)
            .where(Prospect.workspace_id == workspace_id)
            .order_by(Prospect.id.desc())
            .limit(limit)
        )
    )


def prospects_of_campaign(campaign_id: int) -> list[Prospect]:
    """A campaign's prospects, by domain."""
    return list(
        db.session.scalars(
            select(Prospect).where(Prospect.campaign_id == campaign_id).order_by(Prospect.domain)
        )
    )


def add_to_pipeline(
    campaign: Campaign,
    domains: Iterable[str],
    owner_id: int | None,
    stage: Stage = Stage.PROSPECT,
) -> int:
    """Create Prospect rows (in ``stage``) for domains not yet in the campaign; how many."""
    wanted = sorted({d.strip().lower() for d in domains if d.strip()})
    wanted = clean_domains(wanted)  # ProspectInputError before anything is added
    if not wanted:
        return 0
    existing = set(
        db.session.scalars(
            select(Prospect.domain).where(
                Prospect.campaign_id == campaign.id, Prospect.domain.in_(wanted)
            )
        )
    )
    competitors = [c.domain for c in campaign.competitors]
    added = 0
    for domain in wanted:
        if domain in existing:
            continue
        best = db.session.execute(
            select(Backlink.source_url, Backlink.source_title, Backlink.authority)
            .where(
                Backlink.workspace_id == campaign.workspace_id,
                Backlink.source_domain == domain,
                Backlink.target_domain.in_(competitors),
            )
            .order_by(Backlink.authority.desc().nulls_last(), Backlink.id)
            .limit(1)
        ).first()
        prospect = Prospect(
            workspace_id=campaign.workspace_id,
            campaign_id=campaign.id,
            domain=domain,
            stage=stage,
            owner_id=owner_id,
            page_url=best.source_url if best else None,
            page_title=best.source_title if best else None,
        )
        scored = db.session.scalar(
            select(ProspectScore).where(
                ProspectScore.campaign_id == campaign.id, ProspectScore.domain == domain
            )
        )
        if scored is not None:  # the intersect's score comes along until the next rescoring
            prospect.score = scored.score
            prospect.score_breakdown = {
                "entries": scored.breakdown,
                "risk_flags": scored.risk_flags,
            }
        db.session.add(prospect)
        db.session.flush()
        record(campaign.workspace_id, "prospect", prospect.id, "created", {"domain": domain})
        added += 1
    return added


def add_note(prospect: Prospect, text: str, actor_id: int) -> None:
    """Attach a note to the prospect's timeline."""
    text = text.strip()
    if not text:
        raise ValueError("A note cannot be empty.")
    record(
        prospect.workspace_id,
        "prospect",
        prospect.id,
        "note",
        {"text": text[:NOTE_LIMIT]},
        actor_id=actor_id,
    )


def update_details(
    prospect: Prospect,
    *,
    owner_id: int | None,
    due_on: date | None,
    reminder: str | None,
    expected_version: int,
    actor_id: int,
    owner_names: dict[int, str],
) -> bool:
    """Set owner, due date and reminder; :class:`Conflict` if someone changed it meanwhile."""
    if prospect.version != expected_version:
        message = (
            f"{prospect.domain} was changed by someone else while you edited it "
            f"(now in {prospect.stage.label}); reload to see the latest."
        )
        raise Conflict(message, prospect.stage, prospect.version)
    reminder = (reminder or "").strip() or None
    changes: dict[str, Any] = {}
    if prospect.owner_id != owner_id:
        changes["owner"] = owner_names.get(owner_id, "") if owner_id else ""
        prospect.owner_id = owner_id
    if prospect.due_on != due_on:
        changes["due"] = due_on.isoformat() if due_on else ""
        prospect.due_on = due_on
    if prospect.reminder != reminder:
        changes["reminder"] = reminder or ""
        prospect.reminder = reminder
    if not changes:
        return False
    record(
        prospect.workspace_id,
        "prospect",
        prospect.id,
        "details_changed",
        changes,
        actor_id=actor_id,
    )
    try:
        db.session.flush()
    except StaleDataError:
        raise conflict_after_race(prospect.workspace_id, prospect.id, None) from None
    return True
