"""What follows a send, a reply or a bounce: pipeline stages, activity and stopped sequences."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from outreach.activity.services import record
from outreach.extensions import db
from outreach.pitches import sequences
from outreach.pitches.models import EnrollmentStatus, SequenceEnrollment
from outreach.prospects.models import Contact, Prospect, Stage
from outreach.prospects.stages import move, stage_changed


def _move_stage(prospect_id: int, stage: Stage, reason: str, tries: int = 3) -> None:
    """Move a prospect automatically, retrying when a teammate changed it meanwhile."""
    for _ in range(tries):
        prospect = db.session.get(Prospect, prospect_id, populate_existing=True)
        if prospect is None:
            return
        try:
            move(prospect, stage, reason=reason, automatic=True)
            db.session.commit()
            return
        except StaleDataError:
            db.session.rollback()


def after_send(
    workspace_id: int, prospect_id: int, enrollment_id: int | None, detail: dict[str, Any]
) -> None:
    """Log the send (same commit as the sent status) and move the prospect to Contacted.

    The stage moves in a second transaction, so a teammate's concurrent edit of the
    prospect can never undo the record that the message went out.
    """
    record(workspace_id, "prospect", prospect_id, "email_sent", detail)
    if enrollment_id is not None:
        enrollment = db.session.get(SequenceEnrollment, enrollment_id)
        if (
            enrollment is not None
            and enrollment.status is EnrollmentStatus.ACTIVE
            and not sequences.steps_left(enrollment)
        ):
            enrollment.status = EnrollmentStatus.FINISHED
    db.session.commit()
    prospect = db.session.get(Prospect, prospect_id)
    if prospect is not None and prospect.stage in (
        Stage.PROSPECT,
        Stage.QUALIFIED,
        Stage.CONTACT_FOUND,
        Stage.QUEUED,
    ):
        _move_stage(prospect_id, Stage.CONTACTED, "e-mail sent")


def after_reply(
    workspace_id: int, prospect_id: int, detail: dict[str, Any], actor_id: int | None = None
) -> int:
    """Log a reply, stop the prospect's sequences and move it to Replied; returns cancelled."""
    record(workspace_id, "prospect", prospect_id, "email_replied", detail, actor_id=actor_id)
    cancelled = sequences.stop_for(workspace_id, "the prospect replied", prospect_id=prospect_id)
    db.session.commit()
    _move_stage(prospect_id, Stage.REPLIED, "reply received")
    return cancelled


def after_bounce(
    workspace_id: int, contact_id: int, prospect_id: int | None, detail: dict[str, Any]
) -> int:
    """Mark the contact as bouncing and stop its sequences; returns messages cancelled."""
    contact = db.session.get(Contact, contact_id)
    if contact is not None:
        contact.bouncing = True
    if prospect_id is not None:
        record(workspace_id, "prospect", prospect_id, "email_bounced", detail)
    cancelled = sequences.stop_for(workspace_id, "the address bounced", contact_id=contact_id)
    db.session.commit()
    return cancelled


def after_unsubscribe(workspace_id: int, contact_id: int, prospect_id: int, email: str) -> int:
    """Log an unsubscribe and stop the contact's sequences; returns messages cancelled."""
    record(workspace_id, "prospect", prospect_id, "unsubscribed", {"email": email})
    cancelled = sequences.stop_for(workspace_id, "unsubscribed", contact_id=contact_id)
    db.session.commit()
    return cancelled


@stage_changed.connect
def stop_on_closing_stage(prospect: Prospect, *, to: Stage, **_: Any) -> None:
    """A prospect moved to a stage that ends pitching (Replied, Link placed, Live, Rejected, Do
    not contact): its sequences stop and their unsent messages are cancelled, in the move's
    transaction."""
    if to in sequences.STOP_STAGES:
        reason = f"the prospect moved to {to.label}"
        sequences.stop_for(prospect.workspace_id, reason, prospect_id=prospect.id)


def stop_enrollment(enrollment_id: int | None, reason: str) -> None:
    """Stop one enrollment (if any) and commit."""
    enrollment = db.session.get(SequenceEnrollment, enrollment_id) if enrollment_id else None
    if enrollment is not None:
        sequences.stop(enrollment, reason)
    db.session.commit()
