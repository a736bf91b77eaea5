"""Moving prospects between pipeline stages, with the move recorded. Callers commit."""

from __future__ import annotations

from outreach.activity.services import record
from outreach.prospects.models import Prospect, Stage

# Stages a prospect leaves only by a person's hand; automatic moves never pull it out.
TERMINAL = frozenset({Stage.REJECTED, Stage.DO_NOT_CONTACT})


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
    record(
        prospect.workspace_id, "prospect", prospect.id, "stage_changed", detail, actor_id=actor_id
    )
    return True
