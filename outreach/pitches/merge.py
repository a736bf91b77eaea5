"""Merge-field contexts: plain dicts of strings built from a contact, prospect and campaign."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from outreach.backlinks.models import Backlink
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.pitches import sandbox
from outreach.pitches.models import Mailbox
from outreach.prospects.models import Contact, Prospect

Context = dict[str, dict[str, str]]


@dataclass
class Rendered:
    """A subject and body rendered for one contact, or the reason it must be held."""

    subject: str
    body: str
    hold_reason: str | None


def _competitor_link(prospect: Prospect, campaign: Campaign, lost: bool) -> Backlink | None:
    competitors = [c.domain for c in campaign.competitors]
    if not competitors:
        return None
    query = select(Backlink).where(
        Backlink.workspace_id == prospect.workspace_id,
        Backlink.source_domain == prospect.domain,
        Backlink.target_domain.in_(competitors),
    )
    if lost:
        query = query.where(Backlink.lost_at.is_not(None))
    return db.session.scalars(query.order_by(Backlink.id).limit(1)).first()


def build_context(
    contact: Contact, prospect: Prospect, campaign: Campaign, mailbox: Mailbox | None
) -> Context:
    """The merge fields for one message, every value a string (empty when unknown)."""
    link = _competitor_link(prospect, campaign, lost=False)
    broken = _competitor_link(prospect, campaign, lost=True)
    full_name = f"{contact.first_name} {contact.last_name}".strip()
    return {
        "contact": {
            "first_name": contact.first_name or "",
            "last_name": contact.last_name or "",
            "full_name": full_name,
            "email": contact.email,
        },
        "prospect": {
            "domain": prospect.domain,
            "page_url": prospect.page_url or "",
            "page_title": prospect.page_title or "",
        },
        "campaign": {"name": campaign.name, "site_domain": campaign.site_domain or ""},
        "competitor": {
            "domain": link.target_domain if link else "",
            "link_url": link.target_url if link else "",
        },
        "broken_link": {"url": broken.target_url if broken else ""},
        "our": {
            "page_url": campaign.target_pages[0] if campaign.target_pages else "",
            "site": campaign.site_domain or "",
        },
        "sender": {
            "name": mailbox.from_name if mailbox else "",
            "email": mailbox.from_email if mailbox else "",
        },
    }


def render_pitch(subject: str, body: str, context: Context) -> Rendered:
    """Render subject and body; fields empty without a default hold the message back."""
    check = sandbox.check_pitch(subject, body)
    if not check.ok:
        raise sandbox.TemplateRefused(check.problems)
    missing = sandbox.missing_fields(check, context)
    if missing:
        reason = "empty merge field(s) without a default: " + ", ".join(missing)
        return Rendered(subject, body, reason)
    try:
        rendered = Rendered(sandbox.render(subject, context), sandbox.render(body, context), None)
    except sandbox.RenderError as exc:
        return Rendered(subject, body, f"could not render: {exc}")
    if "\r" in rendered.subject or "\n" in rendered.subject:
        fields = sorted(sandbox.check_text(subject).fields)
        broken = [f for f in fields if _has_line_break(context, f)] or fields
        rendered.hold_reason = "a line break (CR or LF) in the subject from: " + ", ".join(broken)
    return rendered


def _has_line_break(context: Context, name: str) -> bool:
    root, _, attr = name.partition(".")
    value = context.get(root, {}).get(attr, "")
    return "\r" in value or "\n" in value
