"""Import and intersect benchmark: 1,000,000 Ahrefs UTF-16 rows into SQLite and PostgreSQL.

Run with ``make bench`` (or ``python -m tests.bench.bench_imports --rows N``). Each
measurement runs in its own process so its peak memory (ru_maxrss) is its own.
``--shape many`` gives a new source domain on almost every row (rows / 2 domains) instead of
5,000 domains; ``--cli`` measures end to end: ``flask import-backlinks`` against a pandas script,
each its own process, start-up counted on both sides. Every round prints our rows/s over
pandas' for each database, measured back to back.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

COMPETITORS = [
    "rival-one.com",
    "rival-two.com",
    "rival-three.co.uk",
    "rival-four.io",
    "rival-five.net",
]


def _cpu_seconds() -> float:
    """CPU time of this process and of the processes it waited for (an import's reader):
    the work done, which a busy machine does not change as much as the wall-clock time."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _app(url: str, instance: Path) -> Any:
    from outreach import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": instance,
            "SECRET_KEY": "bench-secret-key-long-enough-for-production",
        }
    )


def _fresh_schema(url: str, instance: Path) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    with _app(url, instance).app_context():
        upgrade()


def run_import(url: str, path: Path, instance: Path) -> dict[str, Any]:
    """Import ``path`` (competitors' links) and ``ours-*`` beside it (our own links) into a fresh
    database; returns rows/s of the big import, peak memory and the intersect timing."""
    import logging

    logging.disable(logging.WARNING)
    _fresh_schema(url, instance)
    from outreach.accounts import services as accounts
    from outreach.backlinks import imports
    from outreach.campaigns.services import create_campaign
    from outreach.extensions import db
    from outreach.prospects.intersect import intersect
    from outreach.prospects.intersect_rows import IntersectQuery

    app = _app(url, instance)
    with app.app_context():
        user = accounts.create_user("bench@example.com", "benchmark-password")
        workspace = accounts.create_workspace(user, "Bench")
        campaign = create_campaign(
            workspace.id, "Bench", site_domain="ours.com", competitors=COMPETITORS
        )
        db.session.commit()
        ours = path.with_name("ours-" + path.name)
        imports.run_import(imports.create_import(campaign, ours, ours.name), campaign)
        db.session.commit()
        item = imports.create_import(campaign, path, path.name)
        db.session.commit()
        started, cpu = time.perf_counter(), _cpu_seconds()
        result = imports.run_import(item, campaign)
        db.session.commit()
        elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        import_peak = _peak_mb()
        db.session.expire_all()
        started = time.perf_counter()
        page = intersect(campaign, IntersectQuery(min_competitors=1))
        first_page = time.perf_counter() - started
        started = time.perf_counter()
        two = intersect(campaign, IntersectQuery(min_competitors=2, follow_only=True))
        filtered = time.perf_counter() - started
    return {
        "rows": result.rows,
        "imported": result.imported,
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_second": round(result.rows / elapsed),
        "peak_memory_mb": round(import_peak),
        "reader_process_peak_memory_mb": round((result.reader_peak_kb or 0) / 1024),
        "peak_memory_with_intersect_mb": round(_peak_mb()),
        "intersect_first_page_seconds": round(first_page, 3),
        "prospects": page.total,
        "intersect_k2_follow_seconds": round(filtered, 3),
        "prospects_k2_follow": two.total,
    }


def run_pandas(path: Path, workdir: Path, url: str | None = None) -> dict[str, Any]:
    """The pandas baseline: read_csv + to_sql into SQLite (or the PostgreSQL ``url``)."""
    import sqlite3

    import pandas as pd
    from sqlalchemy import create_engine

    started, cpu = time.perf_counter(), _cpu_seconds()
    frame = pd.read_csv(path, encoding="utf-16", sep="\t")
    if url:
        engine = create_engine(url)
        with engine.begin() as conn:
            frame.to_sql(
                "pandas_backlinks", conn, index=False, chunksize=50_000, if_exists="replace"
            )
        engine.dispose()
    else:
        with sqlite3.connect(workdir / "pandas.db") as conn:
            frame.to_sql("backlinks", conn, index=False, chunksize=50_000, if_exists="replace")
    elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    return {
        "rows": len(frame),
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_second": round(len(frame) / elapsed),
        "peak_memory_mb": round(_peak_mb()),
    }


