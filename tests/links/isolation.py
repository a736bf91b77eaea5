"""Isolation builders for the links routes (see tests/test_isolation.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from outreach.accounts.models import Workspace
from outreach.extensions import db
from outreach.links.models import Alert, PlacedLink
from tests.factories import Factory


def _link(factory: Factory, workspace: Workspace) -> int:
    link = PlacedLink(
        workspace_id=workspace.id,
        page_url="https://blog.example/p",
        target_url="https://x.example/",
    )
    db.session.add(link)
    db.session.commit()
    return link.id


def _alert(factory: Factory, workspace: Workspace) -> int:
    alert = Alert(workspace_id=workspace.id, kind="link_removed", message="gone")
    db.session.add(alert)
    db.session.commit()
    return alert.id


BUILDERS: dict[str, Callable[[Factory, Workspace], Any]] = {"link_id": _link, "alert_id": _alert}
