"""Prospects' pipeline stages: moves (one or many, by hand or automatic), conflicts, counts.

Every move is recorded in the activity log. Callers commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from blinker import Namespace
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from outreach.activity import events
from outreach.activity.services import record
from outreach.extensions import db
from outreach.prospects.models import Prospect, Stage
from outreach.scoping import get_in_workspace
from outreach.web import parse_id

BULK_LIMIT = 500

# Stages a prospect leaves only by a person's hand; automatic moves never pull it out.
TERMINAL = frozenset({Stage.REJECTED, Stage.DO_NOT_CONTACT})


# Sent after each move, in the mover's transaction, with ``previous`` and ``to``: features
# react there (a closing stage stops the prospect's sequences, in outreach.pitches.events).
stage_changed = Namespace().signal("prospect-stage-changed")


class StageConflict(Exception):
    """Someone else changed the prospect since the mover loaded it."""


def move(
    prospect: Prospect,
    to: Stage,
    *,
    actor_id: int | None = None,
    expected_version: int | None = None,
    reason: str | None = None,
    automatic: bool = False,
) -> bool:
    """Put a prospect in a stage and log it; False when nothing changed.

    ``expected_version`` is the version the person saw: a different current version
    raises :class:`StageConflict` instead of silently overwriting their teammate's move.
    Automatic moves (a send, a reply, a verification) skip terminal stages.
    """
    if expected_version is not None and prospect.version != expected_version:
        raise StageConflict(
            f"{prospect.domain} was changed by someone else (now in {prospect.stage.label})."
        )
    if prospect.stage is to:
        return False
    if automatic and prospect.stage in TERMINAL:
        return False
    previous = prospect.stage
    prospect.stage = to
    detail = {"from": previous.value, "to": to.value}
    if reason:
        detail["reason"] = reason
    events.emit(
        prospect.workspace_id,
        events.STAGE_CHANGED,
        {
            "prospect_id": prospect.id,
            "campaign_id": prospect.campaign_id,
            "domain": prospect.domain,
            "from": previous.value,
            "to": to.value,
            "reason": reason,
            "automatic": automatic,
        },
    )
    record(
        prospect.workspace_id, "prospect", prospect.id, "stage_changed", detail, actor_id=actor_id
    )
    stage_changed.send(prospect, previous=previous, to=to)
    return True


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


def conflict_after_race(workspace_id: int, prospect_id: int, seen: Stage | None) -> Conflict:
    """After a lost race: roll back, read the row as committed and describe it."""
    db.session.rollback()
    fresh = get_in_workspace(Prospect, workspace_id, prospect_id)
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
    prospect = get_in_workspace(Prospect, workspace_id, prospect_id)
    try:
        move(prospect, to, actor_id=actor_id, expected_version=expected_version)
        db.session.flush()  # a concurrent committed move makes this UPDATE match no row
    except StageConflict:
        raise Conflict(conflict_message(prospect, seen), prospect.stage, prospect.version) from None
    except StaleDataError:
        raise conflict_after_race(workspace_id, prospect_id, seen) from None
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


def stage_counts(workspace_id: int, campaign_id: int | None = None) -> dict[Stage, int]:
    """How many prospects sit in each stage (of one campaign, or the whole workspace)."""
    query = select(Prospect.stage, func.count()).where(Prospect.workspace_id == workspace_id)
    if campaign_id is not None:
        query = query.where(Prospect.campaign_id == campaign_id)
    counts = {stage: 0 for stage in Stage}
    for stage, count in db.session.execute(query.group_by(Prospect.stage)):
        counts[stage] = count
    return counts
