"""A full disk while uploading: the uploads folder is a 256 KiB tmpfs, the file is larger.

The upload is refused with a clear message, and nothing is half-written: no partial file,
no import row, no task. The space is all there again for a file that fits.
"""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from outreach.backlinks.models import BacklinkImport
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.jobs.models import Task
from outreach.jobs.uploads import uploads_root
from tests.backlinks.ahrefs import Link, write_ahrefs
from tests.factories import Factory

pytestmark = pytest.mark.faults
FULL = "ran out of disk space"
SIZE = 256 * 1024


@pytest.fixture
def tiny_uploads(app: Flask) -> Iterator[Path]:
    """The app's uploads folder on a 256 KiB tmpfs of its own (skips where mount is refused)."""
    folder = uploads_root(app.instance_path)
    folder.mkdir(parents=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tiny tmpfs for the uploads folder needs root")
    mount = ["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(folder)]
    done = subprocess.run(mount, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"this machine refuses to mount a tmpfs: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def _rows(model: type[BacklinkImport] | type[Task]) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _signed_in(factory: Factory, client: FlaskClient) -> Campaign:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    campaign = factory.campaign(workspace)
    client.post("/login", data={"email": "o@example.com", "password": Factory.PASSWORD})
    return campaign


def test_an_upload_larger_than_the_free_space_is_refused_clearly_and_leaves_nothing(
    app: Flask, factory: Factory, client: FlaskClient, tiny_uploads: Path, tmp_path: Path
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a failing page answers 500, as in production
    campaign = _signed_in(factory, client)
    target = "https://rival-one.com/"
    links = [Link(f"https://s{i}.com/", target) for i in range(3000)]
    big = write_ahrefs(tmp_path / "big.csv", links)
    assert big.stat().st_size > 2 * SIZE

    page = f"/campaigns/{campaign.id}/imports"
    response = client.post(
        page,
        data={"file": (io.BytesIO(big.read_bytes()), "big.csv"), "target": ""},
        content_type="multipart/form-data",
        headers={"Referer": f"http://localhost{page}"},
    )
    assert response.status_code == 303 and response.location == page
    assert FULL in client.get(page).get_data(as_text=True)
    assert _files(tiny_uploads) == [], "no partial file is left"
    assert (_rows(BacklinkImport), _rows(Task)) == (0, 0), "no import row, no task"

    small = write_ahrefs(tmp_path / "small.csv", [Link("https://s1.com/", target)])
    response = client.post(
        page,
        data={"file": (io.BytesIO(small.read_bytes()), "small.csv"), "target": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, "a file that fits is taken: all the space is free again"
    assert _rows(BacklinkImport) == 1 and len(_files(tiny_uploads)) == 1


def test_a_ranked_list_larger_than_the_free_space_is_refused_clearly_and_leaves_nothing(
    app: Flask, factory: Factory, client: FlaskClient, tiny_uploads: Path
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    _signed_in(factory, client)
    ranks = "".join(f"{rank},site-{rank}.example\n" for rank in range(1, 40_000)).encode()
    assert len(ranks) > 2 * SIZE
    response = client.post(
        "/ranked-lists",
        data={"file": (io.BytesIO(ranks), "tranco.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert FULL in client.get(response.location).get_data(as_text=True)
    assert _files(tiny_uploads) == [] and _rows(Task) == 0
