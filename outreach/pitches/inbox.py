"""The inbox: inbound messages the poller could not tie to a prospect for certain.

A person attaches one to a prospect (it then counts as if it had matched: a reply stops
the sequence and moves the stage, an out-of-office delays the next step) or dismisses it.
Callers commit, except :func:`attach`, which acts on the message as the poller would.
"""

from __future__ import annotations

from sqlalchemy import func, select

from outreach.extensions import db
from outreach.pitches import matching, replies
from outreach.pitches.models import InboundMessage, InboundTriage
from outreach.prospects.models import Contact, Prospect, ProspectContact
from outreach.scoping import get_in_workspace

LIMIT = 200


class InboxError(ValueError):
    """An inbox decision that cannot be made, with a message for the user."""


def needing_look(workspace_id: int, limit: int = LIMIT) -> list[InboundMessage]:
    """Messages waiting for a person, newest first."""
    return list(
        db.session.scalars(
            select(InboundMessage)
            .where(
                InboundMessage.workspace_id == workspace_id,
                InboundMessage.triage == InboundTriage.NEEDS_LOOK,
            )
            .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
            .limit(limit)
        )
    )


def recent(workspace_id: int, limit: int = 30) -> list[tuple[InboundMessage, Prospect]]:
    """The latest messages tied to a prospect, with it, newest first."""
    return [
        (row, prospect)
        for row, prospect in db.session.execute(
            select(InboundMessage, Prospect)
            .join(Prospect, Prospect.id == InboundMessage.prospect_id)
            .where(
                InboundMessage.workspace_id == workspace_id,
                InboundMessage.triage == InboundTriage.MATCHED,
            )
            .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
            .limit(limit)
        )
    ]


def get_message(workspace_id: int, inbound_id: int) -> InboundMessage:
    """One inbound message of the workspace; 404 otherwise."""
    return get_in_workspace(InboundMessage, workspace_id, inbound_id)


def suggestions(row: InboundMessage) -> list[Prospect]:
    """Prospects the message may belong to, the likeliest first."""
    ids = matching.candidates(row.workspace_id, row.from_email, row.subject)
    found = {
        p.id: p
        for p in db.session.scalars(
            select(Prospect).where(Prospect.workspace_id == row.workspace_id, Prospect.id.in_(ids))
        )
    }
    return [found[i] for i in ids if i in found]


def find_prospect(workspace_id: int, prospect_id: int | None, domain: str) -> Prospect:
    """The prospect a person chose, by id or by domain (the latest one with that domain)."""
    prospect: Prospect | None = None
    if prospect_id:
        prospect = db.session.get(Prospect, prospect_id)
    elif domain.strip():
        prospect = db.session.scalars(
            select(Prospect)
            .where(
                Prospect.workspace_id == workspace_id,
                func.lower(Prospect.domain) == domain.strip().lower(),
            )
            .order_by(Prospect.id.desc())
            .limit(1)
        ).first()
    if prospect is None or prospect.workspace_id != workspace_id:
        raise InboxError("Choose a prospect of this workspace, or type its domain.")
    return prospect


def attach(row: InboundMessage, prospect: Prospect, actor_id: int | None) -> None:
    """Tie a message to a prospect and act on it as on a match; commits."""
    if row.triage is not InboundTriage.NEEDS_LOOK or row.prospect_id is not None:
        raise InboxError("That message is already settled.")
    if prospect.workspace_id != row.workspace_id:
        raise InboxError("That prospect belongs to another workspace.")
    row.prospect_id = prospect.id
    row.triage = InboundTriage.MATCHED
    row.matched_by = "person"
    contact_id = db.session.scalar(
        select(Contact.id)
        .join(ProspectContact, ProspectContact.contact_id == Contact.id)
        .where(
            ProspectContact.prospect_id == prospect.id,
            func.lower(Contact.email) == row.from_email.lower(),
        )
        .limit(1)
    )
    db.session.flush()
    replies.settle(row, contact_id, actor_id=actor_id)


def dismiss(row: InboundMessage) -> None:
    """A person's decision: the message is about nothing of ours. Callers commit."""
    if row.triage is not InboundTriage.NEEDS_LOOK:
        raise InboxError("That message is already settled.")
    row.triage = InboundTriage.DISMISSED
