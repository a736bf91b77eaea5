"""Referring-domain targets: reading the one in force each month, and setting them. Callers
commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from outreach.extensions import db
from outreach.reports.models import ReferringDomainTarget
from outreach.reports.scope import Scope

MAX_TARGET = 10_000_000


class TargetError(ValueError):
    """A target that cannot be saved, with a message for the user."""


def _of(scope: Scope) -> list[ReferringDomainTarget]:
    campaign = (
        ReferringDomainTarget.campaign_id.is_(None)
        if scope.campaign_id is None
        else ReferringDomainTarget.campaign_id == scope.campaign_id
    )
    return list(
        db.session.scalars(
            select(ReferringDomainTarget)
            .where(ReferringDomainTarget.workspace_id == scope.workspace_id, campaign)
            .order_by(ReferringDomainTarget.starts_on, ReferringDomainTarget.id)
        )
    )


def targets_of(scope: Scope) -> list[ReferringDomainTarget]:
    """The scope's targets, oldest first."""
    return _of(scope)


def target_by_month(scope: Scope, months: Sequence[date]) -> dict[date, int | None]:
    """The target in force in each month (the latest one starting on or before it)."""
    saved = _of(scope)
    found: dict[date, int | None] = {}
    for month in months:
        current = [t.domains for t in saved if t.starts_on <= month]
        found[month] = current[-1] if current else None
    return found


def set_target(scope: Scope, starts_on: date, domains: int) -> ReferringDomainTarget:
    """Aim for ``domains`` referring domains from ``starts_on`` on (replacing that month's)."""
    if not 0 <= domains <= MAX_TARGET:
        raise TargetError(f"A target is a number of domains from 0 to {MAX_TARGET:,}.")
    starts_on = starts_on.replace(day=1)
    existing = next((t for t in _of(scope) if t.starts_on == starts_on), None)
    if existing is None:
        existing = ReferringDomainTarget(
            workspace_id=scope.workspace_id, campaign_id=scope.campaign_id, starts_on=starts_on
        )
        db.session.add(existing)
    existing.domains = domains
    db.session.flush()
    return existing


def delete_target(scope: Scope, target_id: int) -> bool:
    """Remove one of the scope's targets; False when it is not the scope's."""
    target = next((t for t in _of(scope) if t.id == target_id), None)
    if target is None:
        return False
    db.session.delete(target)
    return True
