"""Test data for pitches: prospects with contacts, mailboxes, templates and sequences."""

from __future__ import annotations

from typing import Any

from outreach.accounts.models import Workspace
from outreach.campaigns.models import Campaign, CampaignKind
from outreach.extensions import db
from outreach.pitches import library, sequences
from outreach.pitches.mailboxes import encrypt_password
from outreach.pitches.models import Mailbox, PitchTemplate, SmtpSecurity
from outreach.prospects.models import Contact, Prospect, ProspectContact, Stage
from tests.factories import Factory

FIRST = (
    "Hi {{ contact.first_name | default('there') }}",
    "I liked {{ prospect.page_title }} on {{ prospect.domain }}.\n"
    "Our guide: {{ our.page_url }}\n{{ sender.name }}",
)
FOLLOW_UP = ("ignored subject", "Just checking you saw my note, {{ contact.first_name | d('') }}")


def prospect(
    workspace: Workspace,
    campaign: Campaign,
    domain: str = "blog.example",
    email: str | None = None,
    first_name: str = "Ada",
    page_title: str = "Ten trails",
    stage: Stage = Stage.CONTACT_FOUND,
) -> tuple[Prospect, Contact]:
    """A prospect with one primary contact."""
    item = Prospect(
        workspace_id=workspace.id,
        campaign_id=campaign.id,
        domain=domain,
        page_title=page_title,
        stage=stage,
    )
    contact = Contact(
        workspace_id=workspace.id,
        email=email or f"editor@{domain}",
        first_name=first_name,
        domain=domain,
    )
    db.session.add_all([item, contact])
    db.session.flush()
    db.session.add(ProspectContact(prospect_id=item.id, contact_id=contact.id, is_primary=True))
    db.session.commit()
    return item, contact


def mailbox(workspace: Workspace, port: int = 25, **fields: Any) -> Mailbox:
    """A mailbox on a local SMTP server, without caps, gaps or sending hours by default."""
    password = fields.pop("password", "")
    owner_id = fields.pop("user_id", None)
    if owner_id is None:
        from outreach.accounts.models import Membership

        owner_id = db.session.scalars(
            db.select(Membership.user_id).where(Membership.workspace_id == workspace.id)
        ).first()
    values: dict[str, Any] = {
        "from_name": "Sam Sender",
        "from_email": "sender@ours.example",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": SmtpSecurity.NONE,
        "daily_cap": 0,
        "min_gap_seconds": 0,
        "jitter_seconds": 0,
        "sending_start_hour": 0,
        "sending_end_hour": 0,
        **fields,
    }
    box = Mailbox(workspace_id=workspace.id, user_id=owner_id, **values)
    box.smtp_password_encrypted = encrypt_password(password)
    db.session.add(box)
    db.session.commit()
    return box


def template(workspace: Workspace, subject: str, body: str, name: str = "Pitch") -> PitchTemplate:
    """A saved template."""
    item = library.create_template(workspace.id, name, CampaignKind.GUEST_POST, subject, body)
    db.session.commit()
    return item


def campaign_with_sequence(
    factory: Factory, workspace: Workspace, steps: int = 2, delay: int = 3
) -> Campaign:
    """A campaign whose sequence is the first pitch plus ``steps - 1`` follow-ups."""
    campaign = factory.campaign(workspace, target_pages=["https://ours.example/guide"])
    first = template(workspace, *FIRST, name="First")
    sequences.add_step(campaign, first, 0)
    for n in range(steps - 1):
        follow = template(workspace, *FOLLOW_UP, name=f"Follow-up {n + 1}")
        sequences.add_step(campaign, follow, delay)
    db.session.commit()
    return campaign
