"""Time the reports dashboard on a workspace with 1,000,000 backlinks (PostgreSQL).

    TEST_DATABASE_URL=postgresql://... .venv/bin/python -m tests.bench.bench_reports \\
        [--links N] [--runs N]

The database must be a throwaway one: its schema is dropped and rebuilt, as the test suite
does. Seeding goes through ``COPY``: 20% of the links point at our site (three years of
history, some lost), the rest at five competitors; domains carry authorities; the pipeline
has 20,000 prospects, 30,000 sent messages, replies and 2,000 verified placements; the
per-target summaries are recounted as an import's end does. Prints, for each page, the
first request after the seed and the median and worst of five more (``--runs``), and saves
bench-results/reports.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from outreach import create_app
from outreach.accounts import services as accounts
from outreach.backlinks.summary import refresh_targets
from outreach.campaigns.services import create_campaign
from outreach.config import database_url
from outreach.extensions import db
from tests.conftest import _migrate

COMPETITORS = [f"rival{n}.com" for n in range(5)]
START = datetime(2023, 12, 1, tzinfo=UTC)


def _copy(conn: Any, table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
    raw = conn.connection.dbapi_connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _links(workspace_id: int, total: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    ours = total // 5
    for n in range(total):
        to_us = n < ours
        domain = f"ref{rng.randrange(40_000 if to_us else 150_000)}.net"
        target = "ours.example" if to_us else COMPETITORS[n % 5]
        first = START + timedelta(days=rng.randrange(3 * 365))
        lost = first + timedelta(days=rng.randrange(30, 700)) if rng.random() < 0.2 else None
        yield (
            workspace_id, "ahrefs", n - total // 2, f"https://{domain}/page/{n}", domain,
            f"https://{target}/", target, rng.random() < 0.3, False, False,
            float(rng.randrange(1, 95)), first, first + timedelta(days=30), lost,
        )  # fmt: skip


def seed(
    workspace_id: int, campaign_id: int, user_id: int, total: int, prospects: int = 20_000
) -> None:
    """Backlinks, domains and their authority, and a pipeline, all through COPY.

    The first workspace of a fresh database only: later steps read whole tables."""
    rng = random.Random(11)
    conn = db.session.connection()
    _copy(conn, "backlink", [
        "workspace_id", "data_source", "link_key", "source_url", "source_domain", "target_url",
        "target_domain", "nofollow", "ugc", "sponsored", "authority", "first_seen", "last_seen",
        "lost_at",
    ], _links(workspace_id, total, rng))  # fmt: skip
    now = datetime.now(UTC)
    conn.execute(
        text(
            "INSERT INTO domain (name, tld, created_at, updated_at) "
            "SELECT DISTINCT source_domain, 'net', :now, :now FROM backlink"
        ),
        {"now": now},
    )
    conn.execute(
        text(
            "INSERT INTO domain_metric"
            " (workspace_id, domain_id, source, metric, value, updated_at) "
            "SELECT :ws, d.id, 'ahrefs', 'authority', (d.id * 37) % 100, :now FROM domain d"
        ),
        {"ws": workspace_id, "now": now},
    )
    _copy(conn, "prospect", [
        "workspace_id", "campaign_id", "domain", "stage", "owner_id", "score_breakdown",
        "opportunity_types", "version", "created_at", "updated_at",
    ], ((workspace_id, campaign_id, f"lead{n}.org", "contacted", user_id, "{}", "[]", 1, now, now)
        for n in range(prospects)))  # fmt: skip
    conn.execute(
        text(
            "INSERT INTO contact (workspace_id, email, first_name, last_name, domain, role_address,"
            " source, social_profiles, bouncing, created_at, updated_at) "
            "SELECT :ws, 'ed@' || domain, '', '', domain, false, 'manual', '[]', false, :now, :now "
            "FROM prospect"
        ),
        {"ws": workspace_id, "now": now},
    )
    conn.execute(
        text(
            "INSERT INTO mailbox (workspace_id, user_id, from_name, from_email, smtp_host,"
            " smtp_port, smtp_security, smtp_username, smtp_password_encrypted, imap_host,"
            " imap_port, imap_tls,"
            " daily_cap, min_gap_seconds, jitter_seconds, timezone, sending_start_hour,"
            " sending_end_hour, last_imap_uid, created_at, updated_at) VALUES (:ws, :user, 'B',"
            " 'b@ours.example', 'localhost', 25, 'none', '', '', '', 993, true, 50, 0, 0, 'UTC', 0,"
            " 24, 0, :now, :now)"
        ),
        {"ws": workspace_id, "user": user_id, "now": now},
    )
    conn.execute(
        text(
            "INSERT INTO pitch_template (workspace_id, name, kind, subject, body, version,"
            " created_at, updated_at) SELECT :ws, 'Template ' || n, 'guest_post', 'Hi', 'Hello', 1,"
            " :now, :now FROM generate_series(0, 1) n"
        ),
        {"ws": workspace_id, "now": now},
    )
    conn.execute(
        text(
            "INSERT INTO sequence_step (campaign_id, position, template_id, delay_business_days,"
            " created_at, updated_at) SELECT :c, row_number() OVER (ORDER BY id) - 1, id, 3, :now,"
            " :now FROM pitch_template"
        ),
        {"c": campaign_id, "now": now},
    )
    conn.execute(
        text(
            "INSERT INTO outbound_message (workspace_id, prospect_id, contact_id, mailbox_id,"
            " step_id, status, message_id, subject, body, sent_at, created_at, updated_at) "
            "SELECT p.workspace_id, p.id, c.id, (SELECT min(id) FROM mailbox), s.id, 'sent',"
            " '<' || p.id || '.' || s.position || '@b>', 'Hi', 'Hello',"
            " :start + (p.id % 900) * interval '1 day' + s.position * interval '4 day', :now, :now"
            " FROM prospect p JOIN contact c ON c.email = 'ed@' || p.domain"
            " JOIN sequence_step s ON s.position = 0 OR p.id % 2 = 0"
        ),
        {"start": START, "now": now},
    )
    conn.execute(
        text(
            "INSERT INTO inbound_message (workspace_id, prospect_id, message_id, from_email,"
            " subject, body, is_bounce, received_at, created_at, updated_at) "
            "SELECT workspace_id, id, '<re' || id || '@x>', 'ed@' || domain, 'Re', 'Yes', false,"
            " :start + (id % 900) * interval '1 day' + interval '2 day', :now, :now"
            " FROM prospect WHERE id % 5 = 0"
        ),
        {"start": START, "now": now},
    )
    conn.execute(
        text(
            "INSERT INTO placed_link (workspace_id, prospect_id, page_url, target_url, status,"
            " created_at, updated_at) SELECT workspace_id, id, 'https://' || domain || '/post',"
            " 'https://ours.example/', 'live', :now, :now FROM prospect WHERE id % 10 = 0"
        ),
        {"now": now},
    )
    conn.execute(
        text(
            "INSERT INTO link_check (placed_link_id, checked_at, verdict, http_status, result) "
            "SELECT l.id,"
            " :start + (l.prospect_id % 900) * interval '1 day' + k * interval '30 day',"
            " CASE WHEN k = 2 AND l.id % 7 = 0 THEN 'missing' ELSE 'live' END, 200,"
            ' \'{"links": [{"follows": true, "placement": "content"}]}\''
            " FROM placed_link l CROSS JOIN generate_series(0, 2) k"
        ),
        {"start": START},
    )
    # What the end of every import does: recount the per-target summaries.
    refresh_targets(conn, workspace_id, ["ours.example", *COMPETITORS])
    db.session.commit()
    # What autovacuum does after a big load (PostgreSQL 13+ vacuums after inserts too): fresh
    # statistics, and a visibility map so that index-only scans stay index-only.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
        for table in ("backlink", "domain", "domain_metric", "prospect", "outbound_message",
                      "inbound_message", "placed_link", "link_check"):  # fmt: skip
            auto.execute(text(f"VACUUM ANALYZE {table}"))


def main() -> None:
    """Seed once, then time the dashboard pages."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5, help="timed requests of each page")
    options = parser.parse_args()
    raw_url = os.environ.get("TEST_DATABASE_URL", "")
    if not raw_url.startswith("postgresql"):
        raise SystemExit("set TEST_DATABASE_URL to a throwaway PostgreSQL database")
    with tempfile.TemporaryDirectory(prefix="outreach-bench-") as folder:
        url = database_url(raw_url, Path(folder))
        _migrate(url, Path(folder) / "instance")
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": Path(folder) / "instance",
            "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "TESTING": True,
        })  # fmt: skip
        with app.app_context():
            user = accounts.create_user("bench@example.com", "bench-password-1", "Bench User")
            workspace = accounts.create_workspace(user, "Bench", "ours.example")
            campaign = create_campaign(workspace.id, "Bench", site_domain="ours.example",
                                       competitors=COMPETITORS)  # fmt: skip
            db.session.commit()
            started = time.perf_counter()
            seed(workspace.id, campaign.id, user.id, options.links)
            seeded = time.perf_counter() - started
            counts = {
                t: db.session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("backlink", "prospect", "outbound_message", "placed_link")
            }
            campaign_id = campaign.id
        print(f"seeded {counts} in {seeded:.1f}s")
        client = app.test_client()
        client.post("/login", data={"email": "bench@example.com", "password": "bench-password-1"})
        figures: dict[str, Any] = {
            "links": options.links,
            "seed_seconds": round(seeded, 1),
            "load_average": os.getloadavg(),
        }
        pages = [
            "/reports/?end=2026-11",
            f"/reports/?campaign={campaign_id}&end=2026-11",
            f"/reports/?campaign={campaign_id}&start=2024-01&end=2026-11",
            "/reports/download?table=gap&end=2026-11",
        ]
        print(f"load average before timing: {os.getloadavg()}")
        print(f"{'page':60} median    max  first (first: the first request after the seed)")
        for path in pages:
            started = time.perf_counter()
            client.get(path)
            first = time.perf_counter() - started
            runs = []
            for _ in range(options.runs):
                started = time.perf_counter()
                response = client.get(path)
                runs.append(time.perf_counter() - started)
                assert response.status_code == 200, (path, response.status_code)
            median = statistics.median(runs)
            figures[path] = {
                "median_ms": round(median * 1000),
                "max_ms": round(max(runs) * 1000),
                "first_ms": round(first * 1000),
            }
            print(
                f"{path:60} {median * 1000:6.0f}ms {max(runs) * 1000:5.0f}ms {first * 1000:5.0f}ms"
            )
        with app.app_context():
            db.engine.dispose()
        out = Path("bench-results")
        out.mkdir(exist_ok=True)
        (out / "reports.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
