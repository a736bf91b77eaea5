"""Builders for the isolation test: one resource of each pitch route argument."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from outreach.accounts.models import Workspace
from outreach.extensions import db
from outreach.pitches import sequences, suppression
from tests.factories import Factory
from tests.pitches import builders


def _template(factory: Factory, workspace: Workspace) -> int:
    return builders.template(workspace, "Hello", "Hi {{ contact.first_name }}").id


def _mailbox(factory: Factory, workspace: Workspace) -> int:
    return builders.mailbox(workspace).id


def _step(factory: Factory, workspace: Workspace) -> int:
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    return sequences.steps_of(campaign.id)[0].id


def _message(factory: Factory, workspace: Workspace) -> int:
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    prospect, contact = builders.prospect(workspace, campaign, f"{uuid.uuid4().hex[:8]}.example")
    enrollment = sequences.enroll(campaign, prospect, contact, builders.mailbox(workspace))
    db.session.commit()
    from outreach.pitches.models import OutboundMessage

    found = db.session.scalars(
        select(OutboundMessage.id).where(OutboundMessage.enrollment_id == enrollment.id)
    ).first()
    assert found is not None
    return found


def _suppression(factory: Factory, workspace: Workspace) -> int:
    entry = suppression.suppress(workspace.id, "someone@example.org")
    db.session.commit()
    return entry.id


def _inbound(factory: Factory, workspace: Workspace) -> int:
    from outreach.db import utcnow
    from outreach.pitches.models import InboundMessage, InboundTriage

    row = InboundMessage(
        workspace_id=workspace.id,
        message_id=f"<{uuid.uuid4().hex}@blog.example>",
        from_email="chief@blog.example",
        subject="RE: Hi",
        body="Yes.",
        triage=InboundTriage.NEEDS_LOOK,
        received_at=utcnow(),
    )
    db.session.add(row)
    db.session.commit()
    return row.id


BUILDERS: dict[str, Callable[[Factory, Workspace], Any]] = {
    "template_id": _template,
    "mailbox_id": _mailbox,
    "step_id": _step,
    "message_id": _message,
    "suppression_id": _suppression,
    "inbound_id": _inbound,
}
