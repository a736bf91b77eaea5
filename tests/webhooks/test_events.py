"""Each event type is emitted by the real code path that causes it, in the same transaction."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from outreach.activity import events
from outreach.activity.models import OutboxEvent
from outreach.backlinks.jobs import import_backlinks
from outreach.backlinks.models import BacklinkImport
from outreach.db import utcnow
from outreach.extensions import db
from outreach.links import monitor
from outreach.links import services as links
from outreach.pitches import inbox
from outreach.pitches.models import InboundMessage, InboundTriage
from outreach.prospects import stages
from outreach.prospects.models import Stage
from outreach.webhooks import services
from outreach.webhooks.models import WebhookDelivery
from tests.backlinks.ahrefs import Link, write_ahrefs
from tests.webhooks.conftest import Space

PAGE = "https://blog.example/post"
TARGET = "https://ours.example/guide"


def _events(kind: str) -> list[OutboxEvent]:
    db.session.expire_all()
    query = select(OutboxEvent).where(OutboxEvent.type == kind).order_by(OutboxEvent.id)
    return list(db.session.scalars(query))


def _deliveries() -> int:
    return int(db.session.scalar(select(func.count()).select_from(WebhookDelivery)) or 0)


def test_moving_a_prospect_on_the_board_emits_stage_changed_with_a_delivery(
    app: Flask, space: Space
) -> None:
    services.create_endpoint(space.workspace.id, "https://hooks.example/a", [events.STAGE_CHANGED])
    services.create_endpoint(space.workspace.id, "https://hooks.example/b", [events.LINK_LIVE])
    db.session.commit()
    version = space.prospect.version
    stages.move_card(
        space.workspace.id, space.prospect.id, Stage.QUALIFIED, version, space.owner.id
    )
    db.session.commit()
    [event] = _events(events.STAGE_CHANGED)
    assert event.workspace_id == space.workspace.id
    assert event.data["from"] == "prospect" and event.data["to"] == "qualified"
    assert event.data["prospect_id"] == space.prospect.id and event.data["automatic"] is False
    assert _deliveries() == 1, "only the endpoint that asked for the event gets it"


def test_a_rolled_back_change_leaves_no_event_and_no_delivery(app: Flask, space: Space) -> None:
    services.create_endpoint(space.workspace.id, "https://hooks.example/a", [events.STAGE_CHANGED])
    db.session.commit()
    stages.move(space.prospect, Stage.QUALIFIED)
    db.session.rollback()
    assert _events(events.STAGE_CHANGED) == [] and _deliveries() == 0


def test_a_bulk_move_emits_one_event_per_prospect_moved(app: Flask, space: Space) -> None:
    from tests.pipeline.helpers import prospect

    other = prospect(space.campaign, "news.example")
    picks = {space.prospect.id: space.prospect.version, other.id: other.version}
    result = stages.bulk_move(
        space.workspace.id, space.campaign.id, picks, Stage.CONTACTED, space.owner.id
    )
    db.session.commit()
    assert len(result.moved) == 2
    assert {e.data["prospect_id"] for e in _events(events.STAGE_CHANGED)} == set(picks)


def test_a_finished_import_emits_import_finished_with_its_counts(
    app: Flask, space: Space, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = write_ahrefs(
        tmp_path / "links.csv",
        [Link(f"https://s{i}.com/", "https://rival-one.com/") for i in range(3)],
    )
    result = runner.invoke(
        args=["import-backlinks", str(path), "--campaign", str(space.campaign.id)]
    )
    assert result.exit_code == 0, result.output
    [event] = _events(events.IMPORT_FINISHED)
    assert event.data["status"] == "done" and event.data["rows_imported"] == 3
    assert event.data["campaign_id"] == space.campaign.id and event.data["filename"]


def test_a_failed_import_job_emits_import_finished_with_its_error(app: Flask, space: Space) -> None:
    item = BacklinkImport(
        workspace_id=space.workspace.id,
        campaign_id=space.campaign.id,
        filename="gone.csv",
        stored_path=str(Path(app.instance_path) / "uploads" / "gone.csv"),
    )
    db.session.add(item)
    db.session.commit()
    with pytest.raises(Exception):  # noqa: B017  (the job re-raises whatever stopped it)
        import_backlinks(item.id)
    [event] = _events(events.IMPORT_FINISHED)
    assert event.data["status"] == "failed" and event.data["import_id"] == item.id
    assert event.data["error"]


def _check(verdict: str, rel: list[str] | None = None, anchor: str = "the guide") -> dict[str, Any]:
    has_link = verdict in ("live", "nofollow")
    return {
        "page_url": PAGE,
        "final_url": PAGE,
        "http_status": 200,
        "redirects": [],
        "verdict": verdict,
        "indexable": True,
        "index_blockers": [],
        "links": [{"anchor": anchor, "rel": rel or [], "href": TARGET}] if has_link else [],
        "error": None,
    }


def test_link_checks_emit_live_then_changed_then_lost(app: Flask, space: Space) -> None:
    link = links.create_link(space.workspace.id, PAGE, TARGET, prospect_id=space.prospect.id)
    db.session.commit()
    when, week = utcnow(), timedelta(days=7)
    monitor.record_check(link, _check("live"), checked_at=when, interval=week)
    db.session.commit()
    [live] = _events(events.LINK_LIVE)
    assert live.data["placed_link_id"] == link.id and live.data["previous_status"] == "pending"
    monitor.record_check(link, _check("live"), checked_at=when + week, interval=week)
    db.session.commit()
    assert len(_events(events.LINK_LIVE)) == 1, "still live is not news"
    monitor.record_check(link, _check("nofollow", ["nofollow"]), checked_at=when, interval=week)
    db.session.commit()
    [changed] = _events(events.LINK_CHANGED)
    assert [c["kind"] for c in changed.data["changes"]] == ["nofollow"]
    monitor.record_check(link, _check("missing"), checked_at=when, interval=week)
    db.session.commit()
    [lost] = _events(events.LINK_LOST)
    assert [c["kind"] for c in lost.data["changes"]] == ["link_removed"]
    assert lost.data["status"] == "missing"
    moves = [e.data["to"] for e in _events(events.STAGE_CHANGED)]
    assert moves == ["live", "lost"], "the automatic pipeline moves are events too"


def test_a_reply_tied_to_a_prospect_emits_reply_received(app: Flask, space: Space) -> None:
    row = InboundMessage(
        workspace_id=space.workspace.id,
        message_id="<r1@blog.example>",
        from_email="editor@blog.example",
        subject="Re: your guide",
        body="Sounds good, send it over.",
        received_at=utcnow(),
        triage=InboundTriage.NEEDS_LOOK,
    )
    db.session.add(row)
    db.session.commit()
    inbox.attach(row, space.prospect, space.owner.id)
    [event] = _events(events.REPLY_RECEIVED)
    assert event.data["inbound_message_id"] == row.id
    assert event.data["prospect_id"] == space.prospect.id
    assert event.data["from_domain"] == "blog.example"
    assert "editor@" not in str(event.data), "events carry no e-mail address"
    assert [e.data["to"] for e in _events(events.STAGE_CHANGED)] == ["replied"]
