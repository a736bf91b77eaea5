"""Who a prospect is written to and when it was last written to, for the prospects table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from outreach.extensions import db
from outreach.pitches.models import MessageStatus, OutboundMessage
from outreach.prospects.models import Contact, ProspectContact


@dataclass(frozen=True)
class ContactFacts:
    """A prospect's primary contact (or first one) and when mail last went to it."""

    email: str | None = None
    contacts: int = 0
    last_contacted: datetime | None = None


def contact_facts(prospect_ids: list[int]) -> dict[int, ContactFacts]:
    """The facts of each prospect among ``prospect_ids`` (two queries, whatever the count)."""
    if not prospect_ids:
        return {}
    emails: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(ProspectContact.prospect_id, Contact.email)
        .join(Contact, Contact.id == ProspectContact.contact_id)
        .where(ProspectContact.prospect_id.in_(prospect_ids))
        .order_by(ProspectContact.prospect_id, ProspectContact.is_primary.desc(), Contact.id)
    )
    for prospect_id, email in rows:
        emails.setdefault(prospect_id, []).append(email)
    last = dict(
        db.session.execute(
            select(OutboundMessage.prospect_id, func.max(OutboundMessage.sent_at))
            .where(
                OutboundMessage.prospect_id.in_(prospect_ids),
                OutboundMessage.status == MessageStatus.SENT,
            )
            .group_by(OutboundMessage.prospect_id)
        ).all()
    )
    facts = {}
    for prospect_id in prospect_ids:
        found = emails.get(prospect_id, [])
        first = found[0] if found else None
        facts[prospect_id] = ContactFacts(first, len(found), last.get(prospect_id))
    return facts
