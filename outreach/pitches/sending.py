"""Sending outbox rows through their mailboxes' SMTP servers (the job is in ``jobs.py``).

Each row is checked (due, previous step sent, sending hours, daily cap, gap), claimed,
checked again at send time (suppression list, bounces, stopped sequence, stage) and sent
over one reused SMTP connection per mailbox. An error the server answered is certain and
read by :mod:`delivery` (a 4xx is retried with a backoff, a 5xx is final); a connection
lost during the conversation is not, so that row goes to ``needs_review`` rather than being
sent again. In production nothing is sent while the base URL is not ``https://``.
"""

from __future__ import annotations

import contextlib
import random
import smtplib
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import select

from outreach.accounts.models import Workspace
from outreach.config import Settings
from outreach.db import utcnow
from outreach.extensions import db
from outreach.jobs.context import report_progress
from outreach.net.mail import MailRefused
from outreach.net.mail_smtp import open_smtp as connect_smtp
from outreach.net.settings import mail_policy_from_config
from outreach.pitches import delivery, events, mime, outbox, sequences
from outreach.pitches.mailboxes import decrypt_password, in_sending_hours, may_send_from, sent_today
from outreach.pitches.models import (
    EnrollmentStatus,
    Mailbox,
    MessageStatus,
    OutboundMessage,
    SequenceEnrollment,
    SequenceStep,
)
from outreach.pitches.suppression import suppressed_by
from outreach.prospects.models import Contact, Prospect
from outreach.urls import ascii_email

MAX_GAP_WAIT = 120.0  # a job waits this long at most for a mailbox's gap, else leaves the row


def deliver(
    message_ids: list[int],
    sleep: Callable[[float], None] = time.sleep,
    budget: float | None = None,
) -> dict[str, int]:
    """Send what can be sent now among these rows; returns a count per outcome.

    With a ``budget`` (seconds), no row is started once it is spent and no gap is waited
    past it: the rest stay queued ("later", "gap") for the next tick, so one workspace's
    batch never holds a mail worker for long.
    """
    outbox.recover_stalled()
    counts: Counter[str] = Counter()
    kept = set(db.session.identity_map.keys())
    pool = SmtpPool()
    deadline = None if budget is None else time.monotonic() + budget
    try:
        for done, message_id in enumerate(message_ids, 1):
            if deadline is not None and time.monotonic() >= deadline:
                counts["later"] += len(message_ids) - done + 1
                break
            counts[_deliver_one(message_id, pool, sleep, deadline)] += 1
            _forget_loaded_since(kept)  # else each commit expires an ever larger identity map
            if done % 100 == 0 or done == len(message_ids):
                report_progress(done=done, total=len(message_ids), **counts)
        if counts["later"]:
            report_progress(total=len(message_ids), **counts)
    finally:
        pool.close()
    return dict(counts)


def _forget_loaded_since(kept: set[Any]) -> None:
    """Detach what the last send loaded, keeping the caller's own objects."""
    for key in list(db.session.identity_map.keys()):
        obj = db.session.identity_map.get(key)
        if key not in kept and obj is not None:
            db.session.expunge(obj)


def open_smtp(mailbox: Mailbox) -> smtplib.SMTP:
    """A logged-in SMTP connection for a mailbox, under the mail address policy.

    Raises :class:`MailRefused` (a plain reason) when the policy refuses the server or the
    connection fails.
    """
    if mailbox.smtp_username and not mailbox.smtp_password_encrypted:
        raise MailRefused("the mailbox has no password: enter it on the mailbox page")
    return connect_smtp(
        mailbox.smtp_host,
        mailbox.smtp_port,
        mailbox.smtp_security.value,
        mailbox.smtp_username,
        lambda: decrypt_password(mailbox),
        mail_policy_from_config(current_app.config),
    )


