"""A prospect's timeline: messages sent and received, notes, stage changes and link checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from outreach.activity.services import history
from outreach.db import utcnow
from outreach.extensions import db
from outreach.links.models import LinkCheck, PlacedLink
from outreach.pitches.models import (
    InboundKind,
    InboundMessage,
    InboundTriage,
    MessageStatus,
    OutboundMessage,
)
from outreach.prospects.models import Prospect, Stage

LIMIT_PER_SOURCE = 200


@dataclass
class Entry:
    """One thing that happened to a prospect."""

    at: datetime
    kind: str  # sent, received, note, stage, check, event
    title: str
    body: str = ""
    actor: str = ""
    quoted: str = ""  # a message's quoted history, shown behind a toggle


def _label(value: object) -> str:
    try:
        return Stage(str(value)).label
    except ValueError:
        return str(value)


def _activities(prospect: Prospect, names: dict[int, str]) -> list[Entry]:
    entries = []
    for item in history(prospect.workspace_id, "prospect", prospect.id)[:LIMIT_PER_SOURCE]:
        actor = names.get(item.actor_id, "someone") if item.actor_id else "automatically"
        detail = item.detail or {}
        if item.action == "note":
            entries.append(
                Entry(item.created_at, "note", "Note", str(detail.get("text", "")), actor)
            )
        elif item.action == "stage_changed":
            title = f"Moved to {_label(detail.get('to'))}"
            if detail.get("from"):
                title = f"Moved from {_label(detail['from'])} to {_label(detail.get('to'))}"
            entries.append(
                Entry(item.created_at, "stage", title, str(detail.get("reason", "")), actor)
            )
        elif item.action == "follow_up_delayed":
            until = str(detail.get("return_on") or detail.get("until", ""))[:10]
            title = f"Next step delayed until {until} (out of office)"
            body = f"{detail.get('from', '')}: {detail.get('subject', '')}"
            entries.append(Entry(item.created_at, "event", title, body, actor))
        elif item.action == "details_changed":
            changed = ", ".join(f"{key}: {value or '—'}" for key, value in detail.items())
            entries.append(Entry(item.created_at, "event", "Details changed", changed, actor))
        else:
            entries.append(
                Entry(
                    item.created_at,
                    "event",
                    item.action.replace("_", " ").capitalize(),
                    str(detail.get("summary", "")),
                    actor,
                )
            )
    return entries


def _messages(prospect: Prospect) -> list[Entry]:
    sent = db.session.scalars(
        select(OutboundMessage)
        .where(
            OutboundMessage.workspace_id == prospect.workspace_id,
            OutboundMessage.prospect_id == prospect.id,
            OutboundMessage.status == MessageStatus.SENT,
        )
        .order_by(OutboundMessage.id.desc())
        .limit(LIMIT_PER_SOURCE)
    )
    received = db.session.scalars(
        select(InboundMessage)
        .where(
            InboundMessage.workspace_id == prospect.workspace_id,
            InboundMessage.prospect_id == prospect.id,
            InboundMessage.triage == InboundTriage.MATCHED,
        )
        .order_by(InboundMessage.received_at.desc())
        .limit(LIMIT_PER_SOURCE)
    )
    entries = [Entry(m.sent_at or m.updated_at, "sent", f"Sent: {m.subject}", m.body) for m in sent]
    entries += [
        Entry(m.received_at, "received", _received_title(m), m.body, quoted=m.quoted)
        for m in received
    ]
    return entries


def _received_title(message: InboundMessage) -> str:
    kind = InboundKind.BOUNCE if message.is_bounce else message.kind
    if kind is InboundKind.BOUNCE:  # what it means (hard, temporary, ours) is in its body
        return f"Delivery report from {message.from_email}: {message.subject}"
    title = f"{kind.label} from {message.from_email}"
    if kind is InboundKind.OUT_OF_OFFICE and message.return_on is not None:
        title += f" (back on {message.return_on.isoformat()})"
    elif kind is InboundKind.CHALLENGE:
        title += " (asks us to verify we are human; the sequence goes on)"
    elif kind is not InboundKind.REPLY:
        title += " (the sequence goes on)"
    return f"{title}: {message.subject}"


def _checks(prospect: Prospect) -> list[Entry]:
    rows = db.session.execute(
        select(LinkCheck, PlacedLink.page_url)
        .join(PlacedLink, PlacedLink.id == LinkCheck.placed_link_id)
        .where(
            PlacedLink.workspace_id == prospect.workspace_id,
            PlacedLink.prospect_id == prospect.id,
        )
        .order_by(LinkCheck.checked_at.desc())
        .limit(LIMIT_PER_SOURCE)
    )
    entries = []
    for check, page_url in rows:
        status = f" (HTTP {check.http_status})" if check.http_status else ""
        title = f"Link check: {check.verdict.value.replace('_', ' ')}{status}"
        entries.append(Entry(check.checked_at, "check", title, page_url))
    return entries


def timeline(prospect: Prospect, names: dict[int, str]) -> list[Entry]:
    """Everything that happened to the prospect, newest first."""
    entries = _activities(prospect, names) + _messages(prospect) + _checks(prospect)
    return sorted(entries, key=lambda entry: entry.at or utcnow(), reverse=True)
