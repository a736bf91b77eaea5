"""Monitoring: scheduled re-checks through RQ, alerts on every kind of change, pipeline moves."""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import func, select

from outreach.accounts.models import User
from outreach.activity.models import Activity
from outreach.campaigns.models import CampaignKind
from outreach.extensions import db
from outreach.jobs import tasks
from outreach.links import monitor, services
from outreach.links.jobs import enqueue_due_checks, verify_links
from outreach.links.models import Alert, LinkCheck, LinkStatus, PlacedLink
from outreach.pitches.models import PitchTemplate
from outreach.prospects.models import Prospect, Stage
from tests.factories import Factory
from tests.links.conftest import TARGET, Web, cc_page, work
from tests.support.simweb import Response, redirect

PAGE = "http://blog.example/post"
OURS = b'<a href="https://ours.example/guide"'


def post(
    link: bytes = b'<a href="https://ours.example/guide">the guide</a>', head: bytes = b""
) -> bytes:
    """The real CC post served at PAGE: its own canonical neutralised, a link planted."""
    html = cc_page(link).replace(b'<link rel="canonical"', b'<link rel="x"', 1)
    return html.replace(b"<head>", b"<head>" + head, 1)


def setup_link(
    factory: Factory, web: Web, body: bytes = b"", anchor: str | None = None
) -> PlacedLink:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    campaign = factory.campaign(workspace)
    prospect = Prospect(
        workspace_id=workspace.id,
        campaign_id=campaign.id,
        domain="blog.example",
        stage=Stage.LINK_PLACED,
    )
    db.session.add(prospect)
    db.session.flush()
    web.serve(PAGE, body or post())
    link = services.create_link(
        workspace.id, PAGE, TARGET, expected_anchor=anchor, prospect_id=prospect.id
    )
    db.session.commit()
    return link


def reload(link: PlacedLink) -> tuple[PlacedLink, Prospect]:
    db.session.expire_all()
    fresh = db.session.get(PlacedLink, link.id)
    assert fresh is not None and fresh.prospect_id is not None
    prospect = db.session.get(Prospect, fresh.prospect_id)
    assert prospect is not None
    return fresh, prospect


def test_scheduled_recheck_of_a_dropped_link_alerts_and_moves_the_prospect_to_lost(
    web_app: Flask, web: Web, factory: Factory, redis_url: str
) -> None:
    link = setup_link(factory, web)
    template = PitchTemplate(
        workspace_id=link.workspace_id,
        name="Reclaim",
        kind=CampaignKind.LINK_RECLAMATION,
        subject="Our link",
        body="Hi",
    )
    db.session.add(template)
    tasks.launch(verify_links, [link.id], workspace_id=link.workspace_id, description="verify")
    db.session.commit()
    work(web_app, redis_url)
    link, prospect = reload(link)
    assert link.status is LinkStatus.LIVE and prospect.stage is Stage.LIVE
    assert link.next_check_at is not None and link.last_checked_at is not None
    due = link.next_check_at

    web.serve(PAGE, post(b""))  # the site drops our link
    queue = tasks.get_queue(web_app)
    queue.enqueue(enqueue_due_checks, (due - timedelta(minutes=1)).isoformat())
    work(web_app, redis_url)
    link, prospect = reload(link)
    assert link.status is LinkStatus.LIVE, "not due yet: nothing is re-checked"

    queue.enqueue(enqueue_due_checks, (due + timedelta(minutes=1)).isoformat())
    work(web_app, redis_url)
    link, prospect = reload(link)
    assert link.status is LinkStatus.MISSING and prospect.stage is Stage.LOST
    assert [a.kind for a in services.list_alerts(link.workspace_id)] == ["link_removed"]
    assert services.unread_count(link.workspace_id) == 1
    assert [c.verdict for c in services.checks_of(link)] == [LinkStatus.MISSING, LinkStatus.LIVE]
    task = db.session.scalar(select(Activity).where(Activity.action == "reclamation_task"))
    assert task is not None and task.subject_id == prospect.id
    chosen = db.session.get(PitchTemplate, task.detail["template_id"])  # a starter, or ours
    assert chosen is not None and chosen.kind is CampaignKind.LINK_RECLAMATION
    assert chosen.workspace_id == link.workspace_id and task.detail["placed_link_id"] == link.id
    assert prospect.reminder and PAGE in prospect.reminder and prospect.due_on is not None


