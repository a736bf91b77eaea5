"""A user of workspace A gets 404 for every URL that names a resource of workspace B.

Routes are enumerated from the URL map, so a new route with an id in its URL is
checked automatically, and fails here until its argument has a builder below.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, url_for
from flask.testing import FlaskClient

from outreach.accounts.models import Workspace
from outreach.backlinks.models import BacklinkImport
from outreach.extensions import db
from outreach.jobs.models import Task
from tests.factories import Factory

Builder = Callable[[Factory, Workspace], Any]


def _task(factory: Factory, workspace: Workspace) -> str:
    task = Task(id=str(uuid.uuid4()), workspace_id=workspace.id, name="x", description="x")
    db.session.add(task)
    db.session.commit()
    return task.id


def _import(factory: Factory, workspace: Workspace) -> int:
    campaign = factory.campaign(workspace)
    item = BacklinkImport(
        workspace_id=workspace.id, campaign_id=campaign.id, filename="x.csv", stored_path="/none"
    )
    db.session.add(item)
    db.session.commit()
    return item.id


def _all_builders() -> dict[str, Builder]:
    """Builders here, plus each feature's ``tests/<feature>/isolation.py`` BUILDERS."""
    builders: dict[str, Builder] = {
        "campaign_id": lambda f, ws: f.campaign(ws).id,
        "workspace_id": lambda f, ws: ws.id,
        "task_id": _task,
        "import_id": _import,
    }
    for path in sorted(Path(__file__).parent.glob("*/isolation.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.isolation")
        builders.update(module.BUILDERS)
    return builders


BUILDERS = _all_builders()
PUBLIC_ARGUMENTS = {"token", "filename"}  # invitation links and static files carry no workspace


def _routes(app: Flask) -> list[tuple[str, str, set[str]]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):  # tokens, not sessions: tests/api/test_isolation.py
            continue
        args = set(rule.arguments) - PUBLIC_ARGUMENTS
        if args:
            for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                found.append((rule.endpoint, method, args))
    return found


def test_every_route_argument_has_an_isolation_builder(app: Flask) -> None:
    missing = {arg for _, _, args in _routes(app) for arg in args} - set(BUILDERS)
    assert not missing, f"add builders for {missing} so their routes are isolation-tested"


def test_user_of_one_workspace_gets_404_for_every_resource_of_another(
    app: Flask, client: FlaskClient, factory: Factory
) -> None:
    _, theirs = factory.user_with_workspace("them@example.com", "Theirs")
    factory.user_with_workspace("me@example.com", "Mine")
    client.post("/login", data={"email": "me@example.com", "password": Factory.PASSWORD})
    checked = 0
    for endpoint, method, args in _routes(app):
        values = {arg: BUILDERS[arg](factory, theirs) for arg in args}
        url = url_for(endpoint, **values)
        response = client.open(url, method=method, data={})
        assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
        checked += 1
    assert checked >= 4
