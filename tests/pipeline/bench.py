"""Time the pipeline pages on a campaign of 100,000 prospects.

    .venv/bin/python -m tests.pipeline.bench [--rows 100000] [--database URL]

Without ``--database`` it builds a throwaway SQLite file; a PostgreSQL URL must point at a
throwaway database too (its schema is dropped and rebuilt, as the test suite does).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from outreach import create_app
from outreach.accounts import services as accounts
from outreach.campaigns.services import create_campaign
from outreach.extensions import db
from tests.conftest import _migrate
from tests.pipeline.helpers import seed_many

PROPOSED_INDEX = {
    "sqlite": "CREATE INDEX ix_prospect_board ON prospect (campaign_id, stage, score DESC, id)",
    "postgresql": (
        "CREATE INDEX ix_prospect_board ON prospect (campaign_id, stage, score DESC NULLS LAST, id)"
    ),
}
PAGES = [
    "/board",
    "/board?owner=me&min_score=50&due=week",
    "/board?q=site-00999",
    "/prospects",
    "/prospects?sort=domain&page=1000",
    "/prospects?sort=due&page=1999",
    "/prospects?stage=replied&sort=stage&opportunity=write_for_us",
]


def main() -> None:
    """Seed, then print the median time of each page over five requests."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", default="")
    parser.add_argument(
        "--index",
        action="store_true",
        help="add the proposed (campaign_id, stage, score, id) index before timing",
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.database or f"sqlite:///{Path(folder) / 'bench.db'}"
        _migrate(url, Path(folder) / "instance")
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "INSTANCE_PATH": Path(folder) / "instance",
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "TESTING": True,
            }
        )
        with app.app_context():
            user = accounts.create_user("bench@example.com", "bench-password-1", "Bench User")
            workspace = accounts.create_workspace(user, "Bench")
            campaign = create_campaign(workspace.id, "Bench campaign")
            db.session.commit()
            started = time.perf_counter()
            seed_many(campaign, options.rows, [user.id])
            print(f"seeded {options.rows:,} prospects in {time.perf_counter() - started:.1f}s")
            campaign_id = campaign.id
            if options.index:
                ddl = PROPOSED_INDEX[db.engine.dialect.name]
                db.session.execute(text(ddl))
                db.session.commit()
                print("with", ddl)
            db.session.execute(text("ANALYZE prospect"))  # as autovacuum / a DBA would
            db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": "bench@example.com", "password": "bench-password-1"})
        print(f"{'page':70} median   max (5 runs, {url.split(':')[0]})")
        for path in [*(f"/campaigns/{campaign_id}{p}" for p in PAGES), "/today"]:
            runs = []
            for _ in range(5):
                started = time.perf_counter()
                response = client.get(path)
                runs.append(time.perf_counter() - started)
                assert response.status_code == 200, (path, response.status_code)
            print(f"{path:70} {statistics.median(runs) * 1000:6.0f}ms {max(runs) * 1000:5.0f}ms")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