_PANDAS_SCRIPT = """
import sqlite3, sys
import pandas as pd
from sqlalchemy import create_engine
frame = pd.read_csv(sys.argv[1], encoding="utf-16", sep="\\t")
if len(sys.argv) > 3:
    engine = create_engine(sys.argv[3])
    with engine.begin() as conn:
        frame.to_sql("pandas_backlinks", conn, index=False, chunksize=50_000, if_exists="replace")
else:
    with sqlite3.connect(sys.argv[2]) as conn:
        frame.to_sql("backlinks", conn, index=False, chunksize=50_000, if_exists="replace")
print(len(frame))
"""


def _timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    os.sync()
    started = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    elapsed = time.perf_counter() - started
    if out.returncode != 0:
        raise RuntimeError(f"{command[:3]} failed:\n{out.stderr[-3000:]}")
    return elapsed, out.stdout


def run_cli(url: str, path: Path, instance: Path, rows: int) -> dict[str, Any]:
    """End to end: a fresh database with a campaign, then ``flask import-backlinks`` timed as
    its own process (start-up included)."""
    _fresh_schema(url, instance)
    from outreach.accounts import services as accounts
    from outreach.campaigns.services import create_campaign
    from outreach.extensions import db

    with _app(url, instance).app_context():
        user = accounts.create_user("bench@example.com", "benchmark-password")
        workspace = accounts.create_workspace(user, "Bench")
        campaign = create_campaign(
            workspace.id, "Bench", site_domain="ours.com", competitors=COMPETITORS
        )
        db.session.commit()
        campaign_id = campaign.id
    env = {
        **os.environ, "DATABASE_URL": url, "OUTREACH_INSTANCE_PATH": str(instance),
        "SECRET_KEY": "bench-secret-key-long-enough-for-production",
        "OUTREACH_MAX_UPLOAD_MB": "4096",
    }  # fmt: skip
    flask = str(Path(sys.executable).with_name("flask"))
    command = [flask, "--app", "outreach", "import-backlinks", str(path), "--campaign",
               str(campaign_id), "--json"]  # fmt: skip
    elapsed, _ = _timed(command, env)
    return {"rows": rows, "seconds": round(elapsed, 2), "rows_per_second": round(rows / elapsed),
            "peak_memory_mb": _children_peak_mb()}  # fmt: skip


def run_pandas_cli(path: Path, workdir: Path, rows: int, url: str | None = None) -> dict[str, Any]:
    """The pandas baseline as its own process (interpreter and pandas start-up included)."""
    (workdir / "pandas.db").unlink(missing_ok=True)
    command = [sys.executable, "-c", _PANDAS_SCRIPT, str(path), str(workdir / "pandas.db")]
    elapsed, _ = _timed(command + ([url] if url else []))
    return {"rows": rows, "seconds": round(elapsed, 2), "rows_per_second": round(rows / elapsed),
            "peak_memory_mb": _children_peak_mb()}  # fmt: skip


def _children_peak_mb() -> float:
    """The peak memory of the largest process this one waited for (the timed command; the
    reader process an import starts is the command's child, counted apart in its log)."""
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def _child(mode: str, *args: str) -> dict[str, Any]:
    # Start each measurement with no dirty pages: the kernel writing back the generated file
    # (or the previous run's database) would otherwise slow whichever run comes next.
    os.sync()
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_imports", "--child", mode, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{out.stderr[-3000:]}")
    numbers: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return numbers


