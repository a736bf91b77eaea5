"""The workspace suppression list: addresses and whole domains we never write to."""

from __future__ import annotations

from sqlalchemy import select

from outreach.extensions import db
from outreach.pitches.models import Suppression
from outreach.scoping import get_in_workspace


class SuppressionError(ValueError):
    """A value that is neither an e-mail address nor a domain."""


def normalise(value: str) -> str:
    """Lower-case, trimmed; ``@example.com`` is taken as the domain ``example.com``."""
    text = value.strip().lower().lstrip("@")
    if not text or " " in text or "." not in text.rsplit("@", 1)[-1]:
        raise SuppressionError(f"{value!r} is not an e-mail address or a domain.")
    return text


def entries_of(workspace_id: int) -> list[Suppression]:
    """The workspace's suppression list, alphabetically."""
    return list(
        db.session.scalars(
            select(Suppression)
            .where(Suppression.workspace_id == workspace_id)
            .order_by(Suppression.value)
        )
    )


def get_entry(workspace_id: int, suppression_id: int) -> Suppression:
    """One entry of the workspace; 404 otherwise."""
    return get_in_workspace(Suppression, workspace_id, suppression_id)


def suppress(workspace_id: int, value: str, reason: str = "") -> Suppression:
    """Add an address or domain (idempotent). Callers commit."""
    clean = normalise(value)
    existing = db.session.scalar(
        select(Suppression).where(
            Suppression.workspace_id == workspace_id, Suppression.value == clean
        )
    )
    if existing is not None:
        return existing
    entry = Suppression(workspace_id=workspace_id, value=clean, reason=reason[:200])
    db.session.add(entry)
    db.session.flush()
    return entry


def suppressed_by(workspace_id: int, email: str) -> str | None:
    """The suppression entry that covers this address (itself, its domain or a parent), if any."""
    address = email.strip().lower()
    domain = address.rsplit("@", 1)[-1]
    labels = domain.split(".")
    candidates = [address] + [".".join(labels[i:]) for i in range(len(labels) - 1)]
    return db.session.scalar(
        select(Suppression.value).where(
            Suppression.workspace_id == workspace_id, Suppression.value.in_(candidates)
        )
    )
