"""Messages over the API: a prospect's conversation, the outbox and the received mail."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from outreach.accounts.models import Workspace
from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches import sequences
from outreach.pitches.models import InboundMessage, InboundTriage, MessageStatus, OutboundMessage
from tests.api.conftest import Api, Caller
from tests.factories import Factory
from tests.pitches import builders
from tests.support.statements import statements


def _walk(api: Api, who: Caller, url: str, limit: int = 2) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = ""
    joiner = "&" if "?" in url else "?"
    for _ in range(50):
        response = api.get(f"{url}{joiner}limit={limit}&cursor={cursor}", who)
        assert response.status_code == 200, response.json
        assert response.json is not None
        items += response.json["items"]
        cursor = response.json["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the walk did not end")


def _enrolled(factory: Factory, workspace: Workspace, count: int) -> list[int]:
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    box = builders.mailbox(workspace)
    prospects = []
    for i in range(count):
        prospect, contact = builders.prospect(workspace, campaign, f"p{i}.example")
        sequences.enroll(campaign, prospect, contact, box)
        prospects.append(prospect.id)
    db.session.commit()
    return prospects


def _received(workspace: Workspace, prospect_id: int | None, minutes_ago: int) -> int:
    row = InboundMessage(
        workspace_id=workspace.id,
        prospect_id=prospect_id,
        message_id=f"<{uuid.uuid4().hex}@blog.example>",
        from_email="editor@p0.example",
        subject="RE: Hi",
        body="Yes please.",
        triage=InboundTriage.MATCHED if prospect_id else InboundTriage.NEEDS_LOOK,
        received_at=utcnow() - timedelta(minutes=minutes_ago),
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def test_outbox_pages_newest_first_with_a_status_filter(
    api: Api, owner: Caller, stranger: Caller, factory: Factory
) -> None:
    _enrolled(factory, owner.workspace, 5)
    _enrolled(factory, stranger.workspace, 1)
    first = db.session.scalars(
        db.select(OutboundMessage)
        .where(OutboundMessage.workspace_id == owner.workspace.id)
        .order_by(OutboundMessage.id)
    ).first()
    assert first is not None
    first.status = MessageStatus.HELD
    db.session.commit()

    items = _walk(api, owner, "/api/v1/outbox")

    ids = [i["id"] for i in items]
    assert len(ids) == 5 and ids == sorted(ids, reverse=True)
    assert {i["to"] for i in items} == {f"editor@p{n}.example" for n in range(5)}
    assert {(i["mailbox"], i["step"]) for i in items} == {("sender@ours.example", 0)}, items[0]
    held = _walk(api, owner, "/api/v1/outbox?status=held")
    assert [i["id"] for i in held] == [first.id]
    assert api.get("/api/v1/outbox?status=nonsense", owner).status_code == 422


def _outbox_statements(api: Api, who: Caller, url: str) -> int:
    with statements() as seen:
        assert api.get(url, who).status_code == 200
    return sum("outbound_message" in statement for statement in seen)


def test_an_outbox_page_costs_the_same_queries_whatever_its_length(
    api: Api, owner: Caller, factory: Factory
) -> None:
    _enrolled(factory, owner.workspace, 12)

    short = _outbox_statements(api, owner, "/api/v1/outbox?limit=2")
    long = _outbox_statements(api, owner, "/api/v1/outbox?limit=12")

    assert long == short == 2  # the page's ids, then its rows


def test_conversation_and_inbox(
    api: Api, owner: Caller, stranger: Caller, factory: Factory
) -> None:
    prospect_id = _enrolled(factory, owner.workspace, 1)[0]
    older = _received(owner.workspace, prospect_id, minutes_ago=30)
    newer = _received(owner.workspace, None, minutes_ago=5)
    _received(stranger.workspace, None, minutes_ago=1)

    thread = api.get(f"/api/v1/prospects/{prospect_id}/messages", owner).json
    assert thread is not None
    assert sorted((m["direction"], m["party"]) for m in thread["items"]) == [
        ("in", "editor@p0.example"),
        ("out", "editor@p0.example"),
    ]
    assert [m["id"] for m in thread["items"] if m["direction"] == "in"] == [older]

    inbox = _walk(api, owner, "/api/v1/inbox", limit=1)
    assert [m["id"] for m in inbox] == [newer, older]
    assert inbox[1]["prospect_id"] == prospect_id and inbox[0]["triage"] == "needs_look"
