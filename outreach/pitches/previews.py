"""Live preview of template text against a prospect of the workspace, with errors per field.

The text previewed is whatever is being typed (saved or not). A prospect without a contact,
or no prospect at all, is previewed with empty contact fields, so ``default("there")``
shows what such a message would say; fields that would hold the message are listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.pitches import merge, sandbox, sequences
from outreach.pitches.models import Mailbox
from outreach.prospects.models import Contact, Prospect

FIELDS = ("subject", "body")


@dataclass
class Preview:
    """What template text renders to for one prospect, what is missing, and what is wrong."""

    prospect: Prospect | None = None
    subject: str = ""
    body: str = ""
    missing: list[str] = field(default_factory=list)
    problem: str = ""
    errors: dict[str, list[str]] = field(default_factory=lambda: {name: [] for name in FIELDS})
    without_contact: bool = False

    def as_json(self) -> dict[str, object]:
        """The preview for the editor's script."""
        return {
            "prospect": self.prospect.domain if self.prospect else None,
            "subject": self.subject,
            "body": self.body,
            "missing": self.missing,
            "problem": self.problem,
            "errors": self.errors,
            "without_contact": self.without_contact,
        }


def field_errors(subject: str, body: str) -> dict[str, list[str]]:
    """The sandbox's problems with the text, under the field they belong to."""
    errors: dict[str, list[str]] = {name: [] for name in FIELDS}
    for problem in sandbox.check_pitch(subject, body).problems:
        if problem.line == 1:
            errors["subject"].append(problem.message)
        else:  # check_pitch numbers the body from line 2
            errors["body"].append(f"line {problem.line - 1}: {problem.message}")
    return errors


def _context(
    workspace_id: int, prospect: Prospect | None, mailbox_id: int | None
) -> tuple[merge.Context, bool]:
    """The merge fields for a prospect's primary contact, and whether contact fields are blank.

    The sender is the chosen mailbox when it is the workspace's, else its first one.
    """
    query = select(Mailbox).where(Mailbox.workspace_id == workspace_id)
    chosen = query.where(Mailbox.id == mailbox_id) if mailbox_id else None
    mailbox = (db.session.scalar(chosen) if chosen is not None else None) or db.session.scalar(
        query.order_by(Mailbox.id).limit(1)
    )
    if prospect is None:
        blank = {root: dict.fromkeys(names, "") for root, names in sandbox.FIELDS.items()}
        if mailbox is not None:
            blank["sender"] = {"name": mailbox.from_name, "email": mailbox.from_email}
        return blank, True
    campaign = db.session.get_one(Campaign, prospect.campaign_id)
    contacts = sequences.contacts_of(prospect)
    contact = contacts[0] if contacts else Contact(workspace_id=workspace_id, email="")
    return merge.build_context(contact, prospect, campaign, mailbox), not contacts


def preview_text(
    workspace_id: int,
    subject: str,
    body: str,
    prospect_id: int | None,
    mailbox_id: int | None = None,
) -> Preview:
    """Render subject and body for a prospect of the workspace (or none), with the errors."""
    prospect = db.session.get(Prospect, prospect_id) if prospect_id is not None else None
    if prospect is not None and prospect.workspace_id != workspace_id:
        prospect = None
    result = Preview(prospect=prospect, errors=field_errors(subject, body))
    if any(result.errors.values()):
        result.problem = "Fix the problems under the fields to see the preview."
        return result
    context, result.without_contact = _context(workspace_id, prospect, mailbox_id)
    result.missing = sandbox.missing_fields(sandbox.check_pitch(subject, body), context)
    for name in result.missing:  # shown in place, so the person sees where the blank would be
        root, attr = name.split(".", 1)
        context[root][attr] = f"[{name} is empty]"
    try:
        result.subject = sandbox.render(subject, context)
        result.body = sandbox.render(body, context)
    except sandbox.RenderError as exc:
        result.problem = str(exc)
    return result
