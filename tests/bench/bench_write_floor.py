"""What writing one backlink row into SQLite costs at the least: the floor under issue 18.

    .venv/bin/python -m tests.bench.bench_write_floor --rows 200000

Builds ``--rows`` records of the importer's shape (22 columns, a new source domain on every
other row) in memory, then measures the CPU time per row (median of ``--rounds``) of:

* pandas ``to_sql`` of the same rows (a ready DataFrame: the write half of pandas' import);
* ``executemany`` into a plain table of the same columns (no index: what pandas writes to);
* ``executemany`` of the importer's statement into ``backlink`` with its indexes;
* a C-level ``INSERT … SELECT`` from a staged copy of the rows into ``backlink``, with all
  its indexes and with its unique index alone (indexes rebuilt after a big load instead).

No Python code runs per row in the last two, so they bound any columnar path from below.
"""

from __future__ import annotations

import argparse
import functools
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine

from outreach.backlinks.records import ROW_COLUMNS
from outreach.db import Base

NAMES = ", ".join(("workspace_id", "import_id", "data_source", *ROW_COLUMNS, "rows_merged"))
VALUES = f"VALUES (1, 1, 'ahrefs', {', '.join('?' for _ in ROW_COLUMNS)}, 1)"
Row = tuple[object, ...]


def records(rows: int) -> list[Row]:
    """Rows as the importer hands them to its writer."""
    made: list[Row] = []
    for n in range(rows):
        domain = f"site{n // 2}.example.com"
        made.append(
            (random.getrandbits(63), f"https://{domain}/post/{n}", domain, f"Post {n}",
             "https://rival-one.com/guide", "rival-one.com", "the guide", False, False, False,
             "content", "text", 42.0, 12.0, 100, False, None, None, "en",
             "2024-01-01 00:00:00.000000", "2024-06-01 00:00:00.000000", None)
        )  # fmt: skip
    return made


def _schema(folder: Path) -> Path:
    import outreach.models  # noqa: F401  (every table on the metadata)

    path = folder / "schema.db"
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    return path


def _cpu_per_row(rows: int, work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return (time.process_time() - started) / rows * 1e6


def _database(schema: Path, folder: Path, secondary_indexes: bool = True) -> sqlite3.Connection:
    copy = folder / "copy.db"
    copy.write_bytes(schema.read_bytes())
    conn = sqlite3.connect(copy, isolation_level=None)
    conn.execute("PRAGMA cache_size = -200000")
    if not secondary_indexes:
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'backlink' "
            "AND sql IS NOT NULL"
        ).fetchall():
            conn.execute(f"DROP INDEX {name}")
    conn.execute("BEGIN")
    return conn


def measure(rows: list[Row], folder: Path) -> dict[str, float]:
    """CPU µs per row of each way of writing ``rows``."""
    import pandas as pd

    schema, n = _schema(folder), len(rows)
    found: dict[str, float] = {}
    frame = pd.DataFrame(rows, columns=list(ROW_COLUMNS))
    with sqlite3.connect(folder / "pandas.db") as conn:
        found["pandas to_sql (plain table)"] = _cpu_per_row(
            n, lambda: frame.to_sql("t", conn, index=False, chunksize=50_000, if_exists="replace")
        )
    conn = _database(schema, folder)
    conn.execute(f"CREATE TABLE plain AS SELECT {NAMES} FROM backlink WHERE 0")
    found["executemany, plain table"] = _cpu_per_row(
        n, lambda: conn.executemany(f"INSERT INTO plain ({NAMES}) {VALUES}", rows)
    )
    found["executemany, backlink + indexes"] = _cpu_per_row(
        n, lambda: conn.executemany(f"INSERT OR IGNORE INTO backlink ({NAMES}) {VALUES}", rows)
    )
    conn.close()
    for label, secondary in (("all indexes", True), ("unique index only", False)):
        conn = _database(schema, folder, secondary_indexes=secondary)
        conn.execute(f"CREATE TEMP TABLE staged ({', '.join(ROW_COLUMNS)})")
        conn.executemany(f"INSERT INTO staged VALUES ({', '.join('?' for _ in ROW_COLUMNS)})", rows)
        statement = (
            f"INSERT OR IGNORE INTO backlink ({NAMES}) SELECT 1, 1, 'ahrefs', "
            f"{', '.join(ROW_COLUMNS)}, 1 FROM staged ORDER BY rowid"
        )
        found[f"C INSERT…SELECT, backlink, {label}"] = _cpu_per_row(
            n, functools.partial(conn.execute, statement)
        )
        conn.close()
    return found


def main() -> None:
    """Print the median CPU µs per row of each way, over the rounds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    rows = records(options.rows)
    results: dict[str, list[float]] = {}
    for _ in range(options.rounds):
        with tempfile.TemporaryDirectory(prefix="write-floor-") as folder:
            for label, value in measure(rows, Path(folder)).items():
                results.setdefault(label, []).append(value)
    for label, values in results.items():
        print(f"{label:45} {statistics.median(values):6.2f} µs CPU per row")


if __name__ == "__main__":
    main()
