"""Every model, imported so metadata is complete (for Alembic and ``create_all`` in tools)."""

from outreach.accounts.models import Invitation, Membership, Role, User, UserSession, Workspace
from outreach.activity.models import Activity
from outreach.api.models import ApiToken
from outreach.backlinks.models import (
    Backlink,
    BacklinkImport,
    ColumnMapping,
    DataSource,
    Domain,
    DomainMetric,
    ImportStatus,
    TargetSummary,
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
    ProspectScore,
    Stage,
)
from outreach.reports.models import ReferringDomainTarget
from outreach.scoring.models import (
    BlockedEntry,
    BlockKind,
    OutreachRank,
    RankedDomain,
    RankedList,
    ScoringWeights,
)
from outreach.scoring.page_models import DomainRelevance, FetchedPage

__all__ = [
    "Activity",
    "Alert",
    "AlertSubscription",
    "ApiToken",
    "Backlink",
    "BacklinkImport",
    "BlockKind",
    "BlockedEntry",
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
    "OutreachRank",
    "PitchTemplate",
    "PitchTemplateVersion",
    "PlacedLink",
    "Prospect",
    "ProspectContact",
    "ProspectScore",
    "RankedDomain",
    "RankedList",
    "ReferringDomainTarget",
    "Role",
    "ScoringWeights",
    "SequenceEnrollment",
    "SequenceStep",
    "SmtpSecurity",
    "Stage",
    "Suppression",
    "TargetSummary",
    "Task",
    "TaskStatus",
    "User",
    "UserSession",
    "Workspace",
]
