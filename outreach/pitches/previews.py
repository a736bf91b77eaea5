"""Live preview of a template against a real prospect of the workspace."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.pitches import merge, sandbox, sequences
from outreach.pitches.models import Mailbox, PitchTemplate
from outreach.prospects.models import Prospect


@dataclass
class Preview:
    """What a template renders to for one prospect, and what is missing."""

    prospect: Prospect | None = None
    subject: str = ""
    body: str = ""
    missing: list[str] = field(default_factory=list)
    problem: str = ""


def preview(workspace_id: int, template: PitchTemplate, prospect_id: int | None) -> Preview | None:
    """Render a template for a prospect's primary contact; None when no prospect was chosen."""
    if prospect_id is None:
        return None
    prospect = db.session.get(Prospect, prospect_id)
    if prospect is None or prospect.workspace_id != workspace_id:
        return Preview(problem="No such prospect in this workspace.")
    campaign = db.session.get(Campaign, prospect.campaign_id)
    contacts = sequences.contacts_of(prospect)
    if campaign is None or not contacts:
        return Preview(prospect=prospect, problem="This prospect has no contact yet.")
    mailbox = db.session.scalar(
        select(Mailbox).where(Mailbox.workspace_id == workspace_id).order_by(Mailbox.id).limit(1)
    )
    context = merge.build_context(contacts[0], prospect, campaign, mailbox)
    check = sandbox.check_pitch(template.subject, template.body)
    if not check.ok:
        return Preview(prospect=prospect, problem="The template is refused.")
    missing = sandbox.missing_fields(check, context)
    for name in missing:  # shown in place, so the person sees where the blank would be
        root, attr = name.split(".", 1)
        context[root][attr] = f"[{name} is empty]"
    try:
        subject = sandbox.render(template.subject, context)
        body = sandbox.render(template.body, context)
    except sandbox.RenderError as exc:
        return Preview(prospect=prospect, missing=missing, problem=str(exc))
    return Preview(prospect=prospect, subject=subject, body=body, missing=missing)
