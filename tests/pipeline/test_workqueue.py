"""Today as a work queue: each group of this week's work, and each item's one-click action."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from outreach.activity.services import record
from outreach.db import utcnow
from outreach.extensions import db
from outreach.links.models import Alert
from outreach.pitches import sequences
from outreach.pitches.models import (
    InboundKind,
    InboundMessage,
    MessageStatus,
    OutboundMessage,
)
from outreach.prospects.models import Stage
from tests.factories import Factory, SignIn
from tests.pipeline.helpers import current, prospect, teammate
from tests.pitches import builders


def _section(page: str, key: str) -> str:
    start = page.index(f'id="today-{key}"')
    end = page.find("</section>", start)
    return page[start:end]


def _inbound(item: object, kind: InboundKind, days_ago: float, subject: str = "Re: idea") -> None:
    db.session.add(
        InboundMessage(
            workspace_id=item.workspace_id,  # type: ignore[attr-defined]
            prospect_id=item.id,  # type: ignore[attr-defined]
            message_id=f"<{kind.value}{days_ago}@them>",
            from_email="ed@them.example",
            subject=subject,
            body="Sounds good",
            kind=kind,
            received_at=utcnow() - timedelta(days=days_ago),
        )
    )
    db.session.commit()


def test_replies_wait_until_answered_and_move_on_in_one_click(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    waiting = prospect(campaign, "waiting.example", Stage.REPLIED)
    answered = prospect(campaign, "answered.example", Stage.REPLIED)
    auto = prospect(campaign, "auto.example", Stage.REPLIED)
    _inbound(waiting, InboundKind.REPLY, 1)
    _inbound(answered, InboundKind.REPLY, 2)
    _inbound(auto, InboundKind.OUT_OF_OFFICE, 1)
    contact = builders.prospect(workspace, campaign, "x.example")[1]
    db.session.add(
        OutboundMessage(
            workspace_id=workspace.id,
            prospect_id=answered.id,
            contact_id=contact.id,
            status=MessageStatus.SENT,
            message_id="<answer@ours>",
            subject="Re: idea",
            body="Great",
            sent_at=utcnow() - timedelta(days=1),
        )
    )
    db.session.commit()
    replies = _section(client.get("/today").get_data(as_text=True), "replies")
    assert "waiting.example replied" in replies
    assert "answered.example" not in replies and "auto.example" not in replies
    assert "Move to Negotiating" in replies
    response = client.post(
        f"/prospects/{waiting.id}/move",
        data={"stage": "negotiating", "version": str(waiting.version), "next": "/today"},
    )
    assert response.headers["Location"] == "/today"
    assert current(waiting.id).stage is Stage.NEGOTIATING
    assert 'id="today-replies"' not in client.get("/today").get_data(as_text=True)


def test_held_follow_ups_due_this_week_can_be_released_from_today(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = builders.campaign_with_sequence(factory, workspace, steps=2, delay=1)
    item, contact = builders.prospect(workspace, campaign, "follow.example", first_name="")
    enrollment = sequences.enroll(campaign, item, contact, builders.mailbox(workspace))
    db.session.commit()
    follow_up = db.session.scalars(
        db.select(OutboundMessage)
        .where(OutboundMessage.enrollment_id == enrollment.id)
        .order_by(OutboundMessage.scheduled_at.desc())
    ).first()
    assert follow_up is not None
    follow_up.status, follow_up.hold_reason = MessageStatus.HELD, "empty merge field first_name"
    db.session.commit()
    section = _section(client.get("/today").get_data(as_text=True), "follow-ups")
    assert "Follow-up 1 to follow.example" in section and "first_name" in section
    response = client.post(f"/pitches/outbox/{follow_up.id}/release", data={"next": "/today"})
    assert response.headers["Location"] == "/today"


def test_reclamations_alerts_bounces_and_my_reminders_each_have_their_group(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    user, workspace = auth()
    mate = teammate(workspace)
    campaign = factory.campaign(workspace)
    day = utcnow().date()
    lost = prospect(campaign, "lost.example", Stage.LOST, due_on=day + timedelta(days=3))
    record(
        workspace.id,
        "prospect",
        lost.id,
        "reclamation_task",
        {"page_url": "https://lost.example/p"},
    )
    bounced = prospect(campaign, "bounced.example", Stage.CONTACTED)
    _inbound(bounced, InboundKind.BOUNCE, 2, "Undeliverable")
    prospect(campaign, "mine.example", owner=user, due_on=day + timedelta(days=5), reminder="call")
    prospect(campaign, "later.example", owner=user, due_on=day + timedelta(days=20))
    prospect(campaign, "theirs.example", owner=mate, due_on=day)
    alert = Alert(
        workspace_id=workspace.id, kind="link_lost", message="A link on x.example is gone"
    )
    db.session.add(alert)
    db.session.commit()
    page = client.get("/today").get_data(as_text=True)
    assert "Reclaim the link on lost.example" in _section(page, "reclamations")
    assert "A message to bounced.example bounced" in _section(page, "bounces")
    assert "Find another contact" in _section(page, "bounces")
    reminders = _section(page, "reminders")
    assert "mine.example" in reminders and "call" in reminders
    assert "later.example" not in page and "theirs.example" not in page
    assert "A link on x.example is gone" in _section(page, "alerts")
    response = client.post(f"/links/alerts/{alert.id}/read", data={"next": "/today"})
    assert response.headers["Location"] == "/today"
    assert 'id="today-alerts"' not in client.get("/today").get_data(as_text=True)


def test_another_workspaces_work_never_shows(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    auth()
    _, elsewhere = factory.user_with_workspace("x@example.com", "Elsewhere")
    foreign = prospect(factory.campaign(elsewhere), "foreign.example", Stage.REPLIED)
    _inbound(foreign, InboundKind.REPLY, 1)
    db.session.add(Alert(workspace_id=elsewhere.id, kind="link_lost", message="theirs"))
    db.session.commit()
    page = client.get("/today").get_data(as_text=True)
    assert "foreign.example" not in page and "theirs" not in page
    assert "Nothing waits for you this week." in page
