"""Isolation builders for crawl routes: a run created in the given workspace."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from outreach.accounts.models import Workspace
from outreach.crawl import services
from outreach.crawl.contact_import import add_contact
from outreach.extensions import db
from tests.factories import Factory


def _run(factory: Factory, workspace: Workspace) -> int:
    campaign = factory.campaign(workspace)
    run = services.create_run(campaign, sites="https://example.org/")
    db.session.commit()
    return run.id


def _contact(factory: Factory, workspace: Workspace) -> int:
    contact, _ = add_contact(workspace.id, f"editor@{uuid.uuid4().hex[:8]}.example")
    db.session.commit()
    return contact.id


BUILDERS: dict[str, Callable[[Factory, Workspace], Any]] = {"run_id": _run, "contact_id": _contact}
