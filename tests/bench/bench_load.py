"""Load: gunicorn (4 workers) on a big PostgreSQL workspace, driven by locust.

    TEST_DATABASE_URL=postgresql://.../load_bench .venv/bin/python -m tests.bench.bench_load \\
        --prospects 100000 --backlinks 1000000 --users 20,50 --duration 60

The database must be a throwaway one: its schema is dropped and rebuilt, then seeded
(``load_seed``: one workspace with the prospects and backlinks asked for, twenty ordinary
ones). ``--reuse`` keeps a database this command seeded before. The app is served as in
production (``gunicorn --workers 4 outreach.wsgi:app``, settings from the environment, on
``TEST_REDIS_URL`` or an embedded Redis) and locust runs headless once per number of users,
each user signing in and then opening a page every one to two seconds (``locustfile.py``);
statistics start once every user is in. Prints, per page, p50 and p95 latency, requests
per second and failures, with the load average, and saves bench-results/load.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from outreach import create_app
from outreach.config import database_url
from outreach.extensions import db
from tests.bench import load_seed
from tests.conftest import _migrate

HERE = Path(__file__).parent


def _prepare(url: str, folder: Path, options: argparse.Namespace) -> load_seed.Seeded:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": folder / "instance"})
    if options.reuse:
        with app.app_context():
            found = load_seed.seeded()
            db.engine.dispose()
        if found is not None:
            print(f"reusing the seed: {found.counts}", flush=True)
            return found
    _migrate(url, folder / "instance")
    started = time.perf_counter()
    with app.app_context():
        found = load_seed.seed(options.prospects, options.backlinks, max(options.users))
        db.engine.dispose()
    print(f"seeded {found.counts} in {time.perf_counter() - started:.0f}s", flush=True)
    return found


def _redis_url(folder: Path) -> str:
    if url := os.environ.get("TEST_REDIS_URL"):
        return url
    from outreach.jobs.connection import embedded_redis_url

    return embedded_redis_url(folder / "redis")


def _serve(url: str, folder: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": _redis_url(folder),
        "SECRET_KEY": secrets.token_urlsafe(48),
        "OUTREACH_INSTANCE_PATH": str(folder / "instance"),
        "OUTREACH_BASE_URL": f"http://127.0.0.1:{port}",
        # Every simulated user signs in from 127.0.0.1: the per-address window would refuse
        # them (the per-account one still holds: each user has an account of its own).
        "OUTREACH_LOGIN_LIMIT_ADDRESS": "100000 per minute",
    }
    command = [
        sys.executable, "-m", "gunicorn", "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "outreach.wsgi:app",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env)
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2):
                return server
        except OSError:
            time.sleep(0.25)
    server.terminate()
    raise SystemExit("gunicorn did not answer")


def _drive(
    seed: load_seed.Seeded, port: int, users: int, seconds: int, out: Path
) -> list[dict[str, Any]]:
    prefix = out / f"locust-{users}"
    env = {
        **os.environ,
        "LOAD_EMAILS": ",".join(seed.emails),
        "LOAD_PASSWORD": load_seed.PASSWORD,
        "LOAD_CAMPAIGN": str(seed.campaign_id),
        "LOAD_PROSPECTS": f"{seed.prospect_ids[0]},{seed.prospect_ids[1]}",
    }
    command = [
        sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
        "--users", str(users), "--spawn-rate", str(max(1, users // 5)), "--run-time",
        f"{seconds}s", "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix),
        "--reset-stats", "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    load_before = os.getloadavg()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    rows = []
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            if row["Name"] == "sign-in":
                continue
            rows.append({
                "users": users, "page": row["Name"], "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]), "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]), "rps": round(float(row["Requests/s"]), 1),
                "load_before": [round(x, 2) for x in load_before],
                "load_after": [round(x, 2) for x in os.getloadavg()],
            })  # fmt: skip
    return rows


def _print(rows: list[dict[str, Any]]) -> None:
    print(f"{'users':>5} {'page':12} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>6} err")
    for row in rows:
        print(
            f"{row['users']:>5} {row['page']:12} {row['requests']:>8} {row['p50_ms']:>7.0f}"
            f" {row['p95_ms']:>7.0f} {row['rps']:>6.1f} {row['failures']}"
        )


def main() -> None:
    """Seed (or reuse), serve, and drive each number of users in turn."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--backlinks", type=int, default=1_000_000)
    parser.add_argument("--users", type=lambda s: [int(n) for n in s.split(",")], default=[20, 50])
    parser.add_argument("--duration", type=int, default=60, help="seconds per number of users")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true", help="keep a seed made before")
    options = parser.parse_args()
    raw_url = os.environ.get("TEST_DATABASE_URL", "")
    if not raw_url.startswith("postgres"):
        raise SystemExit("set TEST_DATABASE_URL to a throwaway PostgreSQL database")
    out = Path("bench-results")
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="outreach-load-") as name:
        folder = Path(name)
        url = database_url(raw_url, folder)
        seed = _prepare(url, folder, options)
        server = _serve(url, folder, options.port, options.workers)
        try:
            rows = []
            for users in options.users:
                rows += _drive(seed, options.port, users, options.duration, out)
                _print([row for row in rows if row["users"] == users])
        finally:
            server.terminate()
            server.wait(timeout=30)
    figures = {"seed": seed.counts, "workers": options.workers, "duration": options.duration}
    (out / "load.json").write_text(json.dumps({**figures, "pages": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
