"""The contacts CSV import runs as a background job: files the csv module chokes on (a field
over 131,072 characters, random bytes) are a clear message naming the row, never a 500; the
result is on its own page, not in flashed messages; the uploaded file is deleted."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.jobs.models import Task, TaskStatus
from outreach.prospects.models import Contact
from tests.factories import Factory, SignIn
from tests.links.conftest import work


def _upload(client: FlaskClient, campaign_id: int, body: bytes, name: str = "c.csv") -> str:
    response = client.post(
        f"/campaigns/{campaign_id}/contacts/import",
        data={"csv-file": (io.BytesIO(body), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.status_code
    assert re.fullmatch(rf"/campaigns/{campaign_id}/contacts/imports/[0-9a-f-]+", response.location)
    return response.location


def _uploads(app: Flask) -> list[Path]:
    return list((Path(app.instance_path) / "uploads").glob("*/*"))


def _contacts() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Contact)) or 0


def _start(client: FlaskClient, auth: SignIn, factory: Factory) -> int:
    _, workspace = auth()
    return factory.campaign(workspace).id


def test_the_import_runs_in_a_job_and_its_result_is_on_its_page_not_in_flashes(
    app: Flask, client: FlaskClient, auth: SignIn, factory: Factory, redis_url: str
) -> None:
    campaign_id = _start(client, auth, factory)
    bad_rows = "".join(f"{'x' * 5000}-{n}@,,,\n" for n in range(150))
    body = f"email,first_name,last_name,domain\nann@blog.example.org,Ann,,\n{bad_rows}".encode()
    page_url = _upload(client, campaign_id, body)
    assert _contacts() == 0, "nothing is imported inside the web request"
    assert len(_uploads(app)) == 1
    queued = client.get(page_url).get_data(as_text=True)
    assert 'data-initial-status="queued"' in queued

    work(app, redis_url)
    page = client.get(page_url).get_data(as_text=True)
    assert 'id="import-result"' in page and "<strong>1</strong> new contacts" in page
    errors = re.findall(r"<li>Row (\d+): ", page)
    assert errors[:2] == ["3", "4"] and len(errors) == 100, "the first 100 row errors are listed"
    assert "and 50 more" in page
    assert 'class="flash' not in page.split('id="import-progress"')[0], "no flashed results"
    session = client.get_cookie("session")
    assert session is not None and len(session.value) < 1024
    assert _contacts() == 1
    assert _uploads(app) == [], "the uploaded file is deleted once imported"
    progress = client.get(f"{page_url}/progress").get_json()
    assert progress["status"] == "done" and progress["rows_rejected"] == 150


def test_a_field_over_the_csv_limit_is_a_clear_error_naming_the_row(
    app: Flask, client: FlaskClient, auth: SignIn, factory: Factory, redis_url: str
) -> None:
    campaign_id = _start(client, auth, factory)
    body = f"email,first_name\nann@blog.example.org,Ann\nbob@blog.example.org,{'b' * 140_000}\n"
    page_url = _upload(client, campaign_id, body.encode())
    work(app, redis_url)
    response = client.get(page_url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Row 3: a field is longer than 131,072 characters; nothing was imported." in page
    assert "Traceback" not in page and "Error:" not in page
    assert _contacts() == 0, "all rows or none"
    assert _uploads(app) == [], "the uploaded file is deleted when the import fails"
    task = db.session.scalars(select(Task)).one()
    assert task.status is TaskStatus.FAILED


def test_random_bytes_are_refused_with_the_row_of_the_first_bad_byte(
    app: Flask, client: FlaskClient, auth: SignIn, factory: Factory, redis_url: str
) -> None:
    campaign_id = _start(client, auth, factory)
    noise = bytes(b | 0x80 for b in os.urandom(20_000))  # never valid UTF-8 from the start
    page_url = _upload(client, campaign_id, b"email\nann@blog.example.org\n" + noise)
    work(app, redis_url)
    page = client.get(page_url).get_data(as_text=True)
    assert "Row 3: this is not UTF-8 text" in page and "CSV UTF-8" in page
    assert _contacts() == 0 and _uploads(app) == []


def test_nul_bytes_are_refused_as_not_text(
    app: Flask, client: FlaskClient, auth: SignIn, factory: Factory, redis_url: str
) -> None:
    campaign_id = _start(client, auth, factory)
    page_url = _upload(client, campaign_id, b"email\nann@blog.example.org\n\x00\x00\x01\x02")
    work(app, redis_url)
    page = client.get(page_url).get_data(as_text=True)
    assert "Row 3: this is not a text file" in page


def test_an_import_of_another_campaign_or_workspace_is_not_shown(
    app: Flask, client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    other = factory.campaign(workspace, name="Autumn")
    page_url = _upload(client, campaign.id, b"email\nann@blog.example.org\n")
    task_id = page_url.rsplit("/", 1)[1]
    assert client.get(f"/campaigns/{other.id}/contacts/imports/{task_id}").status_code == 404
    assert client.get(f"/campaigns/{campaign.id}/contacts/imports/nope").status_code == 404
