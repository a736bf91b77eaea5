"""Campaign sequences: steps, enrolling (queueing the outbox) and stopping. Callers commit.

Enrolling writes one outbox row per step at once, each with its own stable Message-ID, so
the thread is known before anything is sent: a follow-up replies to the previous step's
Message-ID, with ``Re: `` and the first subject. A follow-up is sent only after the step
before it was sent, N business days later. A stopped enrollment cancels its unsent rows and
is never restarted by the app.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from flask import abort, current_app
from sqlalchemy import or_, select, update

from outreach.campaigns.models import Campaign
from outreach.config import Settings
from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches import merge
from outreach.pitches.mailboxes import may_send_from
from outreach.pitches.models import (
    EnrollmentStatus,
    Mailbox,
    MessageStatus,
    OutboundMessage,
    PitchTemplate,
    SequenceEnrollment,
    SequenceStep,
)
from outreach.prospects.models import Contact, Prospect, ProspectContact, Stage
from outreach.urls import ascii_email
from outreach.web import timezone_named

UNSENT = (MessageStatus.QUEUED, MessageStatus.HELD)
_REPLY_PREFIX = re.compile(r"^\s*(re|aw|sv|antw)\s*:", re.IGNORECASE)
STOP_STAGES = frozenset(
    {Stage.REPLIED, Stage.LINK_PLACED, Stage.LIVE, Stage.REJECTED, Stage.DO_NOT_CONTACT}
)


class SequenceError(ValueError):
    """A sequence change or enrollment that cannot be done, with a message for the user."""


def weekday_from(moment: datetime) -> datetime:
    """``moment``, or when it falls on a Saturday or Sunday (in its own time zone) the Monday
    after at the same time."""
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    return moment


def add_business_days(start: datetime, days: int, zone: str | None = None) -> datetime:
    """``start`` moved ``days`` working days later at the same local time, Saturdays and
    Sundays of ``zone`` (the mailbox's time zone; UTC by default) skipped: a follow-up never
    falls on its mailbox's weekend. With no days it is ``start`` itself: a first step goes when
    the sequence is started, within its mailbox's sending hours, whatever the day."""
    local = start if start.tzinfo is None else start.astimezone(timezone_named(zone) or UTC)
    while days > 0:
        local += timedelta(days=1)
        if local.weekday() < 5:
            days -= 1
    return local if start.tzinfo is None else local.astimezone(start.tzinfo)


def reply_subject(subject: str) -> str:
    """``Re: `` and the subject, unless it already starts with one (no ``Re: Re: hello``)."""
    return subject if _REPLY_PREFIX.match(subject) else f"Re: {subject}"


def steps_of(campaign_id: int) -> list[SequenceStep]:
    """A campaign's steps in order."""
    return list(
        db.session.scalars(
            select(SequenceStep)
            .where(SequenceStep.campaign_id == campaign_id)
            .order_by(SequenceStep.position)
        )
    )


def get_step(workspace_id: int, step_id: int) -> SequenceStep:
    """One step of a campaign of the workspace; 404 otherwise."""
    step = db.session.get(SequenceStep, step_id)
    campaign = db.session.get(Campaign, step.campaign_id) if step else None
    if step is None or campaign is None or campaign.workspace_id != workspace_id:
        abort(404)
    return step


def add_step(campaign: Campaign, template: PitchTemplate, delay_business_days: int) -> SequenceStep:
    """Append a step; the first step's delay is always 0."""
    if template.workspace_id != campaign.workspace_id:
        raise SequenceError("That template belongs to another workspace.")
    position = len(steps_of(campaign.id))
    step = SequenceStep(
        campaign_id=campaign.id,
        position=position,
        template_id=template.id,
        delay_business_days=0 if position == 0 else max(delay_business_days, 1),
    )
    db.session.add(step)
    db.session.flush()
    return step


def remove_step(step: SequenceStep) -> None:
    """Remove a step and close the gap in positions."""
    campaign_id = step.campaign_id
    db.session.delete(step)
    db.session.flush()
    for position, other in enumerate(steps_of(campaign_id)):
        other.position = position + 1000  # two passes: the (campaign, position) key is unique
    db.session.flush()
    for position, other in enumerate(steps_of(campaign_id)):
        other.position = position
    db.session.flush()


def _domain_of(address: str) -> str:
    return ascii_email(address).rsplit("@", 1)[-1] or "outreach.invalid"


def new_message_id(mailbox: Mailbox) -> str:
    """A globally unique Message-ID on the sender's domain."""
    return f"<{uuid.uuid4().hex}@{_domain_of(mailbox.from_email)}>"


def repitch_warning(contact: Contact, campaign_id: int, now: datetime) -> str | None:
    """Why this contact should not be pitched again yet, if they were within the window."""
    days = Settings.from_config(current_app.config).repitch_days
    since = now - timedelta(days=days)
    recent = db.session.scalar(
        select(OutboundMessage.sent_at)
        .join(SequenceEnrollment, SequenceEnrollment.id == OutboundMessage.enrollment_id)
        .where(
            OutboundMessage.contact_id == contact.id,
            OutboundMessage.status == MessageStatus.SENT,
            OutboundMessage.sent_at >= since,
            SequenceEnrollment.campaign_id != campaign_id,
        )
        .limit(1)
    )
    last = contact.last_pitched_at
    if recent is None and (last is None or last < since):
        return None
    return f"{contact.email} was already pitched in the last {days} days; release to send anyway"


def enroll(
    campaign: Campaign,
    prospect: Prospect,
    contact: Contact,
    mailbox: Mailbox,
    enrolled_by_id: int | None = None,
) -> SequenceEnrollment:
    """Start the sequence for one contact: every step queued (or held, with the reason).

    ``enrolled_by_id`` is the person starting it, who must be allowed to send from the
    mailbox (their own, or a shared one); None is the system itself (tests, commands).
    """
    steps = steps_of(campaign.id)
    if not steps:
        raise SequenceError("The campaign has no sequence steps yet.")
    if mailbox.workspace_id != campaign.workspace_id or prospect.campaign_id != campaign.id:
        raise SequenceError("That prospect or mailbox belongs elsewhere.")
    if enrolled_by_id is not None and not may_send_from(mailbox, enrolled_by_id):
        raise SequenceError(f"{mailbox.from_email} is not yours and its user has not shared it.")
    existing = db.session.scalar(
        select(SequenceEnrollment).where(
            SequenceEnrollment.campaign_id == campaign.id,
            SequenceEnrollment.prospect_id == prospect.id,
            SequenceEnrollment.contact_id == contact.id,
        )
    )
    if existing is not None:
        raise SequenceError(
            f"{contact.email} is already in this sequence ({existing.status.value})."
        )
    now = utcnow()
    enrollment = SequenceEnrollment(
        workspace_id=campaign.workspace_id,
        campaign_id=campaign.id,
        prospect_id=prospect.id,
        contact_id=contact.id,
        mailbox_id=mailbox.id,
        enrolled_by_id=enrolled_by_id,
    )
    db.session.add(enrollment)
    db.session.flush()
    context = merge.build_context(contact, prospect, campaign, mailbox)
    warning = repitch_warning(contact, campaign.id, now)
    chain: list[str] = []
    first_subject = ""
    when = now
    for step in steps:
        template = db.session.get(PitchTemplate, step.template_id)
        assert template is not None
        rendered = merge.render_pitch(template.subject, template.body, context)
        if step.position == 0:
            first_subject = rendered.subject
            subject = rendered.subject
        else:
            subject = reply_subject(first_subject)
        when = add_business_days(when, step.delay_business_days, mailbox.timezone)
        reasons = [rendered.hold_reason, warning if step.position == 0 else None]
        reason = "; ".join(r for r in reasons if r) or None
        message = OutboundMessage(
            workspace_id=campaign.workspace_id,
            prospect_id=prospect.id,
            contact_id=contact.id,
            mailbox_id=mailbox.id,
            step_id=step.id,
            enrollment_id=enrollment.id,
            status=MessageStatus.HELD if reason else MessageStatus.QUEUED,
            hold_reason=reason,
            message_id=new_message_id(mailbox),
            in_reply_to=chain[-1] if chain else None,
            references=" ".join(chain) or None,
            unsubscribe_token=secrets.token_urlsafe(24),
            subject=subject,
            body=rendered.body,
            scheduled_at=when,
        )
        db.session.add(message)
        chain.append(message.message_id)
    db.session.flush()
    return enrollment


def contacts_of(prospect: Prospect) -> list[Contact]:
    """A prospect's contacts, primary first."""
    return list(
        db.session.scalars(
            select(Contact)
            .join(ProspectContact, ProspectContact.contact_id == Contact.id)
            .where(ProspectContact.prospect_id == prospect.id)
            .order_by(ProspectContact.is_primary.desc(), Contact.id)
        )
    )


def stop(enrollment: SequenceEnrollment, reason: str) -> int:
    """Stop one enrollment for good and cancel its unsent messages; returns how many."""
    if enrollment.status is EnrollmentStatus.ACTIVE:
        enrollment.status = EnrollmentStatus.STOPPED
        enrollment.stop_reason = reason[:200]
        enrollment.stopped_at = utcnow()
    result = db.session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.enrollment_id == enrollment.id,
            OutboundMessage.status.in_(UNSENT),
        )
        .values(status=MessageStatus.CANCELLED, hold_reason=f"sequence stopped: {reason}")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def stop_for(
    workspace_id: int, reason: str, prospect_id: int | None = None, contact_id: int | None = None
) -> int:
    """Stop every active sequence of a prospect and/or a contact; returns messages cancelled."""
    query = select(SequenceEnrollment).where(SequenceEnrollment.workspace_id == workspace_id)
    conditions = []
    if prospect_id is not None:
        conditions.append(SequenceEnrollment.prospect_id == prospect_id)
    if contact_id is not None:
        conditions.append(SequenceEnrollment.contact_id == contact_id)
    if not conditions:
        return 0
    cancelled = 0
    for enrollment in db.session.scalars(query.where(or_(*conditions))):
        cancelled += stop(enrollment, reason)
    return cancelled


def steps_left(enrollment: SequenceEnrollment) -> int:
    """Unsent (queued or held) messages left in an enrollment."""
    return len(
        db.session.scalars(
            select(OutboundMessage.id).where(
                OutboundMessage.enrollment_id == enrollment.id,
                OutboundMessage.status.in_(UNSENT),
            )
        ).all()
    )
