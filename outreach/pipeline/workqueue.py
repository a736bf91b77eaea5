"""Today as a work queue: this week's work across the workspace, grouped, each with its action.

Replies waiting for an answer, follow-ups due (queued or held), reclamation tasks, unread
link alerts, bounces and the user's own reminders. Each group is bounded; the page says
when there is more than it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from outreach.accounts.models import User
from outreach.activity.models import Activity
from outreach.campaigns.models import Campaign
from outreach.db import utcnow
from outreach.extensions import db
from outreach.links.models import Alert
from outreach.pitches.models import (
    InboundKind,
    InboundMessage,
    InboundTriage,
    MessageStatus,
    OutboundMessage,
    SequenceStep,
)
from outreach.prospects.models import Prospect, Stage

PER_GROUP = 50
WEEK = timedelta(days=7)
CLOSED = frozenset({Stage.LIVE, Stage.LOST, Stage.REJECTED, Stage.DO_NOT_CONTACT})


@dataclass(frozen=True)
class Item:
    """One piece of work: what, about which prospect, since or until when."""

    title: str
    detail: str
    at: datetime | date | None
    prospect_id: int | None = None
    prospect_version: int | None = None
    message_id: int | None = None
    alert_id: int | None = None


@dataclass
class WorkQueue:
    """The groups of the Today page, in the order a link builder works through them."""

    replies: list[Item] = field(default_factory=list)
    follow_ups: list[Item] = field(default_factory=list)
    reclamations: list[Item] = field(default_factory=list)
    alerts: list[Item] = field(default_factory=list)
    bounces: list[Item] = field(default_factory=list)
    reminders: list[Item] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing to do this week."""
        return not any(vars(self).values())


def _replies(workspace_id: int, now: datetime) -> list[Item]:
    answered_after = (
        select(OutboundMessage.id)
        .where(
            OutboundMessage.prospect_id == InboundMessage.prospect_id,
            OutboundMessage.status == MessageStatus.SENT,
            OutboundMessage.sent_at > InboundMessage.received_at,
        )
        .exists()
    )
    rows = db.session.execute(
        select(InboundMessage, Prospect.domain, Prospect.version)
        .join(Prospect, Prospect.id == InboundMessage.prospect_id)
        .where(
            InboundMessage.workspace_id == workspace_id,
            InboundMessage.kind == InboundKind.REPLY,
            InboundMessage.triage == InboundTriage.MATCHED,
            InboundMessage.received_at >= now - 2 * WEEK,
            Prospect.stage == Stage.REPLIED,
            ~answered_after,
        )
        .order_by(InboundMessage.received_at)
        .limit(PER_GROUP)
    )
    return [
        Item(f"{domain} replied", f"{m.from_email}: {m.subject}", m.received_at, m.prospect_id, v)
        for m, domain, v in rows
    ]


def _follow_ups(workspace_id: int, now: datetime) -> list[Item]:
    rows = db.session.execute(
        select(OutboundMessage, Prospect.domain, SequenceStep.position)
        .join(Prospect, Prospect.id == OutboundMessage.prospect_id)
        .join(SequenceStep, SequenceStep.id == OutboundMessage.step_id)
        .where(
            OutboundMessage.workspace_id == workspace_id,
            OutboundMessage.status.in_((MessageStatus.QUEUED, MessageStatus.HELD)),
            SequenceStep.position > 0,
            OutboundMessage.scheduled_at <= now + WEEK,
        )
        .order_by(OutboundMessage.scheduled_at)
        .limit(PER_GROUP)
    )
    items = []
    for message, domain, position in rows:
        held = message.status is MessageStatus.HELD
        detail = f"held: {message.hold_reason}" if held else "queued"
        items.append(
            Item(
                f"Follow-up {position} to {domain}",
                detail,
                message.scheduled_at,
                message.prospect_id,
                message_id=message.id if held else None,
            )
        )
    return items


def _reclamations(workspace_id: int, today: date) -> list[Item]:
    rows = db.session.execute(
        select(Activity, Prospect.domain, Prospect.due_on)
        .join(Prospect, Prospect.id == Activity.subject_id)
        .where(
            Activity.workspace_id == workspace_id,
            Activity.subject_type == "prospect",
            Activity.action == "reclamation_task",
            Prospect.workspace_id == workspace_id,
            Prospect.due_on.is_not(None),
            Prospect.due_on <= today + WEEK,
        )
        .order_by(Prospect.due_on, Activity.id.desc())
        .limit(PER_GROUP)
    )
    items, seen = [], set()
    for entry, domain, due_on in rows:
        if entry.subject_id in seen:
            continue
        seen.add(entry.subject_id)
        page = str((entry.detail or {}).get("page_url", ""))
        items.append(Item(f"Reclaim the link on {domain}", page, due_on, entry.subject_id))
    return items


def _alerts(workspace_id: int) -> list[Item]:
    alerts = db.session.scalars(
        select(Alert)
        .where(Alert.workspace_id == workspace_id, Alert.read_at.is_(None))
        .order_by(Alert.created_at.desc())
        .limit(PER_GROUP)
    )
    return [
        Item(a.kind.replace("_", " ").capitalize(), a.message, a.created_at, alert_id=a.id)
        for a in alerts
    ]


def _bounces(workspace_id: int, now: datetime) -> list[Item]:
    rows = db.session.execute(
        select(InboundMessage, Prospect.domain)
        .join(Prospect, Prospect.id == InboundMessage.prospect_id)
        .where(
            InboundMessage.workspace_id == workspace_id,
            InboundMessage.kind == InboundKind.BOUNCE,
            InboundMessage.received_at >= now - WEEK,
        )
        .order_by(InboundMessage.received_at.desc())
        .limit(PER_GROUP)
    )
    return [
        Item(f"A message to {domain} bounced", "find another contact", m.received_at, m.prospect_id)
        for m, domain in rows
    ]


def _reminders(workspace_id: int, user: User, today: date) -> list[Item]:
    rows = db.session.execute(
        select(Prospect, Campaign.name)
        .join(Campaign, Campaign.id == Prospect.campaign_id)
        .where(
            Prospect.workspace_id == workspace_id,
            Prospect.owner_id == user.id,
            Prospect.due_on <= today + WEEK,
            Prospect.stage.not_in(CLOSED),
        )
        .order_by(Prospect.due_on)
        .limit(PER_GROUP)
    )
    return [
        Item(p.domain, p.reminder or f"{p.stage.label} · {name}", p.due_on, p.id, p.version)
        for p, name in rows
    ]


def work_queue(workspace_id: int, user: User, now: datetime | None = None) -> WorkQueue:
    """This week's work for the user in the workspace."""
    now = now or utcnow()
    reclamations = _reclamations(workspace_id, now.date())
    listed = {item.prospect_id for item in reclamations}
    return WorkQueue(
        replies=_replies(workspace_id, now),
        follow_ups=_follow_ups(workspace_id, now),
        reclamations=reclamations,
        alerts=_alerts(workspace_id),
        bounces=_bounces(workspace_id, now),
        reminders=[
            r for r in _reminders(workspace_id, user, now.date()) if r.prospect_id not in listed
        ],
    )