class SmtpPool:
    """One open connection per mailbox for the length of a batch.

    A mailbox whose server could not be reached is not tried again in the same batch: its
    other rows are deferred at once instead of each waiting out the connection timeout.
    """

    def __init__(self) -> None:
        self.connections: dict[int, smtplib.SMTP] = {}
        self.refused: dict[int, MailRefused] = {}

    def get(self, mailbox: Mailbox) -> smtplib.SMTP:
        """The mailbox's connection, reopened when the server dropped it."""
        if mailbox.id in self.refused:
            raise self.refused[mailbox.id]
        smtp = self.connections.get(mailbox.id)
        if smtp is not None:
            try:
                if smtp.noop()[0] == 250:
                    return smtp
            except (OSError, smtplib.SMTPException):
                pass
            self.drop(mailbox.id)
        try:
            smtp = open_smtp(mailbox)
        except MailRefused as exc:
            self.refused[mailbox.id] = exc
            raise
        self.connections[mailbox.id] = smtp
        return smtp

    def drop(self, mailbox_id: int) -> None:
        """Forget a connection after an error."""
        smtp = self.connections.pop(mailbox_id, None)
        if smtp is not None:
            with contextlib.suppress(OSError):
                smtp.close()

    def close(self) -> None:
        """Say goodbye to every server."""
        for mailbox_id, smtp in list(self.connections.items()):
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.drop(mailbox_id)
        self.connections.clear()


def _not_yet(
    message: OutboundMessage,
    mailbox: Mailbox,
    sleep: Callable[[float], None],
    deadline: float | None = None,
) -> str:
    """Why the row must wait (empty when it may go now), sleeping out a short gap (one that
    ends before ``deadline``, a ``time.monotonic()`` value, when there is one)."""
    now = utcnow()
    if message.scheduled_at is not None and message.scheduled_at > now:
        return "not_due"
    if message.in_reply_to:
        previous = db.session.scalar(
            select(OutboundMessage.status).where(
                OutboundMessage.workspace_id == message.workspace_id,
                OutboundMessage.message_id == message.in_reply_to,
            )
        )
        if previous is not None and previous is not MessageStatus.SENT:  # None: not ours
            return "waiting_for_previous"
    if not in_sending_hours(mailbox, now):
        return "outside_hours"
    if mailbox.daily_cap and sent_today(mailbox, now) >= mailbox.daily_cap:
        return "daily_cap"
    if mailbox.min_gap_seconds and mailbox.last_sent_at is not None:
        jitter = random.uniform(0, mailbox.jitter_seconds) if mailbox.jitter_seconds else 0.0
        elapsed = (now - mailbox.last_sent_at).total_seconds()
        wait = mailbox.min_gap_seconds + jitter - elapsed
        if wait > MAX_GAP_WAIT or (deadline is not None and time.monotonic() + wait > deadline):
            return "gap"
        if wait > 0:
            db.session.commit()  # hold no transaction open while waiting
            sleep(wait)
    return ""


def _may_use(message: OutboundMessage, mailbox: Mailbox) -> bool:
    """Whether whoever started the row's sequence may still send from its mailbox."""
    if message.enrollment_id is None:
        return True
    enrollment = db.session.get(SequenceEnrollment, message.enrollment_id)
    started_by = enrollment.enrolled_by_id if enrollment is not None else None
    return started_by is None or may_send_from(mailbox, started_by)


def _blocked(message: OutboundMessage, contact: Contact) -> str:
    """Why the row must never go (checked after the claim, at send time)."""
    hit = suppressed_by(message.workspace_id, contact.email)
    if hit:
        return f"suppressed ({hit})"
    if contact.bouncing:
        return "the address bounces"
    if message.enrollment_id is not None:
        enrollment = db.session.get(SequenceEnrollment, message.enrollment_id)
        if enrollment is not None and enrollment.status is EnrollmentStatus.STOPPED:
            return f"sequence stopped: {enrollment.stop_reason}"
    prospect = db.session.get(Prospect, message.prospect_id)
    in_sequence = message.enrollment_id is not None  # a person's own answer goes whatever the stage
    if in_sequence and prospect is not None and prospect.stage in sequences.STOP_STAGES:
        return f"the prospect is {prospect.stage.label}"
    return ""