def test_redelivered_verify_job_does_not_check_twice(
    web_app: Flask, web: Web, factory: Factory, redis_url: str
) -> None:
    link = setup_link(factory, web)
    requested = datetime.now(UTC).isoformat()
    queue = tasks.get_queue(web_app)
    queue.enqueue(verify_links, [link.id], requested)
    queue.enqueue(verify_links, [link.id], requested)  # the same job delivered again
    work(web_app, redis_url)
    assert db.session.scalar(select(func.count()).select_from(LinkCheck)) == 1


def test_due_links_are_leased_so_a_second_sweep_does_not_queue_them_again(
    web_app: Flask, web: Web, factory: Factory
) -> None:
    link = setup_link(factory, web)
    link.next_check_at = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    assert enqueue_due_checks() == {"due": 1, "jobs": 1}
    assert enqueue_due_checks() == {"due": 0, "jobs": 0}


def test_rechecks_are_spread_over_the_interval_at_a_stable_phase() -> None:
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    week = timedelta(days=7)
    times = [monitor.next_check_at(link_id, now, week) for link_id in range(1, 1001)]
    assert all(now + week / 2 <= t <= now + week * 1.5 for t in times)
    per_day = Counter((t - now).days for t in times)
    assert len(per_day) >= 7 and max(per_day.values()) < 250
    again = monitor.next_check_at(7, times[6], week)
    assert again - times[6] == week, "once in phase, checks are exactly one interval apart"


CHANGES: dict[str, tuple[Any, str]] = {
    "link_removed": (lambda: post(b""), "link_removed"),
    "page_gone": (lambda: Response(404, {}, b"gone"), "page_gone"),
    "nofollow": (lambda: post(OURS + b' rel="nofollow">the guide</a>'), "nofollow"),
    "sponsored": (lambda: post(OURS + b' rel="sponsored">the guide</a>'), "nofollow"),
    "ugc": (lambda: post(OURS + b' rel="ugc">the guide</a>'), "nofollow"),
    "noindex": (lambda: post(head=b'<meta name="robots" content="noindex">'), "noindex"),
    "canonical": (
        lambda: post(head=b'<link rel="canonical" href="https://b.example/">'),
        "canonical",
    ),
    "anchor": (lambda: post(OURS + b">click here</a>"), "anchor_changed"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_each_kind_of_change_raises_its_alert(
    web_app: Flask, web: Web, factory: Factory, change: str
) -> None:
    link = setup_link(
        factory, web, cc_page().replace(b'<link rel="canonical"', b'<link rel="x"', 1)
    )
    verify_links([link.id])
    assert (
        reload(link)[0].status is LinkStatus.LIVE and services.list_alerts(link.workspace_id) == []
    )
    make, kind = CHANGES[change]
    body = make()
    if isinstance(body, bytes) and change != "canonical":
        body = body.replace(b'<link rel="canonical"', b'<link rel="x"', 1)
    web.serve(PAGE, body)
    verify_links([link.id])
    assert [a.kind for a in services.list_alerts(link.workspace_id)] == [kind]


def test_redirect_to_another_page_raises_an_alert(
    web_app: Flask, web: Web, factory: Factory
) -> None:
    link = setup_link(
        factory, web, cc_page().replace(b'<link rel="canonical"', b'<link rel="x"', 1)
    )
    verify_links([link.id])
    web.serve(PAGE, redirect("http://blog.example/elsewhere", 301))
    web.serve("http://blog.example/elsewhere", post(b""))
    verify_links([link.id])
    kinds = [a.kind for a in services.list_alerts(link.workspace_id)]
    assert sorted(kinds) == ["link_removed", "redirected"]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[_Inbox, str]]:
    handler = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


def test_subscribed_members_get_the_alert_by_email(
    web_app: Flask, web: Web, factory: Factory, inbox: tuple[_Inbox, str]
) -> None:
    handler, url = inbox
    web_app.config["OUTREACH_ALERT_SMTP_URL"] = url
    link = setup_link(factory, web)
    user = db.session.scalar(select(User))
    assert user is not None
    verify_links([link.id])
    web.serve(PAGE, post(b""))
    verify_links([link.id])
    assert handler.messages == [], "nobody asked for e-mail"
    services.set_subscription(link.workspace_id, user.id, True)
    db.session.commit()
    web.serve(PAGE, post())
    verify_links([link.id])
    assert len(handler.messages) == 1
    message = message_from_bytes(handler.messages[0])
    assert message["To"] == "o@example.com" and "1 link change" in message["Subject"]
    assert "is back" in message.get_payload()
    alert = db.session.scalar(select(Alert).order_by(Alert.id.desc()))
    assert alert is not None and alert.email_state == "sent"
