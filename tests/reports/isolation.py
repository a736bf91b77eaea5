"""Isolation builders for the reports routes (see tests/test_isolation.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from outreach.accounts.models import Workspace
from outreach.extensions import db
from outreach.reports.models import ReferringDomainTarget
from tests.factories import Factory


def _target(factory: Factory, workspace: Workspace) -> int:
    target = ReferringDomainTarget(
        workspace_id=workspace.id, campaign_id=None, starts_on=date(2026, 1, 1), domains=10
    )
    db.session.add(target)
    db.session.commit()
    return target.id


BUILDERS: dict[str, Callable[[Factory, Workspace], Any]] = {"target_id": _target}