def _deliver_one(
    message_id: int, pool: SmtpPool, sleep: Callable[[float], None], deadline: float | None
) -> str:
    message = db.session.get(OutboundMessage, message_id, populate_existing=True)
    if message is None or message.status is not MessageStatus.QUEUED:
        return "not_queued"
    mailbox = db.session.get(Mailbox, message.mailbox_id) if message.mailbox_id else None
    if mailbox is None:
        message.status, message.hold_reason = MessageStatus.HELD, "no mailbox to send from"
        db.session.commit()
        return "held"
    wait = _not_yet(message, mailbox, sleep, deadline)
    db.session.commit()
    if wait:
        return wait
    if delivery.unsubscribe_link_problem():
        return "unsubscribe_link_not_https"
    if not outbox.claim(message_id):
        return "claimed_elsewhere"
    message = db.session.get(OutboundMessage, message_id, populate_existing=True)
    contact = db.session.get(Contact, message.contact_id) if message else None
    if message is None or contact is None:
        return "not_queued"
    if not _may_use(message, mailbox):
        reason = "the mailbox is no longer shared with the person who started this sequence"
        outbox.finish(message_id, MessageStatus.HELD, hold_reason=reason)
        return "held"
    reason = _blocked(message, contact)
    if reason:
        outbox.finish(message_id, MessageStatus.CANCELLED, hold_reason=reason)
        events.stop_enrollment(message.enrollment_id, reason)
        return "cancelled"
    return _transmit(message, mailbox, contact, pool)


def _answer_text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _hold(message: OutboundMessage, reason: str) -> str:
    outbox.finish(message.id, MessageStatus.HELD, hold_reason=reason)
    db.session.commit()
    return "held"


def _transmit(message: OutboundMessage, mailbox: Mailbox, contact: Contact, pool: SmtpPool) -> str:
    workspace = db.session.get(Workspace, message.workspace_id)
    to_address = ascii_email(contact.email)
    try:
        mail = mime.build(
            message,
            mailbox,
            to_address,
            Settings.from_config(current_app.config).base_url,
            workspace.postal_address if workspace else "",
        )
    except ValueError as exc:  # a line break in a header value: hold this one, go on
        return _hold(message, str(exc))
    try:
        smtp = pool.get(mailbox)
    except (MailRefused, ValueError) as exc:  # nothing was handed over
        return delivery.defer(message, f"connection failed: {exc}")
    try:
        smtp.send_message(mail, from_addr=ascii_email(mailbox.from_email), to_addrs=[to_address])
    except smtplib.SMTPNotSupportedError:  # checked before anything was sent
        return _hold(message, f"{to_address} needs SMTPUTF8, which {mailbox.smtp_host} lacks")
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()), (550, b""))
        return delivery.after_answer(message, mailbox, contact, "RCPT", code, _answer_text(text))
    except smtplib.SMTPResponseException as exc:
        stage = {smtplib.SMTPSenderRefused: "MAIL FROM", smtplib.SMTPDataError: "DATA"}
        pool.drop(mailbox.id)
        return delivery.after_answer(
            message,
            mailbox,
            contact,
            stage.get(type(exc), "SMTP"),
            exc.smtp_code,
            _answer_text(exc.smtp_error),
        )
    except (OSError, smtplib.SMTPException):  # lost mid-conversation: maybe delivered
        error = "interrupted: the connection was lost during the send; check before resending"
        outbox.finish(message.id, MessageStatus.NEEDS_REVIEW, error=error)
        db.session.commit()
        pool.drop(mailbox.id)
        return "needs_review"
    _record_sent(message, mailbox, contact)
    return "sent"


def _record_sent(message: OutboundMessage, mailbox: Mailbox, contact: Contact) -> None:
    now = utcnow()
    outbox.finish(message.id, MessageStatus.SENT, sent_at=now, error=None, deferred_since=None)
    mailbox.last_sent_at = now
    contact.last_pitched_at = now
    if message.enrollment_id is not None:
        following = db.session.scalars(
            select(OutboundMessage).where(
                OutboundMessage.enrollment_id == message.enrollment_id,
                OutboundMessage.in_reply_to == message.message_id,
            )
        )
        for nxt in following:
            step = db.session.get(SequenceStep, nxt.step_id) if nxt.step_id else None
            nxt.scheduled_at = sequences.add_business_days(
                now, step.delay_business_days if step else 1
            )
    detail: dict[str, Any] = {"subject": message.subject, "message_id": message.message_id}
    events.after_send(message.workspace_id, message.prospect_id, message.enrollment_id, detail)
