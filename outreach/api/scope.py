"""Every id in an API path is checked against the caller's workspace before anything else.

So another workspace's object answers 404 exactly like a missing one on every route, even
one whose request body is invalid (validation would otherwise answer first, 422).
"""

from __future__ import annotations

from typing import Any

from flask import request

from outreach.api.auth import caller
from outreach.api.problems import Problem
from outreach.backlinks.models import BacklinkImport
from outreach.campaigns.models import Campaign
from outreach.jobs.tasks import get_task
from outreach.links.models import Alert, PlacedLink
from outreach.pitches.models import PitchTemplate
from outreach.prospects.models import Prospect
from outreach.scoping import get_in_workspace
from outreach.webhooks.models import WebhookEndpoint

OWNED: dict[str, Any] = {
    "campaign_id": Campaign,
    "prospect_id": Prospect,
    "link_id": PlacedLink,
    "alert_id": Alert,
    "import_id": BacklinkImport,
    "template_id": PitchTemplate,
    "webhook_id": WebhookEndpoint,
}


def check_path_ids() -> None:
    """Before each API view: 404 unless every id of the path is the caller's workspace's."""
    workspace_id = caller().workspace.id
    for name, value in (request.view_args or {}).items():
        if name == "task_id":
            if get_task(workspace_id, str(value)) is None:
                raise Problem(404)
            continue
        if name not in OWNED:
            raise LookupError(f"no workspace check for the path argument {name!r}: add it")
        get_in_workspace(OWNED[name], workspace_id, value)
