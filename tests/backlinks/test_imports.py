"""Importing backlink exports: upload, job, CLI, re-imports and failures that change nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from redis import Redis
from sqlalchemy import func, select

from outreach.backlinks.models import Backlink, BacklinkImport, ImportStatus
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.jobs.queues import queue_names
from outreach.jobs.worker import OutreachWorker
from tests.backlinks.ahrefs import HEADER, Link, write_ahrefs
from tests.factories import Factory

T = "https://rival-one.com/"


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Backlink)) or 0


def _campaign(factory: Factory) -> Campaign:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    return factory.campaign(workspace)


def _import(runner: FlaskCliRunner, path: Path, campaign: Campaign) -> dict[str, Any]:
    result = runner.invoke(
        args=["import-backlinks", str(path), "--campaign", str(campaign.id), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def test_cli_imports_a_utf16_ahrefs_export_and_prints_a_json_summary(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    path = write_ahrefs(
        tmp_path / "export.csv",
        [
            Link("https://blog.site-a.co.uk/p1", T),
            Link("https://www.site-a.co.uk/p2", T),
            Link("https://site-b.com/x", "https://www.rival-one.com/pricing", nofollow=True),
        ],
    )
    summary = _import(runner, path, campaign)
    assert summary == {
        "format": "ahrefs_backlinks", "rows": 3, "imported": 3, "rejected": [],
        "marked_lost": 0, "would_mark_lost": 0,
    }  # fmt: skip
    domains = set(db.session.scalars(select(Backlink.source_domain)))
    assert domains == {"site-a.co.uk", "site-b.com"}
    assert set(db.session.scalars(select(Backlink.target_domain))) == {"rival-one.com"}


def test_reimport_updates_seen_dates_marks_vanished_links_lost_and_never_duplicates(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    first = [Link("https://stays.com/a", T), Link("https://goes.com/b", T)]
    _import(runner, write_ahrefs(tmp_path / "old.csv", first), campaign)
    newer = [Link("https://stays.com/a", T, last_seen="2024-09-01 10:00:00")]
    _import(runner, write_ahrefs(tmp_path / "new.csv", newer), campaign)
    db.session.expire_all()
    assert _count() == 2
    stays = db.session.scalar(select(Backlink).where(Backlink.source_domain == "stays.com"))
    goes = db.session.scalar(select(Backlink).where(Backlink.source_domain == "goes.com"))
    assert stays is not None and goes is not None
    assert stays.last_seen is not None and stays.last_seen.month == 9
    assert stays.first_seen is not None and stays.first_seen.month == 1
    assert stays.lost_at is None
    assert goes.lost_at is not None


def test_broken_row_is_rejected_by_row_and_column_and_the_rest_imported(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    path = write_ahrefs(
        tmp_path / "e.csv",
        [
            Link("https://ok-one.com/", T),
            Link("htp:/broken url", T),
            Link("https://ok-two.com/", T),
        ],
    )
    summary = _import(runner, path, campaign)
    assert summary["imported"] == 2 and summary["rows"] == 3
    assert len(summary["rejected"]) == 1
    assert summary["rejected"][0]["row"] == 2
    assert "Referring page URL" in summary["rejected"][0]["error"]


def test_links_to_sites_outside_the_campaign_are_rejected_with_a_reason(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    path = write_ahrefs(tmp_path / "e.csv", [Link("https://x.com/", "https://stranger.org/")])
    summary = _import(runner, path, campaign)
    assert summary["imported"] == 0
    assert "stranger.org" in summary["rejected"][0]["error"]


def test_failed_import_leaves_the_database_exactly_as_it_was(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    _import(runner, write_ahrefs(tmp_path / "ok.csv", [Link("https://keep.com/", T)]), campaign)
    before = _count()
    good = write_ahrefs(
        tmp_path / "big.csv", [Link(f"https://s{i}.com/p", T) for i in range(12000)]
    ).read_bytes()
    (tmp_path / "bad.csv").write_bytes(good + b"\x00\xd8" * 3 + b"\n\x00")  # lone surrogate
    result = runner.invoke(
        args=["import-backlinks", str(tmp_path / "bad.csv"), "--campaign", str(campaign.id)]
    )
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output
    db.session.expire_all()
    assert _count() == before
    failed = db.session.scalar(select(BacklinkImport).where(BacklinkImport.filename == "bad.csv"))
    assert failed is not None and failed.status is ImportStatus.FAILED


def test_empty_file_is_refused_with_a_clear_message(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    (tmp_path / "empty.csv").write_bytes(b"")
    result = runner.invoke(
        args=["import-backlinks", str(tmp_path / "empty.csv"), "--campaign", str(campaign.id)]
    )
    assert result.exit_code == 1 and "empty" in result.output.lower()


def test_file_above_the_upload_limit_is_refused(
    app: Flask, factory: Factory, runner: FlaskCliRunner, client: FlaskClient, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    app.config["MAX_CONTENT_LENGTH"] = 2000
    path = write_ahrefs(tmp_path / "big.csv", [Link(f"https://s{i}.com/", T) for i in range(40)])
    result = runner.invoke(args=["import-backlinks", str(path), "--campaign", str(campaign.id)])
    assert result.exit_code == 1 and "upload limit" in result.output
    client.post("/login", data={"email": "o@example.com", "password": Factory.PASSWORD})
    response = client.post(
        f"/campaigns/{campaign.id}/imports",
        data={"file": (io.BytesIO(path.read_bytes()), "big.csv"), "target": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert b"larger than this server accepts" in response.data


def test_upload_runs_as_a_job_with_progress_that_survives_a_reload(
    app: Flask, factory: Factory, client: FlaskClient, redis_url: str, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    client.post("/login", data={"email": "o@example.com", "password": Factory.PASSWORD})
    path = write_ahrefs(tmp_path / "up.csv", [Link(f"https://s{i}.com/", T) for i in range(30)])
    response = client.post(
        f"/campaigns/{campaign.id}/imports",
        data={"file": (io.BytesIO(path.read_bytes()), "up.csv"), "target": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "data-progress-url" in page and "queued" in page
    item = db.session.scalar(select(BacklinkImport))
    assert item is not None
    status_url = f"/imports/{item.id}.json"
    assert client.get(status_url).get_json()["status"] == "queued"
    OutreachWorker(queue_names(app.config), connection=Redis.from_url(redis_url), app=app).work(
        burst=True
    )
    db.session.expire_all()  # the test shares the request's session; the worker wrote elsewhere
    status = client.get(status_url).get_json()
    assert status == {
        "status": "done",
        "error": None,
        "rows_read": 30,
        "rows_imported": 30,
        "rows_rejected": 0,
    }
    assert _count() == 30


def test_unknown_csv_asks_for_a_mapping_that_is_remembered(
    app: Flask, factory: Factory, client: FlaskClient, redis_url: str
) -> None:
    campaign = _campaign(factory)
    client.post("/login", data={"email": "o@example.com", "password": Factory.PASSWORD})
    body = b"From page;Points to;Words\nhttps://odd.com/a;https://rival-one.com/;hello\n"

    def upload() -> str:
        response = client.post(
            f"/campaigns/{campaign.id}/imports",
            data={"file": (io.BytesIO(body), "odd.csv"), "target": ""},
            content_type="multipart/form-data",
        )
        return response.location

    location = upload()
    assert location.endswith("/mapping")
    form = client.get(location).get_data(as_text=True)
    assert "From page" in form and "Points to" in form
    done = client.post(
        location,
        data={
            "source_url": "From page",
            "target_url": "Points to",
            "anchor": "Words",
        },
    )
    assert done.status_code == 302
    OutreachWorker(queue_names(app.config), connection=Redis.from_url(redis_url), app=app).work(
        burst=True
    )
    link = db.session.scalar(select(Backlink))
    assert link is not None and link.anchor == "hello" and link.source_domain == "odd.com"
    assert "/mapping" not in upload(), "the second file of the same shape needs no mapping"


def test_referring_domains_file_needs_a_chosen_target(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    header = "Domain,Domain rating,Dofollow ref. domains,Dofollow linked domains,Dofollow links,"
    header += "Links to target,New links,Lost links,First seen,Traffic\n"
    (tmp_path / "rd.csv").write_text(header + "ref.example.org,44,10,20,3,5,0,0,2024-01-02,100\n")
    refused = runner.invoke(
        args=["import-backlinks", str(tmp_path / "rd.csv"), "--campaign", str(campaign.id)]
    )
    assert refused.exit_code == 1 and "choose the competitor" in refused.output
    result = runner.invoke(
        args=[
            "import-backlinks",
            str(tmp_path / "rd.csv"),
            "--campaign",
            str(campaign.id),
            "--target",
            "rival-two.com",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    link = db.session.scalar(select(Backlink))
    assert link is not None
    assert (link.source_domain, link.target_domain, link.authority) == (
        "example.org",
        "rival-two.com",
        44.0,
    )


def test_header_list_is_the_real_ahrefs_one() -> None:
    assert "Referring page URL" in HEADER and "Domain rating" in HEADER and "UR" in HEADER


def test_big_files_are_read_in_a_second_process_with_the_same_result(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from outreach.backlinks import parallel as batches

    monkeypatch.setattr(batches, "PARALLEL_MIN_BYTES", 0)
    started = []
    original = batches.parallel_batches

    def spy(*args: Any, **kwargs: Any) -> Any:
        started.append(True)
        return original(*args, **kwargs)

    monkeypatch.setattr(batches, "parallel_batches", spy)
    campaign = _campaign(factory)
    links = [Link(f"https://s{i}.com/p", T) for i in range(12000)]
    links.insert(7000, Link("not a url at all", T))
    summary = _import(runner, write_ahrefs(tmp_path / "big.csv", links), campaign)
    assert started, "the parallel reader was used"
    assert summary["rows"] == 12001 and summary["imported"] == 12000
    assert summary["rejected"][0]["row"] == 7001
    assert _count() == 12000


def test_a_failure_in_the_reader_process_changes_nothing(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from outreach.backlinks import parallel as batches

    monkeypatch.setattr(batches, "PARALLEL_MIN_BYTES", 0)
    campaign = _campaign(factory)
    good = write_ahrefs(
        tmp_path / "big.csv", [Link(f"https://s{i}.com/p", T) for i in range(12000)]
    ).read_bytes()
    (tmp_path / "bad.csv").write_bytes(good + b"\x00\xd8" * 3 + b"\n\x00")
    result = runner.invoke(
        args=["import-backlinks", str(tmp_path / "bad.csv"), "--campaign", str(campaign.id)]
    )
    assert result.exit_code == 1 and "Nothing was imported" in result.output
    db.session.expire_all()
    assert _count() == 0
