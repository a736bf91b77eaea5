"""The workspace suppression list: addresses and whole domains we never write to.

Only a hash of each address is kept: SHA-256 of the workspace id and the normalised address
(lower-cased, its domain in ASCII), so the list can answer "is this address suppressed?"
without holding the address (a deleted contact leaves nothing readable behind). Domains are
hashed the same way for matching and also kept readable, since they name no person.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from outreach.extensions import db
from outreach.pitches.models import Suppression
from outreach.scoping import get_in_workspace
from outreach.urls import ascii_email, unicode_email

HIDDEN = "•••"


class SuppressionError(ValueError):
    """A value that is neither an e-mail address nor a domain."""


def _ascii(value: str) -> str:
    """An address or a domain with the domain in its ASCII (punycode) form."""
    return ascii_email(value) if "@" in value else ascii_email(f"x@{value}").partition("@")[2]


def normalise(value: str) -> str:
    """Lower-case, trimmed, the domain in ASCII; ``@example.com`` is the domain ``example.com``."""
    text = value.strip().lstrip("@")
    if not text or " " in text or "." not in text.rsplit("@", 1)[-1] or len(text) > 320:
        raise SuppressionError(f"{value[:80]!r} is not an e-mail address or a domain.")
    return _ascii(text).lower()


def _forms(value: str) -> set[str]:
    """The ASCII and Unicode spellings of an address or a domain, lower-cased."""
    text = value.strip().lower()
    if "@" in text:
        return {text, ascii_email(text).lower(), unicode_email(ascii_email(text)).lower()}
    return {text, _ascii(text).lower(), unicode_email(f"x@{_ascii(text)}")[2:].lower()}


def value_hash(workspace_id: int, clean: str) -> str:
    """The stored form of a normalised address or domain (the migration has a copy)."""
    return hashlib.sha256(f"{workspace_id}\x00{clean}".encode()).hexdigest()


def label_of(clean: str) -> str:
    """What the list shows: a domain as it is, an address as ``•••@`` its domain."""
    return f"{HIDDEN}@{clean.rsplit('@', 1)[1]}" if "@" in clean else clean


def entries_of(workspace_id: int) -> list[Suppression]:
    """The workspace's suppression list, by label."""
    return list(
        db.session.scalars(
            select(Suppression)
            .where(Suppression.workspace_id == workspace_id)
            .order_by(Suppression.label, Suppression.id)
        )
    )


def get_entry(workspace_id: int, suppression_id: int) -> Suppression:
    """One entry of the workspace; 404 otherwise."""
    return get_in_workspace(Suppression, workspace_id, suppression_id)


def suppress(workspace_id: int, value: str, reason: str = "") -> Suppression:
    """Add an address or domain (idempotent). Callers commit."""
    clean = normalise(value)
    digest = value_hash(workspace_id, clean)
    existing = db.session.scalar(
        select(Suppression).where(
            Suppression.workspace_id == workspace_id, Suppression.value_hash == digest
        )
    )
    if existing is not None:
        return existing
    entry = Suppression(
        workspace_id=workspace_id, value_hash=digest, label=label_of(clean), reason=reason[:200]
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def suppressed_by(workspace_id: int, email: str) -> str | None:
    """The label of the entry that covers this address (itself, its domain or a parent).

    ASCII (punycode) and Unicode spellings of a domain match each other.
    """
    address = ascii_email(email).lower()
    labels = address.rsplit("@", 1)[-1].split(".")
    candidates: set[str] = _forms(address)
    for i in range(len(labels) - 1):
        candidates |= _forms(".".join(labels[i:]))
    return db.session.scalar(
        select(Suppression.label)
        .where(
            Suppression.workspace_id == workspace_id,
            Suppression.value_hash.in_([value_hash(workspace_id, c) for c in candidates]),
        )
        .limit(1)
    )
