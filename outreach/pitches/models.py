"""Pitch templates, sequences, mailboxes, the outbox and the suppression list."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from outreach.campaigns.models import CampaignKind
from outreach.db import Base, LabelledEnum, TimestampMixin
from outreach.encryption import encrypted_column


class PitchTemplate(TimestampMixin, Base):
    """A user-written e-mail template (subject and body), rendered in Jinja2's sandbox."""

    __tablename__ = "pitch_template"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CampaignKind]
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)


class PitchTemplateVersion(Base):
    """An earlier text of a template, kept on every save."""

    __tablename__ = "pitch_template_version"
    __table_args__ = (UniqueConstraint("template_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("pitch_template.id", ondelete="CASCADE"))
    version: Mapped[int]
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    saved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    saved_at: Mapped[datetime]


class SequenceStep(TimestampMixin, Base):
    """One message of a campaign's sequence: the first (position 0) or a follow-up."""

    __tablename__ = "sequence_step"
    __table_args__ = (UniqueConstraint("campaign_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    position: Mapped[int]
    template_id: Mapped[int] = mapped_column(ForeignKey("pitch_template.id", ondelete="RESTRICT"))
    delay_business_days: Mapped[int] = mapped_column(default=0)


class EnrollmentStatus(enum.Enum):
    """Where a prospect's contact stands in a sequence; a stopped one never restarts by itself."""

    ACTIVE = "active"
    STOPPED = "stopped"
    FINISHED = "finished"


class SequenceEnrollment(TimestampMixin, Base):
    """One contact of one prospect going through a campaign's sequence."""

    __tablename__ = "sequence_enrollment"
    __table_args__ = (UniqueConstraint("campaign_id", "prospect_id", "contact_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    prospect_id: Mapped[int] = mapped_column(
        ForeignKey("prospect.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("mailbox.id", ondelete="SET NULL"))
    enrolled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    status: Mapped[EnrollmentStatus] = mapped_column(default=EnrollmentStatus.ACTIVE)
    stop_reason: Mapped[str | None] = mapped_column(String(200))
    stopped_at: Mapped[datetime | None]


class SmtpSecurity(enum.Enum):
    """How the SMTP connection is secured."""

    STARTTLS = "starttls"
    TLS = "tls"
    NONE = "none"


class Mailbox(TimestampMixin, Base):
    """A real mailbox a user sends from, with its limits; others send from it only if shared."""

    __tablename__ = "mailbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    from_name: Mapped[str] = mapped_column(String(200))
    from_email: Mapped[str] = mapped_column(String(320))
    smtp_host: Mapped[str]
    smtp_port: Mapped[int] = mapped_column(default=587)
    smtp_security: Mapped[SmtpSecurity] = mapped_column(default=SmtpSecurity.STARTTLS)
    smtp_username: Mapped[str] = mapped_column(default="")
    smtp_password_encrypted: Mapped[str] = mapped_column(Text, default="")
    imap_host: Mapped[str] = mapped_column(default="")
    imap_port: Mapped[int] = mapped_column(default=993)
    imap_tls: Mapped[bool] = mapped_column(default=True)
    daily_cap: Mapped[int] = mapped_column(default=50)
    min_gap_seconds: Mapped[int] = mapped_column(default=120)
    jitter_seconds: Mapped[int] = mapped_column(default=60)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    sending_problem: Mapped[str | None] = mapped_column(Text)  # a 5.7.x block, say
    sending_problem_at: Mapped[datetime | None]
    sending_start_hour: Mapped[int] = mapped_column(default=8)
    sending_end_hour: Mapped[int] = mapped_column(default=18)
    last_sent_at: Mapped[datetime | None]
    last_imap_uid: Mapped[int] = mapped_column(default=0)
    # UIDs hold only within one UIDVALIDITY (RFC 3501 2.3.1.1): when the server changes it,
    # the poller rescans by date from a little before the last poll.
    imap_uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    last_imap_poll_at: Mapped[datetime | None]
    shared: Mapped[bool] = mapped_column(default=False, server_default=false())
    poll_error: Mapped[str | None] = mapped_column(String(300))  # why the last IMAP poll failed


class MessageStatus(LabelledEnum):
    """Life of an outbox row; ``sending`` rows found after a crash go to ``needs_review``."""

    QUEUED = "queued", "queued"
    HELD = "held", "held"
    SENDING = "sending", "sending"
    SENT = "sent", "sent"
    FAILED = "failed", "failed"
    CANCELLED = "cancelled", "cancelled"
    NEEDS_REVIEW = "needs_review", "needs review"


class OutboundMessage(TimestampMixin, Base):
    """One e-mail in the outbox: the truth of what is queued and what was sent."""

    __tablename__ = "outbound_message"
    # The outbox's counts per status, read from the index alone; a mailbox's sends of the
    # day (its daily cap), read from a range of the second; the newest change (the version
    # of the cached counts), read from the end of the third.
    __table_args__ = (
        Index("ix_outbound_message_workspace_status", "workspace_id", "status"),
        Index("ix_outbound_message_mailbox_sent", "mailbox_id", "status", "sent_at"),
        Index("ix_outbound_message_updated_at", "updated_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    prospect_id: Mapped[int] = mapped_column(
        ForeignKey("prospect.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("mailbox.id", ondelete="SET NULL"))
    step_id: Mapped[int | None] = mapped_column(ForeignKey("sequence_step.id", ondelete="SET NULL"))
    status: Mapped[MessageStatus] = mapped_column(default=MessageStatus.QUEUED, index=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(255))
    references: Mapped[str | None] = mapped_column(Text)
    enrollment_id: Mapped[int | None] = mapped_column(
        ForeignKey("sequence_enrollment.id", ondelete="CASCADE"), index=True
    )
    unsubscribe_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    hold_reason: Mapped[str | None] = mapped_column(Text)
    scheduled_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    deferred_since: Mapped[datetime | None]  # the first temporary (4xx) answer of a retry run
    edited_at: Mapped[datetime | None]  # edited by hand: a release sends it as written


class InboundKind(LabelledEnum):
    """What an inbound message is; only a person's reply stops a sequence or moves the stage."""

    REPLY = "reply", "Reply"
    AUTO_REPLY = "auto_reply", "Automatic reply"
    OUT_OF_OFFICE = "out_of_office", "Out of office"
    READ_RECEIPT = "read_receipt", "Read receipt"
    CHALLENGE = "challenge", "Challenge-response"
    BOUNCE = "bounce", "Bounce"


class InboundTriage(LabelledEnum):
    """Whether an inbound message is tied to a prospect, waits for a person, or was dismissed."""

    MATCHED = "matched", "Matched"
    NEEDS_LOOK = "needs_look", "Needs a look"
    DISMISSED = "dismissed", "Dismissed"


class InboundMessage(TimestampMixin, Base):
    """A reply, automatic reply or bounce: matched to a prospect, or waiting in the inbox."""

    __tablename__ = "inbound_message"
    __table_args__ = (
        Index("ix_inbound_message_workspace_message_id", "workspace_id", "message_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    prospect_id: Mapped[int | None] = mapped_column(ForeignKey("prospect.id", ondelete="CASCADE"))
    mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("mailbox.id", ondelete="SET NULL"))
    message_id: Mapped[str] = mapped_column(String(255))
    in_reply_to: Mapped[str | None] = mapped_column(String(255))
    from_email: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    is_bounce: Mapped[bool] = mapped_column(default=False)
    received_at: Mapped[datetime]
    kind: Mapped[InboundKind] = mapped_column(default=InboundKind.REPLY)
    triage: Mapped[InboundTriage] = mapped_column(default=InboundTriage.MATCHED, index=True)
    matched_by: Mapped[str] = mapped_column(String(32), default="")  # headers, sender+subject...
    quoted: Mapped[str] = mapped_column(Text, default="")  # the quoted history, shown on demand
    return_on: Mapped[date | None]  # an out-of-office reply's return date, when it gives one
    read_at: Mapped[datetime | None]  # when a person opened it from the inbox


class Suppression(TimestampMixin, Base):
    """An address or a whole domain we must never write to from this workspace.

    Matching is by ``value_hash`` only (see :mod:`outreach.pitches.suppression`): an address
    is never stored, its ``label`` shows just its domain (``•••@example.com``). A domain
    entry's label is the domain.
    """

    __tablename__ = "suppression"
    __table_args__ = (UniqueConstraint("workspace_id", "value_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    value_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(String(200), default="")


encrypted_column(Mailbox.smtp_password_encrypted)  # `flask rotate-keys` re-encrypts it
