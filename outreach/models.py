"""Every model, imported so metadata is complete (for Alembic and ``create_all`` in tools)."""

from outreach.accounts.models import Invitation, Membership, Role, User, UserSession, Workspace
from outreach.activity.models import Activity
from outreach.backlinks.models import (
    Backlink,
    BacklinkImport,
    ColumnMapping,
    DataSource,
    Domain,
    DomainMetric,
    ImportStatus,
)
from outreach.campaigns.models import Campaign, CampaignKind, Competitor
from outreach.crawl.models import CrawlPage, CrawlRun, CrawlSite, CrawlStatus, Opportunity
from outreach.jobs.models import Task, TaskStatus
from outreach.links.models import Alert, AlertSubscription, LinkCheck, LinkStatus, PlacedLink
from outreach.pitches.models import (
    EnrollmentStatus,
    InboundKind,
    InboundMessage,
    InboundTriage,
    Mailbox,
    MessageStatus,
    OutboundMessage,
    PitchTemplate,
    PitchTemplateVersion,
    SequenceEnrollment,
    SequenceStep,
    SmtpSecurity,
    Suppression,
)
from outreach.prospects.models import (
    Contact,
    OpportunityKind,
    Prospect,
    ProspectContact,
    Stage,
)
from outreach.reports.models import ReferringDomainTarget
from outreach.scoring.page_models import DomainRelevance, FetchedPage

__all__ = [
    "Activity",
    "Alert",
    "AlertSubscription",
    "Backlink",
    "BacklinkImport",
    "Campaign",
    "CampaignKind",
    "ColumnMapping",
    "Competitor",
    "Contact",
    "CrawlPage",
    "CrawlRun",
    "CrawlSite",
    "CrawlStatus",
    "DataSource",
    "Domain",
    "DomainMetric",
    "DomainRelevance",
    "EnrollmentStatus",
    "FetchedPage",
    "ImportStatus",
    "InboundKind",
    "InboundMessage",
    "InboundTriage",
    "Invitation",
    "LinkCheck",
    "LinkStatus",
    "Mailbox",
    "Membership",
    "MessageStatus",
    "Opportunity",
    "OpportunityKind",
    "OutboundMessage",
    "PitchTemplate",
    "PitchTemplateVersion",
    "PlacedLink",
    "Prospect",
    "ProspectContact",
    "ReferringDomainTarget",
    "Role",
    "SequenceEnrollment",
    "SequenceStep",
    "SmtpSecurity",
    "Stage",
    "Suppression",
    "Task",
    "TaskStatus",
    "User",
    "UserSession",
    "Workspace",
]
