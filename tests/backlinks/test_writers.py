"""Bulk writers: the same result as one upsert per record in file order, on both databases."""

from __future__ import annotations

import os
import random
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from outreach.backlinks import writers
from outreach.backlinks.batches import Batch, LoadTarget
from outreach.backlinks.loader import load_batches
from outreach.backlinks.models import BacklinkImport, DataSource
from outreach.backlinks.parallel import parallel_batches
from outreach.backlinks.records import ROW_COLUMNS, key_of, record
from outreach.extensions import db
from tests.backlinks.ahrefs import Link, write_ahrefs
from tests.factories import Factory

T0 = datetime(2024, 1, 1, tzinfo=UTC)
FIELDS = ("source_title", "anchor", "nofollow", "placement", "authority", "lost_at", "rows_merged")


def _record(
    source: str, day: int, seen_days: int, for_sqlite: bool, **fields: Any
) -> tuple[Any, ...]:
    target = "https://rival.com/"
    named = {
        "source_url": source, "source_domain": source.split("/")[2], "target_url": target,
        "target_domain": "rival.com", "language": "en", "first_seen": T0 + timedelta(days=day),
        "last_seen": T0 + timedelta(days=day + seen_days), **fields,
    }  # fmt: skip
    return record(named, for_sqlite)


def _rank(row: dict[str, Any]) -> int:
    followed = not (row["nofollow"] or row["ugc"] or row["sponsored"])
    return 2 * followed + (row["placement"] in (None, "content"))


def _fold(loads: list[list[tuple[Any, ...]]]) -> dict[int, dict[str, Any]]:
    """What one upsert per record, load after load, leaves: the model the writers must match.
    Within a load the best row of a link wins (the later one on a tie) and rows are counted;
    a later load replaces the fields; seen dates are merged."""
    table: dict[int, dict[str, Any]] = {}
    for load, records in enumerate(loads):
        for item in records:
            row = {**dict(zip(ROW_COLUMNS, item, strict=True)), "load": load, "rows_merged": 1}
            known = table.get(row["link_key"])
            if known is None:
                table[row["link_key"]] = row
                continue
            same = known["load"] == load
            first = min(known["first_seen"], row["first_seen"])
            last = max(known["last_seen"], row["last_seen"])
            merged = known["rows_merged"] + 1 if same else 1
            if not same or _rank(row) >= _rank(known):
                known.update(row)
            known.update(first_seen=first, last_seen=last, rows_merged=merged)
    return table


def _table(for_sqlite: bool) -> dict[int, dict[str, Any]]:
    columns = ", ".join(("link_key", "first_seen", "last_seen", *FIELDS))
    rows = db.session.execute(text(f"SELECT {columns} FROM backlink")).mappings()
    found = {}
    for row in rows:
        item = dict(row)
        for name in ("first_seen", "last_seen", "lost_at"):
            value = item[name]
            if value is not None and not isinstance(value, str):
                value = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
            item[name] = value
        found[item["link_key"]] = item
    return found


def _expected(loads: list[list[tuple[Any, ...]]], for_sqlite: bool) -> dict[int, dict[str, Any]]:
    expected = {}
    for key, row in _fold(loads).items():
        item = {name: row[name] for name in ("link_key", "first_seen", "last_seen", *FIELDS)}
        for name in ("first_seen", "last_seen", "lost_at"):
            if item[name] is not None and not for_sqlite:  # "…+00:00" ISO text for COPY
                value = datetime.fromisoformat(item[name]).astimezone(UTC).replace(tzinfo=None)
                item[name] = value.isoformat(" ", "microseconds")
        item["nofollow"] = bool(item["nofollow"])
        expected[key] = item
    return expected


