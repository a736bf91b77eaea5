"""Starting a campaign's sequence for many prospects at once, skipping those who must not get mail.

Each prospect is checked before anything is queued: its stage, another active sequence for
its domain, mail sent to its domain within the repitch hold, and a contact with a usable
address (valid, not bouncing, not suppressed). One contact per prospect is enrolled, the
primary one first. The outcome names every prospect, enrolled or skipped, with the reason.
Callers commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select

from outreach.campaigns.models import Campaign
from outreach.config import Settings
from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches import sequences
from outreach.pitches.models import (
    EnrollmentStatus,
    Mailbox,
    MessageStatus,
    OutboundMessage,
    SequenceEnrollment,
)
from outreach.pitches.suppression import suppressed_by
from outreach.prospects.models import Contact, Prospect, ProspectScore, Stage

MAX_TOP = 500
MAX_CHOSEN = 500  # prospects one request may enrol
# Beyond the stages the sender refuses, a prospect mid-conversation or that never answered a
# sequence is not pitched cold again.
SKIP_STAGES = sequences.STOP_STAGES | {Stage.NEGOTIATING, Stage.NO_RESPONSE}


@dataclass(frozen=True)
class Enrolled:
    """A prospect whose sequence was queued, and the address it goes to."""

    prospect_id: int
    domain: str
    email: str
    held: bool


@dataclass(frozen=True)
class Skipped:
    """A prospect left out, and why."""

    prospect_id: int
    domain: str
    reason: str


@dataclass
class EnrolmentOutcome:
    """Who was enrolled and who was skipped."""

    enrolled: list[Enrolled] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def summary(self) -> str:
        """One sentence for a flash message."""
        held = sum(1 for item in self.enrolled if item.held)
        text = f"Sequence started for {len(self.enrolled)} prospect(s)"
        if held:
            text += f", {held} of them with a held first message"
        if self.skipped:
            text += f"; {len(self.skipped)} skipped"
        return text + "."


def _unusable(workspace_id: int, contact: Contact) -> str | None:
    """Why mail must not go to this contact, if it must not."""
    try:
        validate_email(contact.email, check_deliverability=False)
    except EmailNotValidError:
        return f"{contact.email} is not a valid address"
    if contact.bouncing:
        return f"{contact.email} bounced"
    label = suppressed_by(workspace_id, contact.email)
    if label is not None:
        return f"{contact.email} is on the suppression list ({label})"
    return None


def _active_elsewhere(campaign: Campaign, domain: str) -> str | None:
    """The name of another campaign with an active sequence for this domain, if any."""
    return db.session.scalar(
        select(Campaign.name)
        .join(SequenceEnrollment, SequenceEnrollment.campaign_id == Campaign.id)
        .join(Prospect, Prospect.id == SequenceEnrollment.prospect_id)
        .where(
            SequenceEnrollment.workspace_id == campaign.workspace_id,
            SequenceEnrollment.status == EnrollmentStatus.ACTIVE,
            SequenceEnrollment.campaign_id != campaign.id,
            Prospect.domain == domain,
        )
        .limit(1)
    )


def _last_contacted(workspace_id: int, domain: str, hold_days: float) -> str | None:
    """The date mail last went to this domain, when that was within the repitch hold."""
    since = utcnow() - timedelta(days=hold_days)
    sent = db.session.scalar(
        select(func.max(OutboundMessage.sent_at))
        .join(Prospect, Prospect.id == OutboundMessage.prospect_id)
        .where(
            OutboundMessage.workspace_id == workspace_id,
            OutboundMessage.status == MessageStatus.SENT,
            OutboundMessage.sent_at >= since,
            Prospect.domain == domain,
        )
    )
    return sent.date().isoformat() if sent is not None else None


def _already_here(campaign: Campaign, prospect: Prospect) -> SequenceEnrollment | None:
    return db.session.scalar(
        select(SequenceEnrollment)
        .where(
            SequenceEnrollment.campaign_id == campaign.id,
            SequenceEnrollment.prospect_id == prospect.id,
        )
        .limit(1)
    )


def skip_reason(campaign: Campaign, prospect: Prospect, hold_days: float) -> str | None:
    """Why this prospect must not be enrolled, before its contacts are looked at."""
    if prospect.stage in SKIP_STAGES:
        return f"it is in {prospect.stage.label}"
    existing = _already_here(campaign, prospect)
    if existing is not None:
        return f"it is already in this sequence ({existing.status.value})"
    other = _active_elsewhere(campaign, prospect.domain)
    if other is not None:
        return f"it is in an active sequence of the campaign {other}"
    contacted = _last_contacted(campaign.workspace_id, prospect.domain, hold_days)
    if contacted is not None:
        return f"it was contacted on {contacted}, within the {hold_days:g}-day repitch hold"
    return None


def _usable_contact(workspace_id: int, prospect: Prospect) -> tuple[Contact | None, str]:
    """The first contact mail may go to (primary first), or why there is none."""
    contacts = sequences.contacts_of(prospect)
    if not contacts:
        return None, "it has no contact"
    reasons = []
    for contact in contacts:
        reason = _unusable(workspace_id, contact)
        if reason is None:
            return contact, ""
        reasons.append(reason)
    return None, "; ".join(reasons)


def enrol_prospects(
    campaign: Campaign,
    prospects: Iterable[Prospect],
    mailbox: Mailbox,
    enrolled_by_id: int | None,
) -> EnrolmentOutcome:
    """Start the sequence for each prospect that may get mail; name the rest with the reason."""
    if not sequences.steps_of(campaign.id):
        raise sequences.SequenceError("The campaign has no sequence steps yet.")
    hold_days = Settings.from_config(current_app.config).repitch_days
    outcome = EnrolmentOutcome()
    for prospect in prospects:
        reason = skip_reason(campaign, prospect, hold_days)
        contact = None
        if reason is None:
            contact, reason = _usable_contact(campaign.workspace_id, prospect)
        if contact is None:
            outcome.skipped.append(Skipped(prospect.id, prospect.domain, reason))
            continue
        enrollment = sequences.enroll(campaign, prospect, contact, mailbox, enrolled_by_id)
        first = db.session.scalar(
            select(OutboundMessage.status)
            .where(OutboundMessage.enrollment_id == enrollment.id)
            .order_by(OutboundMessage.scheduled_at, OutboundMessage.id)
            .limit(1)
        )
        held = first is MessageStatus.HELD
        outcome.enrolled.append(Enrolled(prospect.id, prospect.domain, contact.email, held))
    return outcome


def top_by_score(campaign: Campaign, count: int) -> list[Prospect]:
    """The campaign's ``count`` best-scored prospects that may still be pitched."""
    count = max(1, min(count, MAX_TOP))
    enrolled = select(SequenceEnrollment.prospect_id).where(
        SequenceEnrollment.campaign_id == campaign.id
    )
    return list(
        db.session.scalars(
            select(Prospect)
            .outerjoin(
                ProspectScore,
                (ProspectScore.campaign_id == Prospect.campaign_id)
                & (ProspectScore.domain == Prospect.domain),
            )
            .where(
                Prospect.campaign_id == campaign.id,
                Prospect.stage.not_in(SKIP_STAGES),
                Prospect.id.not_in(enrolled),
            )
            .order_by(ProspectScore.score.desc().nulls_last(), Prospect.id)
            .limit(count)
        )
    )
