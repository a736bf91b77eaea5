"""Isolation-test builders for the webhook settings routes (see tests/test_isolation.py)."""

from __future__ import annotations

from outreach.accounts.models import Workspace
from outreach.activity.events import STAGE_CHANGED
from outreach.extensions import db
from outreach.webhooks import services
from tests.factories import Factory


def _webhook(factory: Factory, workspace: Workspace) -> int:
    endpoint, _ = services.create_endpoint(workspace.id, "https://hooks.example/x", [STAGE_CHANGED])
    db.session.commit()
    return endpoint.id


BUILDERS = {"webhook_id": _webhook}
