"""Send jobs hold a mail worker for a slice only: a budget, no long gap waits, one timeout per
unreachable mailbox."""

from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import select

from outreach.extensions import db
from outreach.pitches import sequences
from outreach.pitches.models import MessageStatus, OutboundMessage
from outreach.pitches.sending import deliver
from tests.factories import Factory
from tests.pitches import builders
from tests.support.silent import silent_server
from tests.support.smtp import SmtpServer


def _first_pitches(factory: Factory, port: int, count: int, **mailbox: object) -> list[int]:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    box = builders.mailbox(workspace, port, **mailbox)
    for n in range(count):
        prospect, contact = builders.prospect(workspace, campaign, domain=f"site{n}.example")
        sequences.enroll(campaign, prospect, contact, box)
    db.session.commit()
    return list(db.session.scalars(select(OutboundMessage.id).order_by(OutboundMessage.id)))


def _statuses() -> list[MessageStatus]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboundMessage.status).order_by(OutboundMessage.id)))


def test_a_mailbox_whose_server_never_greets_costs_one_timeout_per_batch(
    app: Flask, factory: Factory
) -> None:
    app.config["OUTREACH_MAIL_TIMEOUT"] = 0.5
    with silent_server() as server:
        ids = _first_pitches(factory, server.port, 3)
        started = time.monotonic()
        assert deliver(ids) == {"deferred": 3}
        took = time.monotonic() - started
        assert server.connections == 1, "the other rows did not try the dead server again"
    assert took < 3 * 0.5, f"{took:.1f} s"
    rows = list(db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))
    assert all(row.status is MessageStatus.QUEUED for row in rows)
    assert all("timed out" in (row.error or "") for row in rows), [r.error for r in rows]


def test_a_batch_leaves_what_its_budget_does_not_cover_for_the_next_tick(
    app: Flask, factory: Factory, smtp: SmtpServer
) -> None:
    ids = _first_pitches(factory, smtp.port, 3, min_gap_seconds=2)
    started = time.monotonic()
    counts = deliver(ids, budget=0.5)
    assert time.monotonic() - started < 2, "no gap was waited past the budget"
    assert counts["sent"] == 1 and sum(counts.values()) == 3
    assert set(counts) <= {"sent", "gap", "later"}
    assert _statuses().count(MessageStatus.QUEUED) == 2
    assert len(smtp.recorder.message_ids()) == 1
    assert deliver(ids) == {"sent": 2, "not_queued": 1}, "without a budget, the gap is waited"
