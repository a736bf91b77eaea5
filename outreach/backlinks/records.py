"""The backlink record: the one column layout every writer and reader of bulk records shares.

A record is a plain tuple (cheap to build with ``zip`` and to send between processes with
``marshal``) whose fields are :data:`ROW_COLUMNS`, in that order. Code that reads a field
of a record uses the positions below, never a bare number. ``link_key`` is the identity of
a link, and the date stamps are how each database takes its timestamps in bulk.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import repeat
from operator import itemgetter
from typing import Any

Record = tuple[Any, ...]

# The columns of a record, after the three a whole load shares (SHARED_COLUMNS).
# ``source_url`` and ``target_url`` are the URLs as the export wrote them; ``link_key``
# is the key they are matched by (see :func:`link_key`).
ROW_COLUMNS = (
    "link_key", "source_url", "source_domain", "source_title", "target_url", "target_domain",
    "anchor", "nofollow", "ugc", "sponsored", "placement", "link_type", "authority",
    "page_authority", "traffic", "is_spam", "spam_score", "topical_trust_flow", "language",
    "first_seen", "last_seen", "lost_at",
)  # fmt: skip
SHARED_COLUMNS = ("workspace_id", "import_id", "data_source")
# What a later record of a link replaces (the seen dates are merged, not replaced).
UPDATED = tuple(name for name in ROW_COLUMNS if name not in ("link_key", "first_seen", "last_seen"))
DATE_COLUMNS = ("first_seen", "last_seen", "lost_at")

KEY = ROW_COLUMNS.index("link_key")
SOURCE_DOMAIN = ROW_COLUMNS.index("source_domain")
TARGET_DOMAIN = ROW_COLUMNS.index("target_domain")
AUTHORITY = ROW_COLUMNS.index("authority")

key_of = itemgetter(KEY)
source_domain_of = itemgetter(SOURCE_DOMAIN)
target_domain_of = itemgetter(TARGET_DOMAIN)
authority_of = itemgetter(AUTHORITY)


def record(fields: Mapping[str, Any], for_sqlite: bool) -> Record:
    """One record from named fields (missing ones are None, flags False); dates are stamped
    for the database and ``link_key`` computed from the URLs when not given."""
    stamp = sqlite_stamp if for_sqlite else postgres_stamp
    values = []
    for name in ROW_COLUMNS:
        value = fields.get(name)
        if name == "link_key" and value is None:
            value = link_key(fields["source_url"] or fields["source_domain"], fields["target_url"])
        elif name in ("nofollow", "ugc", "sponsored"):
            value = bool(value)
        elif name in DATE_COLUMNS:
            value = stamp(value)
        values.append(value)
    return tuple(values)


def rank(fields: Mapping[str, Any]) -> int:
    """How good a link is, of two rows of the same link: followed beats not followed, then
    in the content (or placement unknown) beats footer, sidebar and other boilerplate.
    ``writers`` applies the same rule in SQL."""
    followed = not (fields.get("nofollow") or fields.get("ugc") or fields.get("sponsored"))
    return 2 * followed + (fields.get("placement") in (None, "content"))


_SHA1 = type(hashlib.sha1())
_FIRST_8_SIGNED = struct.Struct(">q")


def link_key(source: str, target: str) -> int:
    """Stable identity of a link within a workspace and data source: the first 8 bytes of
    the SHA-1 of its (normalised) source and target, as a signed 64-bit integer."""
    return link_keys((source,), (target,))[0]


def link_keys(sources: Iterable[str], targets: Iterable[str]) -> list[int]:
    """:func:`link_key` of each (source, target) pair, in C-level passes."""
    texts = map(str.encode, map("\x00".join, zip(sources, targets, strict=True)))
    digests = map(_SHA1.digest, map(hashlib.sha1, texts))
    return list(map(itemgetter(0), map(_FIRST_8_SIGNED.unpack_from, digests)))


def sqlite_stamp(value: datetime | None) -> str | None:
    """A UTC timestamp as SQLAlchemy's SQLite DateTime stores it, so the ORM reads it back."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


def postgres_stamp(value: datetime | None) -> str | None:
    """A timestamp as ISO text for ``COPY`` (naive values are taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


_STAMP_PART = itemgetter(slice(0, 26))  # "YYYY-MM-DD hh:mm:ss.ffffff" of an isoformat


def sqlite_stamps(values: Sequence[datetime | None]) -> Sequence[str | None]:
    """:func:`sqlite_stamp` of a column of UTC datetimes, in C-level passes when none is None."""
    iso_text = getattr(values, "iso_text", None)  # see formats.values.DateColumn
    if iso_text is not None:
        return list(map(str.__add__, iso_text, repeat(".000000")))
    nones = values.count(None)
    if nones == len(values):
        return values  # type: ignore[return-value]  # all None
    if nones or values[0].utcoffset():  # type: ignore[union-attr]  # not None: nones == 0
        return list(map(sqlite_stamp, values))
    isoformats = map(datetime.isoformat, values, repeat(" "), repeat("microseconds"))  # type: ignore[arg-type]
    return list(map(_STAMP_PART, isoformats))


def postgres_stamps(values: Sequence[datetime | None]) -> Sequence[str | None]:
    """A column of UTC datetimes as ISO text for ``COPY`` (text crosses processes cheaply)."""
    iso_text = getattr(values, "iso_text", None)  # see formats.values.DateColumn
    if iso_text is not None:
        return list(map(str.__add__, iso_text, repeat("+00:00")))
    return [None if value is None else value.isoformat() for value in values]