def _normalise(table: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    for row in table.values():
        row["nofollow"] = bool(row["nofollow"])
    return table


def _load(workspace_id: int, batches: Iterable[Batch], **kwargs: Any) -> None:
    item = BacklinkImport(workspace_id=workspace_id, filename="f.csv", stored_path="/nowhere")
    db.session.add(item)
    db.session.flush()
    where = LoadTarget(workspace_id, item.id, DataSource.AHREFS)
    load_batches(db.session.connection(), batches, where, T0, **kwargs)


def test_repeats_inside_and_across_batches_and_of_earlier_loads_keep_the_best_row(
    factory: Factory,
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    for_sqlite = db.engine.dialect.name == "sqlite"
    rng = random.Random(3)
    pages = [f"https://site{n}.com/page" for n in range(40)]

    def records(count: int, start_day: int) -> list[tuple[Any, ...]]:
        return [
            _record(
                rng.choice(pages),
                start_day + rng.randrange(30),
                rng.randrange(60),
                for_sqlite,
                source_title=f"title {n}",
                anchor=rng.choice(["a", "b", None]),
                nofollow=rng.random() < 0.3,
                placement=rng.choice([None, "content", "sidebar", "boilerplate"]),
                authority=float(rng.randrange(90)),
                lost_at=rng.choice([None, None, T0 + timedelta(days=rng.randrange(300))]),
            )
            for n in range(count)
        ]

    earlier = records(25, 0)
    _load(workspace.id, [Batch(records=earlier)])
    # As the file reader sends them: links it may have seen go in ``repeats``; the rest,
    # including links of the earlier load and same-batch repeats it missed, in ``records``.
    later = [records(30, 100), records(30, 200), records(30, 300)]
    batches = [
        Batch(records=later[0]),
        Batch(records=later[1][:15], repeats=later[1][15:]),
        Batch(records=later[2][::2], repeats=later[2][1::2]),
    ]
    _load(workspace.id, batches)
    file_order = later[0] + later[1] + later[2][::2] + later[2][1::2]
    assert _normalise(_table(for_sqlite)) == _expected([earlier, file_order], for_sqlite)
    assert len(_table(for_sqlite)) == len({key_of(item) for item in earlier + file_order})


def test_duplicate_rows_keep_the_followed_link_in_the_content_and_count_the_rows(
    factory: Factory,
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    for_sqlite = db.engine.dialect.name == "sqlite"
    page = "https://blog.example.org/post"
    rows = [
        _record(page, 1, 1, for_sqlite, anchor="footer", placement="boilerplate"),
        _record(page, 2, 1, for_sqlite, anchor="body", placement="content"),
        _record(page, 3, 1, for_sqlite, anchor="nofollowed", nofollow=True, placement="content"),
        _record(page, 4, 1, for_sqlite, anchor="sidebar", placement="sidebar"),
    ]
    _load(workspace.id, [Batch(records=rows[:1]), Batch(records=rows[1:2], repeats=rows[2:])])
    link = db.session.execute(text("SELECT anchor, nofollow, rows_merged FROM backlink")).one()
    assert (link.anchor, bool(link.nofollow), link.rows_merged) == ("body", False, 4)
    _load(workspace.id, [Batch(records=rows[2:3])])  # a later import replaces it
    link = db.session.execute(text("SELECT anchor, nofollow, rows_merged FROM backlink")).one()
    assert (link.anchor, bool(link.nofollow), link.rows_merged) == ("nofollowed", True, 1)


def _index_sql(name: str = writers.INTERSECT_INDEX) -> str | None:
    if db.engine.dialect.name == "postgresql":
        sql = "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
    else:
        sql = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
    return db.session.execute(text(sql), {"name": name}).scalar()


def _pragmas() -> tuple[Any, ...]:
    if db.engine.dialect.name != "sqlite":
        return ()
    conn = db.session.connection()
    return tuple(
        conn.execute(text(f"PRAGMA {name}")).scalar()
        for name in ("cache_size", "temp_store", "threads")
    )


def test_a_big_load_builds_the_intersect_index_once_on_sqlite_and_keeps_it_on_postgresql(
    factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    monkeypatch.setattr(writers, "REBUILD_MIN_ROWS", 10)
    original, settings = _index_sql(), _pragmas()
    originals = [_index_sql(name) for name in writers.REBUILT_INDEXES]
    during_load = []

    def batches() -> Iterator[Batch]:
        for n in range(4):
            pages = [f"https://s{n}-{i}.com/" for i in range(20)]
            records = [_record(p, 1, 1, db.engine.dialect.name == "sqlite") for p in pages]
            yield Batch(records=records, bytes_read=(n + 1) * 100)
            during_load.append(_index_sql())
            if n == 0 and db.engine.dialect.name == "sqlite":
                assert [_index_sql(name) for name in writers.REBUILT_INDEXES] == [None, None]

    _load(workspace.id, batches(), file_bytes=400)
    if db.engine.dialect.name == "sqlite":
        assert during_load[0] is None, "dropped while the rows go in"
    else:
        assert during_load[0] == original, "PostgreSQL readers are never locked out"
    assert _index_sql() == original, "rebuilt exactly as the migration made it"
    assert [_index_sql(name) for name in writers.REBUILT_INDEXES] == originals
    assert all(originals)
    assert _pragmas() == settings
    assert db.session.execute(text("SELECT count(*) FROM backlink")).scalar() == 80
    if db.engine.dialect.name == "sqlite":
        plan = db.session.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT source_domain FROM backlink "
                "WHERE workspace_id = 1 AND target_domain = 'rival.com'"
            )
        ).all()
        assert writers.INTERSECT_INDEX in " ".join(str(row[-1]) for row in plan)


def _records(count: int, prefix: str = "s") -> list[tuple[Any, ...]]:
    for_sqlite = db.engine.dialect.name == "sqlite"
    return [_record(f"https://{prefix}{i}.com/", 1, 1, for_sqlite) for i in range(count)]


def test_a_big_load_that_fails_while_reading_keeps_the_index(
    factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    db.session.commit()
    monkeypatch.setattr(writers, "REBUILD_MIN_ROWS", 10)
    original, settings = _index_sql(), _pragmas()
    during_load = []

    def batches() -> Iterator[Batch]:
        yield Batch(records=_records(40), bytes_read=100)
        during_load.append(_index_sql())
        raise RuntimeError("the file reader died")

    with pytest.raises(RuntimeError):
        _load(workspace.id, batches(), file_bytes=100)
    if db.engine.dialect.name == "sqlite":
        assert during_load == [None], "it was dropped before the failure"
    assert _pragmas() == settings
    db.session.rollback()
    assert _index_sql() == original
    assert db.session.execute(text("SELECT count(*) FROM backlink")).scalar() == 0


@pytest.mark.sqlite_only
def test_a_big_load_that_fails_while_rebuilding_the_index_restores_everything(
    factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    db.session.commit()
    monkeypatch.setattr(writers, "REBUILD_MIN_ROWS", 10)
    original, settings = _index_sql(), _pragmas()
    rebuild = writers.SqliteWriter.finish

    def broken_rebuild(self: writers.SqliteWriter) -> None:
        assert self.dropped_indexes
        self.dropped_indexes = ["CREATE INDEX ix_broken ON no_such_table (x)"]
        rebuild(self)

    monkeypatch.setattr(writers.SqliteWriter, "finish", broken_rebuild)
    with pytest.raises(sqlite3.OperationalError):
        _load(workspace.id, [Batch(records=_records(40), bytes_read=100)], file_bytes=100)
    assert _pragmas() == settings
    db.session.rollback()
    assert _index_sql() == original
    assert db.session.execute(text("SELECT count(*) FROM backlink")).scalar() == 0


def test_a_load_holds_off_other_writers_on_sqlite_and_not_on_postgresql(
    factory: Factory, database: str
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    db.session.commit()
    writer = writers.writer_for(
        db.session.connection(), LoadTarget(workspace.id, None, DataSource.AHREFS)
    )
    other = create_engine(database)
    try:
        with other.begin() as conn:
            if db.engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA busy_timeout = 200")  # the app waits 30 s
            conn.execute(
                text("UPDATE workspace SET name = 'Other' WHERE id = :id"), {"id": workspace.id + 1}
            )
        assert db.engine.dialect.name == "postgresql", "SQLite: no one commits mid-load"
    except OperationalError as exc:
        assert db.engine.dialect.name == "sqlite" and "locked" in str(exc)
    finally:
        other.dispose()
        writer.close()
        db.session.rollback()


@pytest.mark.sqlite_only
def test_new_links_skip_the_merge_and_a_temporary_table_does_not_stop_a_big_load(
    factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    db.session.commit()
    monkeypatch.setattr(writers, "REBUILD_MIN_ROWS", 10)
    conn = db.session.connection()
    conn.exec_driver_sql("CREATE TEMP TABLE scratch (x)")
    statements: list[str] = []
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    raw.set_trace_callback(statements.append)
    try:
        _load(workspace.id, [Batch(records=_records(40), bytes_read=100)], file_bytes=100)
        assert not [sql for sql in statements if "WHERE rowid >" in sql]
        assert db.session.execute(text("SELECT count(*) FROM backlink")).scalar() == 40
        assert _index_sql() is not None
        _load(workspace.id, [Batch(records=_records(20) + _records(5, "n"))])
        assert [sql for sql in statements if "WHERE rowid >" in sql]
    finally:
        raw.set_trace_callback(None)
    assert db.session.execute(text("SELECT count(*) FROM backlink")).scalar() == 45


def _children() -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        found.update(int(pid) for pid in (task / "children").read_text().split())
    return found


def test_a_load_that_fails_ends_its_reader_process_at_once(
    factory: Factory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    links = [Link(f"https://s{i}.com/p", "https://rival.com/") for i in range(30000)]
    path = write_ahrefs(tmp_path / "export.csv", links)
    where = LoadTarget(workspace.id, None, DataSource.AHREFS)
    before = _children()

    def failing_write(self: writers.Writer, records: list[tuple[Any, ...]]) -> None:
        raise RuntimeError("the disk is full")

    for writer in (writers.SqliteWriter, writers.PostgresWriter):
        monkeypatch.setattr(writer, "write", failing_write)
    batches = parallel_batches(path, None, where, T0, db.engine.dialect.name == "sqlite")
    with pytest.raises(RuntimeError, match="disk is full"):
        load_batches(db.session.connection(), batches, where, T0)
    assert _children() == before, "no reader process is left behind"
