"""Writing backlink records in bulk, the fastest way each database allows.

Both writers give the same result as one upsert per record, in file order: a link seen
again keeps its earliest first-seen date and latest last-seen date. Within one import,
the best of a link's rows wins (followed beats not followed, then in the content beats
boilerplate; a tie goes to the later row) and ``rows_merged`` counts its rows; a later
import replaces the fields. They write inside the caller's transaction.
"""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Protocol

from sqlalchemy import Connection, text

from outreach.backlinks.batches import LoadTarget
from outreach.backlinks.models import DataSource
from outreach.backlinks.records import ROW_COLUMNS, SHARED_COLUMNS, UPDATED, Record, key_of

INTERSECT_INDEX = "ix_backlink_intersect"
# A SQLite load of at least this many rows, and at least as many as the table holds,
# builds these indexes once at the end instead of updating them row by row (the unique
# index stays: it is what finds a link met before).
REBUILT_INDEXES = (INTERSECT_INDEX, "ix_backlink_page_authority")
REBUILD_MIN_ROWS = 100_000
SQLITE_SORT_CACHE_KIB = 2 * 1024
SORT_THREADS = 2
POSTGRES_SORT_MEMORY = "64MB"


class Writer(Protocol):
    """What the loader needs of a writer."""

    def write(self, records: list[Record]) -> None:
        """Add or merge these records, most of them new links."""

    def merge(self, records: list[Record]) -> None:
        """Add or merge these records, most of them links already written."""

    def expect(self, rows: int) -> None:
        """Hear how many records the whole load is expected to hold."""

    def finish(self) -> None:
        """Complete the load (the records are all written)."""

    def close(self) -> None:
        """Undo connection settings, whether the load finished or failed."""


def writer_for(conn: Connection, where: LoadTarget) -> Writer:
    """The writer for the connection's database."""
    if conn.dialect.name == "postgresql":
        return PostgresWriter(conn, where)
    return SqliteWriter(conn, where)


def _shared_values(where: LoadTarget) -> str:
    """The shared columns as SQL literals: two integers and a value of the DataSource enum
    (the constructor refuses anything else), never user text."""
    import_id = "NULL" if where.import_id is None else str(int(where.import_id))
    source = DataSource(where.data_source).value
    return f"{int(where.workspace_id)}, {import_id}, '{source}'"


def _rank(row: str) -> str:
    """How good a link is, as SQL over a row alias: followed first, then in the content."""
    return (
        f"(CASE WHEN {row}.nofollow OR {row}.ugc OR {row}.sponsored THEN 0 ELSE 2 END + "
        f"CASE WHEN {row}.placement IS NULL OR {row}.placement = 'content' THEN 1 ELSE 0 END)"
    )


def _upsert(insert: str, greatest: str, least: str) -> str:
    """An upsert: a row of the same import merges by rank, another import's is replaced."""
    same = "(backlink.import_id = excluded.import_id)"
    better = f"({same} IS NOT TRUE OR {_rank('excluded')} >= {_rank('backlink')})"
    updates = ", ".join(
        f"{c} = CASE WHEN {better} THEN excluded.{c} ELSE backlink.{c} END" for c in UPDATED
    )
    return (
        f"{insert} ON CONFLICT (workspace_id, data_source, link_key) DO UPDATE SET {updates}, "
        f"import_id = excluded.import_id, "
        f"rows_merged = CASE WHEN {same} IS TRUE "
        "THEN backlink.rows_merged + excluded.rows_merged ELSE excluded.rows_merged END, "
        f"last_seen = {greatest}(coalesce(backlink.last_seen, excluded.last_seen), "
        "excluded.last_seen), "
        f"first_seen = coalesce({least}(backlink.first_seen, excluded.first_seen), "
        "backlink.first_seen, excluded.first_seen)"
    )


