"""Backlink imports over the API: the upload page's validation and job, progress, rejections."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import Flask
from redis import Redis
from sqlalchemy import func, select

from outreach.backlinks.models import Backlink, BacklinkImport, ImportStatus
from outreach.extensions import db
from outreach.jobs.queues import queue_names
from outreach.jobs.worker import OutreachWorker
from tests.api.conftest import Api, Caller
from tests.backlinks.ahrefs import Link, write_ahrefs
from tests.factories import Factory

T = "https://rival-one.com/"


def _upload(api: Api, who: Caller, campaign_id: int, data: dict[str, Any]) -> Any:
    return api.post(
        f"/api/v1/campaigns/{campaign_id}/imports",
        who,
        data=data,
        content_type="multipart/form-data",
    )


def test_upload_runs_the_job_and_keeps_rejections_by_row_and_column(
    app: Flask, api: Api, member: Caller, factory: Factory, redis_url: str, tmp_path: Path
) -> None:
    campaign = factory.campaign(member.workspace)
    links = [Link(f"https://ok{i}.com/", T) for i in range(2)]
    links += [Link(f"htp:/broken url {i}", T) for i in range(3)]
    path = write_ahrefs(tmp_path / "up.csv", links)

    response = _upload(
        api, member, campaign.id, {"file": (io.BytesIO(path.read_bytes()), "up.csv")}
    )

    assert response.status_code == 201, response.json
    created = response.json
    assert created is not None and created["status"] == "queued"
    assert created["format"] == "ahrefs_backlinks" and created["filename"] == "up.csv"
    OutreachWorker(queue_names(app.config), connection=Redis.from_url(redis_url), app=app).work(
        burst=True
    )
    db.session.expire_all()
    done = api.get(f"/api/v1/imports/{created['id']}", member).json
    assert done is not None
    assert (done["status"], done["rows_read"], done["rows_imported"], done["rows_rejected"]) == (
        "done",
        5,
        2,
        3,
    )
    assert db.session.scalar(select(func.count()).select_from(Backlink)) == 2
    rows: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(5):
        page = api.get(
            f"/api/v1/imports/{created['id']}/rejections?limit=2&cursor={cursor}", member
        ).json
        assert page is not None
        rows += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [r["row"] for r in rows] == [3, 4, 5]  # data rows count from 1
    assert {r["column"] for r in rows} == {"Referring page URL"}
    assert rows == done["rejections"]
    bad = api.get(f"/api/v1/imports/{created['id']}/rejections?cursor=xyz", member)
    assert bad.status_code == 422


def test_upload_refusals_change_nothing(
    api: Api, owner: Caller, factory: Factory, tmp_path: Path
) -> None:
    campaign = factory.campaign(owner.workspace)
    path = write_ahrefs(tmp_path / "up.csv", [Link("https://ok.com/", T)])

    assert _upload(api, owner, campaign.id, {}).status_code == 422
    wrong_target = {"file": (io.BytesIO(path.read_bytes()), "up.csv"), "target": "nobody.example"}
    assert _upload(api, owner, campaign.id, wrong_target).status_code == 422
    empty = _upload(api, owner, campaign.id, {"file": (io.BytesIO(b""), "empty.csv")})
    assert empty.status_code == 422
    assert empty.json is not None and "empty" in empty.json["detail"].lower()
    assert db.session.scalar(select(func.count()).select_from(BacklinkImport)) == 0


def test_an_unknown_shape_asks_for_a_mapping(api: Api, owner: Caller, factory: Factory) -> None:
    campaign = factory.campaign(owner.workspace)
    body = b"From page;Points to;Words\nhttps://odd.com/a;https://rival-one.com/;hello\n"

    response = _upload(api, owner, campaign.id, {"file": (io.BytesIO(body), "odd.csv")})

    assert response.status_code == 201, response.json
    assert response.json is not None and response.json["status"] == "needs_mapping"
    assert response.json["mapping_url"].endswith(f"/imports/{response.json['id']}/mapping")


def test_an_import_whose_worker_died_reads_failed_with_nothing_kept(
    api: Api, member: Caller, factory: Factory, redis_url: str
) -> None:
    """The job's live progress counted rows that its rollback then threw away."""
    from rq.job import Job, JobStatus

    from outreach.jobs.models import Task, TaskStatus

    campaign = factory.campaign(member.workspace)
    item = BacklinkImport(
        workspace_id=member.workspace.id,
        campaign_id=campaign.id,
        filename="big.csv",
        stored_path="/nowhere/big.csv",
        status=ImportStatus.RUNNING,
        task_id="import-job-that-died",
    )
    db.session.add(item)
    db.session.add(
        Task(
            id="import-job-that-died",
            workspace_id=member.workspace.id,
            name="import_backlinks",
            description="Import big.csv",
            status=TaskStatus.RUNNING,
        )
    )
    db.session.commit()
    job = Job.create(print, id="import-job-that-died", connection=Redis.from_url(redis_url))
    job.meta["progress"] = {"rows_read": 21_798, "rows_imported": 21_798, "rows_rejected": 0}
    job.save()
    job.set_status(JobStatus.FAILED)

    shown = api.get(f"/api/v1/imports/{item.id}", member).json

    assert shown is not None
    assert (shown["status"], shown["rows_imported"], shown["rows_read"]) == ("failed", 0, 0)
    assert shown["error"] and "nothing" in shown["error"].lower()
