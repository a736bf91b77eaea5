"""Import every model so metadata is complete (for Alembic and ``create_all`` in tools)."""

from outreach.accounts.models import Invitation, Membership, Role, User, Workspace
from outreach.activity.models import Activity
from outreach.backlinks.models import (
    Backlink,
    BacklinkImport,
    ColumnMapping,
    DataSource,
    Domain,
    DomainMetric,
)
from outreach.campaigns.models import Campaign, CampaignKind, Competitor
from outreach.crawl import models as crawl_models  # noqa: F401  (crawl tables)
from outreach.jobs.models import Task, TaskStatus
from outreach.links.models import Alert, LinkCheck, LinkStatus, PlacedLink
from outreach.pitches.models import (
    InboundMessage,
    Mailbox,
    MessageStatus,
    OutboundMessage,
    PitchTemplate,
    PitchTemplateVersion,
    SequenceStep,
    Suppression,
)
from outreach.prospects.models import Contact, Prospect, ProspectContact, Stage
from outreach.reports.models import ReferringDomainTarget

__all__ = [
    "Activity",
    "Alert",
    "Backlink",
    "BacklinkImport",
    "Campaign",
    "CampaignKind",
    "ColumnMapping",
    "Competitor",
    "Contact",
    "DataSource",
    "Domain",
    "DomainMetric",
    "InboundMessage",
    "Invitation",
    "LinkCheck",
    "LinkStatus",
    "Mailbox",
    "Membership",
    "MessageStatus",
    "OutboundMessage",
    "PitchTemplate",
    "PitchTemplateVersion",
    "PlacedLink",
    "Prospect",
    "ProspectContact",
    "ReferringDomainTarget",
    "Role",
    "SequenceStep",
    "Stage",
    "Suppression",
    "Task",
    "TaskStatus",
    "User",
    "Workspace",
]
