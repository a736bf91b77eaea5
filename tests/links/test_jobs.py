"""The verification job end to end, including the optional headless-Chromium rendering."""

from __future__ import annotations

import os

import pytest
from flask import Flask
from sqlalchemy import select

from outreach.config import Settings
from outreach.extensions import db
from outreach.jobs import tasks
from outreach.jobs.models import Task, TaskStatus
from outreach.links import services
from outreach.links.jobs import verify_links
from outreach.links.models import LinkCheck, LinkStatus, PlacedLink
from outreach.links.render import chromium_available
from tests.factories import Factory
from tests.links.conftest import TARGET, Web, cc_page, work

SCRIPT = b"""
var a = document.createElement('a');
a.href = 'https://ours.example/guide'; a.textContent = 'inserted by script';
document.querySelector('.entry-content').appendChild(a);
"""


def _link(factory: Factory, url: str) -> PlacedLink:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    link = services.create_link(workspace.id, url, TARGET)
    db.session.commit()
    return link


def test_one_job_checks_a_batch_and_reports_progress(
    web_app: Flask, web: Web, factory: Factory, redis_url: str
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    ids = []
    for number in range(5):
        html = cc_page().replace(b'<link rel="canonical"', b'<link rel="x"', 1)
        url = web.serve(f"http://site{number}.example/post", html)
        ids.append(services.create_link(workspace.id, url, TARGET).id)
    task = tasks.launch(verify_links, ids, workspace_id=workspace.id, description="batch")
    db.session.commit()
    work(web_app, redis_url)
    db.session.expire_all()
    done = db.session.get(Task, task.id)
    assert done is not None and done.status is TaskStatus.FINISHED
    assert done.progress == {"total": 5, "checked": 5, "alerts": 0}
    checks = list(db.session.scalars(select(LinkCheck)))
    assert sorted(c.placed_link_id for c in checks) == sorted(ids)
    check = checks[0]
    assert check.http_status == 200 and check.final_url and check.result["links"]
    assert set(check.result) >= {"verdict", "index_blockers", "redirects", "links", "error"}


def _needs_chromium() -> None:
    if not chromium_available(Settings().chromium_path):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but playwright or /usr/bin/chromium is missing")
        pytest.skip("playwright or /usr/bin/chromium not installed")


@pytest.mark.browser
def test_link_inserted_by_javascript_is_found_only_with_rendering_on(
    web_app: Flask, web: Web, factory: Factory, redis_url: str
) -> None:
    _needs_chromium()
    html = cc_page(b"").replace(b'<link rel="canonical"', b'<link rel="x"', 1)
    html = html.replace(b"</body>", b'<script src="/add-link.js"></script></body>', 1)
    url = web.serve("http://js.example/post", html)
    web.serve("http://js.example/add-link.js", (200, {"Content-Type": "text/javascript"}, SCRIPT))
    link = _link(factory, url)
    verify_links([link.id])
    db.session.expire_all()
    assert db.session.get_one(PlacedLink, link.id).status is LinkStatus.MISSING

    web_app.config["OUTREACH_RENDER_JS"] = True
    tasks.get_queue(web_app).enqueue(verify_links, [link.id])
    work(web_app, redis_url)
    db.session.expire_all()
    assert db.session.get_one(PlacedLink, link.id).status is LinkStatus.LIVE
    [latest, _] = services.checks_of(db.session.get_one(PlacedLink, link.id))
    assert latest.result["rendered_js"] is True
    assert latest.result["links"][0]["anchor"] == "inserted by script"
    assert ("js.example", "/add-link.js") in {(r.host, r.path) for r in web.server.log}
