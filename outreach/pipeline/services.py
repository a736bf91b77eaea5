"""Writes of the pipeline: moves (one or many), notes and a prospect's details. Callers commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from outreach.activity.services import record
from outreach.extensions import db
from outreach.pipeline.queries import get_prospect
from outreach.prospects.models import Prospect, Stage
from outreach.prospects.pipeline import StageConflict, move
from outreach.web import parse_id

BULK_LIMIT = 500
NOTE_LIMIT = 5000


class Conflict(Exception):
    """A teammate changed the prospect first; carries what it looks like now."""

    def __init__(self, message: str, stage: Stage, version: int) -> None:
        super().__init__(message)
        self.stage = stage
        self.version = version


def conflict_message(prospect: Prospect, seen: Stage | None) -> str:
    """'X was moved by someone else to Y; reload', or 'changed' when the stage is the same."""
    if seen is not None and seen is prospect.stage:
        return (
            f"{prospect.domain} was changed by someone else (still in {prospect.stage.label}); "
            "reload to see the latest."
        )
    return f"{prospect.domain} was moved by someone else to {prospect.stage.label}; reload."


def _conflict(workspace_id: int, prospect_id: int, seen: Stage | None) -> Conflict:
    """After a lost race: roll back, read the row as committed and describe it."""
    db.session.rollback()
    fresh = get_prospect(workspace_id, prospect_id)
    return Conflict(conflict_message(fresh, seen), fresh.stage, fresh.version)


def move_card(
    workspace_id: int,
    prospect_id: int,
    to: Stage,
    expected_version: int,
    actor_id: int,
    seen: Stage | None = None,
) -> Prospect:
    """Move one prospect as a person; :class:`Conflict` when its version moved on meanwhile."""
    prospect = get_prospect(workspace_id, prospect_id)
    try:
        move(prospect, to, actor_id=actor_id, expected_version=expected_version)
        db.session.flush()  # a concurrent committed move makes this UPDATE match no row
    except StageConflict:
        raise Conflict(conflict_message(prospect, seen), prospect.stage, prospect.version) from None
    except StaleDataError:
        raise _conflict(workspace_id, prospect_id, seen) from None
    return prospect


@dataclass
class BulkResult:
    """What a bulk move did: domains moved, already there, and changed by someone else."""

    moved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def parse_picks(values: Iterable[str]) -> dict[int, int]:
    """Ticked cards as {prospect id: version seen} from 'id:version' values; junk is dropped."""
    picks: dict[int, int] = {}
    for value in values:
        prospect_id, _, version = value.partition(":")
        key, seen = parse_id(prospect_id), parse_id(version)
        if key is not None and seen is not None:
            picks[key] = seen
    return picks


def bulk_move(
    workspace_id: int, campaign_id: int, picks: dict[int, int], to: Stage, actor_id: int
) -> BulkResult:
    """Move the picked prospects of one campaign; stale ones are skipped and reported."""
    if len(picks) > BULK_LIMIT:
        raise ValueError(f"Move at most {BULK_LIMIT} prospects at once.")
    prospects = db.session.scalars(
        select(Prospect)
        .where(
            Prospect.workspace_id == workspace_id,
            Prospect.campaign_id == campaign_id,
            Prospect.id.in_(list(picks)),
        )
        .order_by(Prospect.domain)
    )
    result = BulkResult()
    for prospect in prospects:
        try:
            changed = move(prospect, to, actor_id=actor_id, expected_version=picks[prospect.id])
        except StageConflict:
            result.conflicts.append(prospect.domain)
            continue
        (result.moved if changed else result.unchanged).append(prospect.domain)
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(
            "Someone else moved some of these prospects at the same moment; nothing was moved. "
            "Reload and try again.",
            to,
            0,
        ) from None
    return result


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
        raise _conflict(prospect.workspace_id, prospect.id, None) from None
    return True
