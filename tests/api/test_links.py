"""``/api/v1/links``, ``/api/v1/alerts``, ``/api/v1/jobs``: placed links, checks, verification."""

from __future__ import annotations

from typing import Any

from rq import Queue
from sqlalchemy import select

from outreach.db import utcnow
from outreach.extensions import db
from outreach.jobs.queues import Lane, get_queue
from outreach.links.models import Alert, LinkCheck, LinkStatus, PlacedLink
from tests.api.conftest import Api, Caller
from tests.factories import Factory
from tests.pipeline.helpers import prospect


def _queued(queue: Queue) -> list[str]:
    return [str(job.func_name) for job in queue.get_jobs()]


def test_a_placed_link_is_recorded_and_its_check_queued(
    api: Api, owner: Caller, factory: Factory
) -> None:
    item = prospect(factory.campaign(owner.workspace), "blog.example")
    body = {
        "page_url": "https://blog.example/review",
        "target_url": "https://acme.example/",
        "expected_anchor": "Acme tents",
        "prospect_id": item.id,
    }
    response = api.post("/api/v1/links", owner, json=body)
    assert response.status_code == 201, response.json
    link = response.json
    assert link["page_url"] == "https://blog.example/review" and link["status"] == "pending"
    assert link["prospect_id"] == item.id and link["job_id"]
    assert _queued(get_queue(lane=Lane.FETCH)) == ["outreach.links.jobs.verify_links"]
    job = api.get(f"/api/v1/jobs/{link['job_id']}", owner)
    assert job.status_code == 200 and job.json["status"] == "queued"

    again = api.post("/api/v1/links", owner, json=body)
    assert again.status_code == 200 and again.json["id"] == link["id"]
    assert "job_id" not in again.json
    assert db.session.scalars(select(PlacedLink)).all() == [db.session.get(PlacedLink, link["id"])]

    verify = api.post(f"/api/v1/links/{link['id']}/verify", owner)
    assert verify.status_code == 202
    assert api.get(verify.json["status_url"], owner).json["id"] == verify.json["job_id"]

    bad = api.post("/api/v1/links", owner, json={"page_url": "not a url", "target_url": "x"})
    assert bad.status_code == 422 and bad.content_type == "application/problem+json"


def test_a_link_shows_its_checks_and_verdicts(api: Api, owner: Caller) -> None:
    link = PlacedLink(
        workspace_id=owner.workspace.id,
        page_url="https://blog.example/p",
        target_url="https://acme.example/",
        status=LinkStatus.NOFOLLOW,
    )
    db.session.add(link)
    db.session.flush()
    db.session.add(
        LinkCheck(
            placed_link_id=link.id,
            checked_at=utcnow(),
            verdict=LinkStatus.NOFOLLOW,
            http_status=200,
            final_url="https://blog.example/p",
            result={"rel": ["nofollow"], "anchor": "Acme"},
        )
    )
    db.session.commit()
    read = api.get(f"/api/v1/links/{link.id}", owner).json
    assert read["status"] == "nofollow"
    assert [(c["verdict"], c["http_status"], c["result"]["rel"]) for c in read["checks"]] == [
        ("nofollow", 200, ["nofollow"])
    ]
    listed = api.get("/api/v1/links?status=nofollow", owner).json
    assert [item["id"] for item in listed["items"]] == [link.id]
    assert api.get("/api/v1/links?status=live", owner).json["items"] == []


def test_alerts_newest_first_and_mark_read(api: Api, owner: Caller, stranger: Caller) -> None:
    for n in range(3):
        db.session.add(Alert(workspace_id=owner.workspace.id, kind="link_removed", message=f"{n}"))
    db.session.add(Alert(workspace_id=stranger.workspace.id, kind="link_removed", message="x"))
    db.session.commit()
    first: Any = api.get("/api/v1/alerts?limit=2", owner).json
    assert [a["message"] for a in first["items"]] == ["2", "1"] and first["next_cursor"]
    rest = api.get(f"/api/v1/alerts?limit=2&cursor={first['next_cursor']}", owner).json
    assert [a["message"] for a in rest["items"]] == ["0"] and rest["next_cursor"] is None
    newest = first["items"][0]["id"]
    assert api.post(f"/api/v1/alerts/{newest}/read", owner).json["read_at"]
    unread = api.get("/api/v1/alerts?unread=true", owner).json
    assert [a["message"] for a in unread["items"]] == ["1", "0"]
