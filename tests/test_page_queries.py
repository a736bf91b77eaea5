"""The busiest pages run a bounded number of SQL statements, however many rows they show.

Each page is requested over a small workspace and over one three times as big (more
prospects, backlinks, messages, checks, notes and teammates); the number of statements
must not grow with the rows (no N+1) and must stay under a budget. The load benchmark
(``tests/bench/bench_load.py``) times the same pages on a million backlinks.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from outreach.accounts import sessions
from outreach.accounts.models import Membership, Role, User, Workspace
from outreach.activity.services import record
from outreach.backlinks.models import Backlink, DataSource
from outreach.backlinks.records import link_key
from outreach.campaigns.models import Campaign
from outreach.db import utcnow
from outreach.extensions import db
from outreach.links.models import LinkCheck, LinkStatus, PlacedLink
from outreach.pitches.models import InboundMessage, Mailbox, MessageStatus, OutboundMessage
from outreach.prospects.models import Contact, Prospect, ProspectContact, ProspectScore, Stage
from tests.factories import Factory, SignIn
from tests.support.statements import statements

# Statements each page may run, whatever the size of the workspace (the sign-in, workspace
# and navigation lookups included): what it runs today plus room for a new query or two.
BUDGETS = {"board": 15, "table": 15, "intersect": 18, "prospect": 20, "dashboard": 34, "outbox": 12}


def _fill(workspace: Workspace, campaign: Campaign, n: int) -> int:
    """Teammates, prospects in every stage with scores, contacts, backlinks, messages, placed
    links with checks and notes, ``n`` of each per kind; returns the busiest prospect's id."""
    now = utcnow()
    competitors = [c.domain for c in campaign.competitors]
    users = [
        User(email=f"mate{workspace.id}-{i}@example.com", name=f"Mate {i}", password_hash="x")
        for i in range(n)
    ]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(
        Membership(workspace_id=workspace.id, user_id=u.id, role=Role.MEMBER) for u in users
    )
    mailbox = Mailbox(
        workspace_id=workspace.id, user_id=users[0].id, from_name="B",
        from_email="b@ours.example", smtp_host="localhost",
    )  # fmt: skip
    db.session.add(mailbox)
    stages = list(Stage)
    prospects = []
    for i in range(4 * n):
        domain = f"site{i}.example"
        prospect = Prospect(
            workspace_id=workspace.id, campaign_id=campaign.id, domain=domain,
            stage=stages[i % len(stages)], owner_id=users[i % n].id, score=float(i % 90),
            due_on=(now + timedelta(days=i % 5 - 2)).date(),
        )  # fmt: skip
        prospects.append(prospect)
        db.session.add(prospect)
        db.session.add(
            ProspectScore(
                workspace_id=workspace.id, campaign_id=campaign.id, domain=domain,
                score=float(i % 90), authority=float(i % 70), authority_source="Ahrefs DR",
                relevance=0.5, risk_flags=[{"code": "spam", "message": "m"}], scored_at=now,
            )
        )  # fmt: skip
        for j, target in enumerate(competitors):
            page = f"https://{domain}/p{j}"
            db.session.add(
                Backlink(
                    workspace_id=workspace.id, data_source=DataSource.AHREFS,
                    link_key=link_key(page, f"https://{target}/"), source_url=page,
                    source_domain=domain, target_url=f"https://{target}/", target_domain=target,
                    anchor="a", authority=float(i % 70), first_seen=now, last_seen=now,
                )
            )  # fmt: skip
    db.session.flush()
    busiest = prospects[0]
    for i, prospect in enumerate(prospects[:n] + [busiest] * n):
        contact = Contact(
            workspace_id=workspace.id, email=f"ed{i}@{prospect.domain}", domain=prospect.domain
        )
        db.session.add(contact)
        db.session.flush()
        db.session.add(ProspectContact(prospect_id=prospect.id, contact_id=contact.id))
        status = list(MessageStatus)[i % len(MessageStatus)]
        db.session.add(
            OutboundMessage(
                workspace_id=workspace.id, prospect_id=prospect.id, contact_id=contact.id,
                mailbox_id=mailbox.id, status=status if prospect is not busiest else
                MessageStatus.SENT, message_id=f"<{workspace.id}.{i}@b>", subject="Hi",
                body="Hello", sent_at=now,
            )
        )  # fmt: skip
        db.session.add(
            InboundMessage(
                workspace_id=workspace.id, prospect_id=prospect.id, message_id=f"<re{i}@x>",
                from_email=contact.email, subject="Re: Hi", body="Yes", received_at=now,
            )
        )  # fmt: skip
        link = PlacedLink(
            workspace_id=workspace.id, prospect_id=prospect.id, status=LinkStatus.LIVE,
            page_url=f"https://{prospect.domain}/post", target_url="https://ours.example/",
        )  # fmt: skip
        db.session.add(link)
        db.session.flush()
        db.session.add(LinkCheck(placed_link_id=link.id, verdict=LinkStatus.LIVE))
        record(workspace.id, "prospect", prospect.id, "note", {"text": "hi"}, actor_id=users[0].id)
        record(
            workspace.id, "prospect", prospect.id, "stage_changed", {"to": "contacted"},
            actor_id=users[i % n].id,
        )  # fmt: skip
    db.session.commit()
    return busiest.id


def _pages(campaign_id: int, prospect_id: int) -> dict[str, str]:
    return {
        "board": f"/campaigns/{campaign_id}/board",
        "table": f"/campaigns/{campaign_id}/prospects",
        "intersect": f"/campaigns/{campaign_id}/intersect",
        "prospect": f"/prospects/{prospect_id}",
        "dashboard": "/reports/",
        "outbox": "/pitches/outbox",
    }


def _statements(app: Flask, client: FlaskClient, path: str) -> list[str]:
    client.get(path)  # warm: first-request lookups (sessions touched, caches) aside
    with statements(app) as seen:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return seen


@pytest.mark.parametrize("page", list(BUDGETS))
def test_page_runs_a_bounded_number_of_queries_whatever_the_rows(
    page: str,
    app: Flask,
    client: FlaskClient,
    auth: SignIn,
    factory: Factory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three times the rows (and teammates) cost no extra statement; each page keeps to its
    budget."""
    # A session's once-a-minute touch is no statement of the page's: on a slow machine a
    # minute can pass between the two counts.
    monkeypatch.setattr(sessions, "TOUCH_EVERY", timedelta(days=1))
    _, small_space = auth()
    with app.app_context():
        small_space = db.session.merge(small_space)
        small_campaign = factory.campaign(small_space, competitors=["rival-one.com", "two.com"])
        small_prospect = _fill(small_space, small_campaign, 2)
        small_path = _pages(small_campaign.id, small_prospect)[page]
    small = _statements(app, client, small_path)

    _, big_space = auth("big@example.com", "Big")
    with app.app_context():
        big_space = db.session.merge(big_space)
        big_campaign = factory.campaign(big_space, competitors=["rival-one.com", "two.com"])
        big_prospect = _fill(big_space, big_campaign, 6)
        big_path = _pages(big_campaign.id, big_prospect)[page]
    big = _statements(app, client, big_path)

    assert len(big) == len(small), "\n".join(big)
    assert len(big) <= BUDGETS[page], "\n".join(big)
