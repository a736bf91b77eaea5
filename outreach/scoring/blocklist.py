"""The workspace blocklist: read it as text, replace it from text. Callers commit."""

from __future__ import annotations

import re

from sqlalchemy import delete, select

from outreach.extensions import db
from outreach.scoring.models import BlockedEntry, BlockKind

_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$")


class BlocklistError(ValueError):
    """A line of the blocklist that is neither a domain nor a TLD."""


def as_text(workspace_id: int) -> str:
    """The blocklist as the form shows it: TLDs (``.xyz``) first, then domains."""
    entries = db.session.execute(
        select(BlockedEntry.kind, BlockedEntry.value)
        .where(BlockedEntry.workspace_id == workspace_id)
        .order_by(BlockedEntry.kind.desc(), BlockedEntry.value)
    )
    return "\n".join(f".{value}" if kind is BlockKind.TLD else value for kind, value in entries)


def parse(text: str) -> set[tuple[BlockKind, str]]:
    """The entries of a blocklist text; BlocklistError names the first bad line."""
    found: set[tuple[BlockKind, str]] = set()
    for number, line in enumerate(text.splitlines(), 1):
        value = line.strip().lower()
        if not value or value.startswith("#"):
            continue
        kind = BlockKind.TLD if value.startswith(".") else BlockKind.DOMAIN
        name = value.strip(".")
        if value.startswith(("http://", "https://")):
            name = value.split("//", 1)[1].split("/", 1)[0]
            kind = BlockKind.DOMAIN
        name = name.removeprefix("www.") if kind is BlockKind.DOMAIN else name
        if not _NAME.match(name) or (kind is BlockKind.DOMAIN and "." not in name):
            raise BlocklistError(f"Line {number}: {line.strip()!r} is not a domain or a .tld.")
        found.add((kind, name))
    return found


def replace(workspace_id: int, text: str) -> bool:
    """Make the blocklist exactly the entries of ``text``; True when it changed."""
    wanted = parse(text)
    rows = db.session.scalars(
        select(BlockedEntry).where(BlockedEntry.workspace_id == workspace_id)
    ).all()
    have = {(row.kind, row.value) for row in rows}
    if have == wanted:
        return False
    gone = [row.id for row in rows if (row.kind, row.value) not in wanted]
    if gone:
        db.session.execute(delete(BlockedEntry).where(BlockedEntry.id.in_(gone)))
    for kind, value in sorted(wanted - have, key=lambda entry: (entry[0].value, entry[1])):
        db.session.add(BlockedEntry(workspace_id=workspace_id, kind=kind, value=value))
    db.session.flush()
    return True
