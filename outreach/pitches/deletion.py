"""Deleting mailboxes, templates and contacts, and the outbox checks every deletion makes
(campaigns: :mod:`outreach.pipeline.deletion`). Callers commit.

Deletion lives here because each one must first look at the outbox, which this package
owns: nothing is deleted while one of its messages is being handed to a mail server
(``sending``), so a send never loses its row half-way. Rows are deleted with plain DELETE
statements and the database's ``ON DELETE`` rules do the rest (a contact's messages and
enrollments, a template's versions).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, or_, select, update

from outreach.activity.models import Activity
from outreach.activity.services import record
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.pitches import suppression
from outreach.pitches.models import (
    InboundMessage,
    Mailbox,
    MessageStatus,
    OutboundMessage,
    PitchTemplate,
    SequenceEnrollment,
    SequenceStep,
)
from outreach.prospects.models import Contact, ProspectContact

WAITING = (MessageStatus.QUEUED, MessageStatus.HELD)


class DeletionRefused(ValueError):
    """Something that cannot be deleted now, with a message for the user."""


@dataclass(frozen=True)
class Impact:
    """What a deletion takes with it, for the confirmation page: ``(what, how many)``."""

    lines: tuple[tuple[str, int], ...]


def count(statement: Select[Any]) -> int:
    """The number a ``SELECT count(*)`` answers."""
    return int(db.session.scalar(statement) or 0)


def messages(*where: ColumnElement[bool]) -> Select[Any]:
    """Count the outbox rows matching ``where``."""
    return select(func.count()).select_from(OutboundMessage).where(*where)


def refuse_while_sending(*where: ColumnElement[bool]) -> None:
    """DeletionRefused while an outbox row matching ``where`` is being sent."""
    if count(messages(OutboundMessage.status == MessageStatus.SENDING, *where)):
        raise DeletionRefused(
            "A message is being handed to the mail server right now; try again in a minute."
        )


def mailbox_impact(box: Mailbox) -> Impact:
    """The queued messages a mailbox deletion cancels."""
    waiting = count(
        messages(OutboundMessage.mailbox_id == box.id, OutboundMessage.status.in_(WAITING))
    )
    return Impact((("queued or held messages from it, which are cancelled", waiting),))


def delete_mailbox(box: Mailbox, actor_id: int) -> int:
    """Delete a mailbox and its stored password; its waiting messages are cancelled."""
    refuse_while_sending(OutboundMessage.mailbox_id == box.id)
    result = db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.mailbox_id == box.id, OutboundMessage.status.in_(WAITING))
        .values(status=MessageStatus.CANCELLED, error="Its mailbox was deleted.")
        .execution_options(synchronize_session=False)
    )
    record(box.workspace_id, "mailbox", box.id, "deleted", {"by": actor_id})
    db.session.execute(delete(Mailbox).where(Mailbox.id == box.id))
    return int(getattr(result, "rowcount", 0) or 0)


def template_impact(item: PitchTemplate) -> Impact:
    """The sequence steps that use a template (they block its deletion)."""
    steps = count(
        select(func.count()).select_from(SequenceStep).where(SequenceStep.template_id == item.id)
    )
    return Impact((("sequence steps using it (remove them first)", steps),))


def delete_template(item: PitchTemplate, actor_id: int) -> None:
    """Delete a template and its versions; refused while a sequence step uses it."""
    campaigns = list(
        db.session.scalars(
            select(Campaign.name)
            .join(SequenceStep, SequenceStep.campaign_id == Campaign.id)
            .where(SequenceStep.template_id == item.id)
            .distinct()
            .order_by(Campaign.name)
            .limit(5)
        )
    )
    if campaigns:
        raise DeletionRefused(
            "The sequence of " + ", ".join(campaigns) + " uses this template: take it out first."
        )
    record(item.workspace_id, "template", item.id, "deleted", {"by": actor_id})
    db.session.execute(delete(PitchTemplate).where(PitchTemplate.id == item.id))


def contact_impact(contact: Contact) -> Impact:
    """The messages, enrollments and prospect links a contact deletion removes."""
    waiting = count(
        messages(OutboundMessage.contact_id == contact.id, OutboundMessage.status.in_(WAITING))
    )
    others = count(messages(OutboundMessage.contact_id == contact.id)) - waiting
    enrollments = count(
        select(func.count())
        .select_from(SequenceEnrollment)
        .where(SequenceEnrollment.contact_id == contact.id)
    )
    prospects = count(
        select(func.count())
        .select_from(ProspectContact)
        .where(ProspectContact.contact_id == contact.id)
    )
    return Impact(
        (
            ("queued or held messages to them", waiting),
            ("sent or ended messages to them", others),
            ("sequence enrollments", enrollments),
            ("prospects they are a contact of", prospects),
        )
    )


def delete_contact(contact: Contact, actor_id: int, keep_suppressed: bool) -> None:
    """Forget a contact: its messages (queued ones too), enrollments and replies from its
    address go with it. ``keep_suppressed`` adds the address to the suppression list, which
    keeps only a hash of it, so nobody writes to them again."""
    refuse_while_sending(OutboundMessage.contact_id == contact.id)
    prospect_ids = list(
        db.session.scalars(
            select(ProspectContact.prospect_id).where(ProspectContact.contact_id == contact.id)
        )
    )
    _scrub_activity(contact, prospect_ids)
    if keep_suppressed:
        # An address the list cannot hold has nothing to keep.
        with contextlib.suppress(suppression.SuppressionError):
            suppression.suppress(contact.workspace_id, contact.email, "contact deleted")
    db.session.execute(
        delete(InboundMessage).where(
            InboundMessage.workspace_id == contact.workspace_id,
            func.lower(InboundMessage.from_email) == contact.email.lower(),
        )
    )
    record(contact.workspace_id, "contact", contact.id, "deleted", {"by": actor_id})
    db.session.execute(delete(Contact).where(Contact.id == contact.id))


def _scrubbed(value: Any, address: str, label: str) -> Any:
    if isinstance(value, str):
        return re.sub(re.escape(address), label, value, flags=re.IGNORECASE)
    if isinstance(value, dict):
        return {key: _scrubbed(item, address, label) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, address, label) for item in value]
    return value


def _scrub_activity(contact: Contact, prospect_ids: list[int]) -> None:
    """Take the address out of the timeline entries of the contact and its prospects."""
    address = contact.email.lower()
    label = suppression.label_of(address)
    entries = db.session.scalars(
        select(Activity).where(
            Activity.workspace_id == contact.workspace_id,
            or_(
                (Activity.subject_type == "contact") & (Activity.subject_id == contact.id),
                (Activity.subject_type == "prospect") & Activity.subject_id.in_(prospect_ids),
            ),
        )
    )
    for entry in entries:
        cleaned = _scrubbed(entry.detail, address, label)
        if cleaned != entry.detail:
            entry.detail = cleaned