def main() -> None:
    """Generate the file, run every measurement, print and save the results."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--shape",
        choices=("few", "many"),
        default="few",
        help="few: 5,000 source domains; many: a new domain on almost every row",
    )
    parser.add_argument(
        "--cli",
        action="store_true",
        help="end to end: flask import-backlinks against a pandas script",
    )
    parser.add_argument("--child", nargs="+")
    options = parser.parse_args()
    if options.child:
        mode, *rest = options.child
        if mode == "import":
            print(json.dumps(run_import(rest[0], Path(rest[1]), Path(rest[2]))))
        elif mode == "cli":
            print(json.dumps(run_cli(rest[0], Path(rest[1]), Path(rest[2]), int(rest[3]))))
        elif mode == "pandas-cli":
            url = rest[3] if len(rest) > 3 else None
            print(json.dumps(run_pandas_cli(Path(rest[0]), Path(rest[1]), int(rest[2]), url)))
        else:
            url = rest[2] if len(rest) > 2 else None
            print(json.dumps(run_pandas(Path(rest[0]), Path(rest[1]), url)))
        return
    from tests.support.exportgen import write_ahrefs_export

    domains = options.rows // 2 if options.shape == "many" else 5000
    results: dict[str, Any] = {"rows": options.rows, "shape": options.shape, "domains": domains}
    with tempfile.TemporaryDirectory(prefix="outreach-bench-") as folder:
        work = Path(folder)
        export = work / "ahrefs-backlinks.csv"
        started = time.perf_counter()
        write_ahrefs_export(
            export, options.rows, target_domains=COMPETITORS, source_domain_count=domains, seed=1
        )
        # Our own links: a fifth as many, from a partly overlapping set of sites.
        ours = export.with_name("ours-" + export.name)
        write_ahrefs_export(ours, max(options.rows // 5, 1), target_domains=["ours.com"], seed=2)
        results["file_mb"] = round(export.stat().st_size / 2**20)
        print(
            f"generated {options.rows:,} rows ({results['file_mb']} MB) in "
            f"{time.perf_counter() - started:.1f}s",
            flush=True,
        )
        mine, theirs = ("cli", "pandas-cli") if options.cli else ("import", "pandas")
        extra = (str(options.rows),) if options.cli else ()
        runs: dict[str, tuple[str, ...]] = {
            "sqlite": (mine, f"sqlite:///{work / 'bench.db'}", str(export), str(work), *extra),
            "pandas_sqlite": (theirs, str(export), str(work), *extra),
        }
        pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
        if pg:
            from outreach.config import database_url

            pg_url = database_url(pg, work)
            runs["postgresql"] = (mine, pg_url, str(export), str(work), *extra)
            runs["pandas_postgresql"] = (theirs, str(export), str(work), *extra, pg_url)
        # Rounds, each running everything once: a machine that speeds up or slows down
        # during the run affects both sides of each comparison alike. Medians are reported.
        measured: dict[str, list[dict[str, Any]]] = {name: [] for name in runs}
        for round_number in range(1, options.rounds + 1):
            for name, args in runs.items():
                measured[name].append(_child(*args))
                print(f"round {round_number}", name, measured[name][-1], flush=True)
            for db_name in ("sqlite", "postgresql"):
                if db_name in measured:
                    ratio = (
                        measured[db_name][-1]["rows_per_second"]
                        / measured[f"pandas_{db_name}"][-1]["rows_per_second"]
                    )
                    results.setdefault(f"ratio_{db_name}_each_round", []).append(round(ratio, 2))
                    ours_cpu = measured[db_name][-1].get("cpu_seconds")
                    pandas_cpu = measured[f"pandas_{db_name}"][-1].get("cpu_seconds")
                    cpu_note = ""
                    if ours_cpu and pandas_cpu:
                        cpu_note = f" (CPU seconds: {ours_cpu} against pandas' {pandas_cpu})"
                    print(
                        f"round {round_number} {db_name}: {ratio:.2f}x pandas{cpu_note}", flush=True
                    )
        for name, found in measured.items():
            ordered = sorted(found, key=lambda run: run["rows_per_second"])
            results[name] = {
                **ordered[len(ordered) // 2],
                "rows_per_second_each_round": [run["rows_per_second"] for run in found],
                "peak_memory_mb": max(run["peak_memory_mb"] for run in found),
            }
    out = Path("bench-results")
    out.mkdir(exist_ok=True)
    name = f"imports-{options.shape}{'-cli' if options.cli else ''}.json"
    (out / name).write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