class SqliteWriter:
    """Plain inserts, then an upsert for only the records that met an existing link.

    SQLite's upsert costs about 4 µs more per row than ``INSERT OR IGNORE``, and most
    records of an import are new. Rows inserted by a batch are the ones with a rowid above
    the table's largest before it (the transaction is the only writer); every other record
    of the batch is merged afterwards, in file order, by the upsert.
    """

    def __init__(self, conn: Connection, where: LoadTarget) -> None:
        self.cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        # Take the write lock now (a write statement does, even one that changes nothing):
        # no other connection can commit between the rowid read below and the inserts.
        self.cursor.execute("UPDATE backlink SET id = id WHERE 0")
        self.cache_size = self.cursor.execute("PRAGMA cache_size").fetchone()[0]
        self.temp_store = self.cursor.execute("PRAGMA temp_store").fetchone()[0]
        self.threads = self.cursor.execute("PRAGMA threads").fetchone()[0]
        self.dropped_indexes: list[str] | None = None
        names = ", ".join((*SHARED_COLUMNS, *ROW_COLUMNS, "rows_merged"))
        values = f"VALUES ({_shared_values(where)}, {', '.join('?' for _ in ROW_COLUMNS)}, 1)"
        self.insert = f"INSERT OR IGNORE INTO backlink ({names}) {values}"
        self.upsert = _upsert(f"INSERT INTO backlink ({names}) {values}", "max", "min")
        self.last_rowid = self._max_rowid()
        self.table_rows = self.last_rowid

    def _max_rowid(self) -> int:
        return int(self.cursor.execute("SELECT max(rowid) FROM backlink").fetchone()[0] or 0)

    def write(self, records: list[Record]) -> None:
        """Insert the batch; merge what it did not insert."""
        before = self.last_rowid
        self.cursor.executemany(self.insert, records)
        inserted = self.cursor.rowcount  # read before the next statement resets it
        self.last_rowid = self._max_rowid()
        if inserted == len(records):
            return
        rows = self.cursor.execute("SELECT link_key FROM backlink WHERE rowid > ?", (before,))
        new = {key for (key,) in rows}
        merged = []
        for record in records:
            key = key_of(record)
            if key in new:
                new.discard(key)  # its first record was inserted; any later one merges
            else:
                merged.append(record)
        self.cursor.executemany(self.upsert, merged)

    def merge(self, records: list[Record]) -> None:
        """Upsert the records one by one."""
        self.cursor.executemany(self.upsert, records)
        self.last_rowid = self._max_rowid()

    def expect(self, rows: int) -> None:
        """Drop the intersect and page-authority indexes when the load is big next to the
        table. DDL is part of the transaction: a failed load brings the indexes back, and
        readers keep theirs."""
        if self.dropped_indexes is not None or rows < max(REBUILD_MIN_ROWS, self.table_rows):
            return
        self.dropped_indexes = []
        for name in REBUILT_INDEXES:
            found = self.cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
            ).fetchone()
            if found:
                self.cursor.execute(f"DROP INDEX {name}")
                self.dropped_indexes.append(found[0])

    def finish(self) -> None:
        """Build the indexes again if the load dropped them."""
        if self.dropped_indexes:
            # The sort behind CREATE INDEX spills to temporary storage, which the app keeps
            # in memory: on disk, with a small cache, it takes 2 MB instead of 80, as fast.
            # A helper thread sorts too (the file reader is done by now): 1.5 s -> 1.0 s.
            self.cursor.execute(f"PRAGMA cache_size = -{SQLITE_SORT_CACHE_KIB}")
            self.cursor.execute(f"PRAGMA threads = {SORT_THREADS}")
            with contextlib.suppress(sqlite3.OperationalError):  # refused once the connection
                self.cursor.execute("PRAGMA temp_store = FILE")  # has had temporary tables
            for sql in self.dropped_indexes:
                self.cursor.execute(sql)
            self.dropped_indexes = None

    def close(self) -> None:
        """Give the connection its page cache, temporary storage and thread settings back."""
        self.cursor.execute(f"PRAGMA cache_size = {int(self.cache_size)}")
        with contextlib.suppress(sqlite3.OperationalError):
            self.cursor.execute(f"PRAGMA temp_store = {int(self.temp_store)}")
        self.cursor.execute(f"PRAGMA threads = {int(self.threads)}")
        self.cursor.close()


class PostgresWriter:
    """``COPY`` into a staging table, then one ``INSERT ... SELECT`` upsert.

    PostgreSQL keeps its indexes: dropping one would lock readers out until the commit.
    """

    def __init__(self, conn: Connection, where: LoadTarget) -> None:
        self.conn = conn
        self.shared = _shared_values(where)
        # The final merge sorts the staged rows by link: in memory, not in temporary files.
        conn.execute(text(f"SET LOCAL work_mem = '{POSTGRES_SORT_MEMORY}'"))
        conn.execute(
            text(
                "CREATE TEMP TABLE backlink_stage (LIKE backlink INCLUDING DEFAULTS) ON COMMIT DROP"
            )
        )
        dropped = ", ".join(f"DROP COLUMN {name}" for name in ("id", *SHARED_COLUMNS))
        conn.execute(text(f"ALTER TABLE backlink_stage {dropped}, ADD COLUMN seq bigserial"))

    def write(self, records: list[Record]) -> None:
        """Stream the records into the staging table."""
        driver = self.conn.connection.driver_connection
        with driver.cursor() as cursor:  # type: ignore[union-attr]
            columns = ", ".join(ROW_COLUMNS)
            with cursor.copy(f"COPY backlink_stage ({columns}) FROM STDIN") as copy:
                for record in records:
                    copy.write_row(record)

    def merge(self, records: list[Record]) -> None:
        """Stage them too: the final merge puts every record in file order."""
        self.write(records)

    def expect(self, rows: int) -> None:
        """Nothing to prepare."""

    def finish(self) -> None:
        """Merge the staged records into the table: one row per link, the fields of its best
        record in the file (the last of the best), its earliest first-seen and latest
        last-seen dates, and how many records it had."""
        names = ", ".join((*SHARED_COLUMNS, *ROW_COLUMNS, "rows_merged"))
        rows = ", ".join(
            {"first_seen": "first", "last_seen": "last"}.get(name, name) for name in ROW_COLUMNS
        )
        select = (
            f"SELECT {self.shared}, {rows}, merged FROM (SELECT *, "
            "min(first_seen) OVER same AS first, max(last_seen) OVER same AS last, "
            "count(*) OVER same AS merged, row_number() OVER (PARTITION BY link_key "
            f"ORDER BY {_rank('backlink_stage')} DESC, seq DESC) AS newest "
            "FROM backlink_stage WINDOW same AS (PARTITION BY link_key)) AS staged "
            "WHERE newest = 1"
        )
        insert = f"INSERT INTO backlink ({names}) {select}"
        self.conn.execute(text(_upsert(insert, "greatest", "least")))
        self.conn.execute(text("DROP TABLE backlink_stage"))

    def close(self) -> None:
        """Give the rest of the caller's transaction the usual sort memory."""
        self.conn.execute(text("SET LOCAL work_mem TO DEFAULT"))
