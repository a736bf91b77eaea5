"""Uploaded files do not pile up: each job deletes its file, imported or failed; the recurring
sweep deletes files abandoned for a day; a file outside the uploads folder is never touched."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from outreach.backlinks.models import BacklinkImport, ImportStatus
from outreach.extensions import db
from outreach.jobs import recurring, uploads
from outreach.jobs.tasks import get_queue
from tests.backlinks.ahrefs import Link, write_ahrefs
from tests.factories import Factory, SignIn
from tests.links.conftest import work

T = "https://rival-one.com/"


def _stored(app: Flask) -> list[Path]:
    return sorted((Path(app.instance_path) / "uploads").glob("*/*"))


def _age(path: Path, hours: float) -> None:
    moment = time.time() - hours * 3600
    os.utime(path, (moment, moment))


def test_the_sweep_deletes_uploads_older_than_a_day_and_keeps_the_rest(
    app: Flask, tmp_path: Path, redis_url: str
) -> None:
    old = uploads.store_upload(io.BytesIO(b"old"), app.instance_path, 1)
    fresh = uploads.store_upload(io.BytesIO(b"fresh"), app.instance_path, 2)
    _age(old, 25)
    _age(fresh, 23)
    stray = Path(app.instance_path) / "uploads" / "1" / "notes.txt"
    stray.write_text("not an upload")
    _age(stray, 48)
    entry = recurring.get("upload-sweep")
    assert entry.schedule(app.config) == "30 * * * *"
    get_queue(app).enqueue(entry.func)
    work(app, redis_url)  # the registered body, in a real worker
    assert not old.exists() and fresh.exists() and stray.exists()
    assert uploads.sweep(app.instance_path) == 0


def test_only_files_inside_the_uploads_folder_are_ever_deleted(app: Flask, tmp_path: Path) -> None:
    mine = tmp_path / "my-export.csv"
    mine.write_text("keep me")
    assert uploads.discard(mine, app.instance_path) is False and mine.exists()
    escape = Path(app.instance_path) / "uploads" / "1" / ".." / ".." / "outside.upload"
    escape.parent.mkdir(parents=True, exist_ok=True)
    escape.write_text("x")
    assert uploads.discard(escape, app.instance_path) is False and escape.exists()
    for name in ("../../secret_key", "x.upload", "0" * 32 + ".upload/.."):
        assert uploads.stored_upload(app.instance_path, 1, name) is None


def _upload(client: FlaskClient, campaign_id: int, body: bytes, name: str) -> None:
    response = client.post(
        f"/campaigns/{campaign_id}/imports",
        data={"file": (io.BytesIO(body), name), "target": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302


def test_a_backlink_upload_is_deleted_when_its_import_succeeds_fails_or_is_refused(
    app: Flask, client: FlaskClient, auth: SignIn, factory: Factory, redis_url: str, tmp_path: Path
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    good = write_ahrefs(tmp_path / "good.csv", [Link(f"https://s{i}.com/", T) for i in range(5)])
    _upload(client, campaign.id, good.read_bytes(), "good.csv")
    assert len(_stored(app)) == 1
    work(app, redis_url)
    assert _stored(app) == []
    db.session.expire_all()
    assert db.session.scalars(select(BacklinkImport.status)).all() == [ImportStatus.DONE]

    elsewhere = write_ahrefs(tmp_path / "else.csv", [Link("https://s.com/", "https://x.org/")])
    _upload(client, campaign.id, elsewhere.read_bytes(), "else.csv")
    os.truncate(_stored(app)[0], 10)  # broken after it was accepted: the job fails
    work(app, redis_url)
    db.session.expire_all()
    failed = db.session.scalar(select(BacklinkImport).where(BacklinkImport.filename == "else.csv"))
    assert failed is not None and failed.status is ImportStatus.FAILED
    assert _stored(app) == [], "a failed import deletes its file too"

    _upload(client, campaign.id, b"\x00\x01 not an export at all", "junk.csv")
    assert _stored(app) == [], "an upload refused on the spot is deleted on the spot"


def test_a_command_line_import_never_deletes_the_users_own_file(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    campaign = factory.campaign(workspace)
    mine = tmp_path / "mine.csv"
    mine.write_bytes(b"\x00\x01 not an export at all")
    result = runner.invoke(args=["import-backlinks", str(mine), "--campaign", str(campaign.id)])
    assert result.exit_code == 1
    assert mine.exists(), "a refused file from the command line is the user's, not ours"
