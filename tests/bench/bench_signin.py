"""Benchmark: what 200 wrong passwords get, and how long unknown and known addresses take.

Run: ``.venv/bin/python -m tests.bench.bench_signin [--database-url URL] [--redis-url URL]``.
Posts to ``/login`` through the whole app (CSRF off) on a temporary SQLite file (or an EMPTY
database) and the embedded Redis (or ``--redis-url``, which is flushed).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from outreach import create_app
from outreach.extensions import db

PASSWORD = "the right password"


def _app(folder: Path, args: argparse.Namespace) -> Any:
    from flask_migrate import upgrade

    from outreach.accounts import services

    config: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": args.database_url or f"sqlite:///{folder / 'bench.db'}",
        "INSTANCE_PATH": folder / "instance",
        "SECRET_KEY": "bench-secret-key-long-enough-for-production",
        "WTF_CSRF_ENABLED": False,
    }
    if args.redis_url:
        config["REDIS_URL"] = args.redis_url
    app = create_app(config)
    with app.app_context():
        upgrade()
        user = services.create_user("owner@example.com", PASSWORD, "Owner")
        services.create_workspace(user, "Bench")
        db.session.commit()
    return app


def main() -> None:
    """Brute force, then timing, each on a fresh limiter."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="an EMPTY database (default: a temp SQLite file)")
    parser.add_argument("--redis-url", help="a Redis database to use and flush")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="outreach-bench-") as folder:
        app = _app(Path(folder), args)
        from outreach.jobs.connection import get_redis

        get_redis(app).flushdb()
        client = app.test_client()
        wrong = {"email": "owner@example.com", "password": "a wrong guess"}
        started = time.perf_counter()
        statuses = [client.post("/login", data=wrong).status_code for _ in range(200)]
        elapsed = time.perf_counter() - started
        right = client.post("/login", data={"email": "owner@example.com", "password": PASSWORD})
        print(f"200 wrong passwords:   {elapsed:.1f} s")
        print(f"  answered (checked):  {statuses.count(200)}")
        print(f"  refused (429):       {statuses.count(429)}")
        print(f"right password during lockout: HTTP {right.status_code}")

        get_redis(app).flushdb()
        app.config["OUTREACH_LOGIN_LIMIT_ACCOUNT"] = "100000 per 1 minute"
        app.config["OUTREACH_LOGIN_LIMIT_ADDRESS"] = "100000 per 1 minute"
        app.extensions.pop("outreach_login_limiter", None)
        times: dict[str, list[float]] = {"known": [], "unknown": []}
        for _ in range(args.rounds):  # interleaved, so load on the machine hits both alike
            for name, email in (("known", "owner@example.com"), ("unknown", "nobody@example.com")):
                begun = time.perf_counter()
                client.post("/login", data={"email": email, "password": "a wrong guess"})
                times[name].append((time.perf_counter() - begun) * 1000)
        for name, values in times.items():
            print(
                f"{name:8} address, wrong password: median {statistics.median(values):.0f} ms, "
                f"min {min(values):.0f} ms over {len(values)}"
            )
        ratio = statistics.median(times["unknown"]) / statistics.median(times["known"])
        print(f"unknown/known median ratio: {ratio:.2f}")


if __name__ == "__main__":
    main()
