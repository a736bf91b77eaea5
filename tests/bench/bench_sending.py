"""Benchmark: send 10,000 queued messages to a local SMTP server, caps off, and count duplicates.

Run: ``.venv/bin/python -m tests.bench.bench_sending [--messages N] [--workers W]``. Each worker
is a process running the send job's body (:func:`outreach.pitches.sending.deliver`) on
batches of 500 ids, claiming rows as production does; the SMTP server counts Message-IDs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import secrets
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from outreach import create_app
from outreach.campaigns.services import create_campaign
from outreach.extensions import db
from outreach.pitches.models import Mailbox, MessageStatus, OutboundMessage, SmtpSecurity
from outreach.prospects.models import Contact, Prospect, ProspectContact, Stage
from tests.support.smtp import LOCAL_MAIL, SmtpServer


def _config(folder: Path, url: str | None) -> dict[str, Any]:
    return {
        "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{folder / 'bench.db'}",
        "INSTANCE_PATH": folder / "instance",
        "SECRET_KEY": "bench-secret-key-long-enough-for-production",
        "OUTREACH_BASE_URL": "https://localhost",  # a production app: https only (RFC 8058)
        **LOCAL_MAIL,
    }


def _seed(config: dict[str, Any], count: int, port: int) -> list[int]:
    from flask_migrate import upgrade

    from outreach.accounts import services as accounts

    app = create_app(config)
    with app.app_context():
        upgrade()
        user = accounts.create_user("bench@example.com", "bench-password-1", "Bench")
        space = accounts.create_workspace(user, "Bench", "ours.example")
        campaign = create_campaign(space.id, "Bench", site_domain="ours.example")
        box = Mailbox(
            workspace_id=space.id,
            user_id=user.id,
            from_name="Bench",
            from_email="b@ours.example",
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_security=SmtpSecurity.NONE,
            daily_cap=0,
            min_gap_seconds=0,
            jitter_seconds=0,
            sending_start_hour=0,
            sending_end_hour=0,
        )
        db.session.add(box)
        db.session.flush()
        domains = [f"site{n}.example" for n in range(count)]
        db.session.execute(
            insert(Prospect),
            [
                {
                    "workspace_id": space.id,
                    "campaign_id": campaign.id,
                    "domain": d,
                    "stage": Stage.CONTACT_FOUND,
                    "version": 1,
                }
                for d in domains
            ],
        )
        db.session.execute(
            insert(Contact),
            [
                {"workspace_id": space.id, "email": f"editor@{d}", "first_name": "Ed", "domain": d}
                for d in domains
            ],
        )
        prospects = dict(db.session.execute(select(Prospect.domain, Prospect.id)).all())
        contacts = dict(db.session.execute(select(Contact.domain, Contact.id)).all())
        db.session.execute(
            insert(ProspectContact),
            [
                {"prospect_id": prospects[d], "contact_id": contacts[d], "is_primary": True}
                for d in domains
            ],
        )
        db.session.execute(
            insert(OutboundMessage),
            [
                {
                    "workspace_id": space.id,
                    "prospect_id": prospects[d],
                    "contact_id": contacts[d],
                    "mailbox_id": box.id,
                    "status": MessageStatus.QUEUED,
                    "message_id": f"<{uuid.uuid4().hex}@ours.example>",
                    "unsubscribe_token": secrets.token_urlsafe(24),
                    "subject": f"Hello {d}",
                    "body": f"Hi Ed,\n\nA note about {d}.\n\nBench",
                }
                for d in domains
            ],
        )
        db.session.commit()
        return list(db.session.scalars(select(OutboundMessage.id).order_by(OutboundMessage.id)))


def _worker(config: dict[str, Any], ids: list[int]) -> dict[str, int]:
    from collections import Counter

    from outreach.pitches.sending import deliver

    app = create_app(config)
    totals: Counter[str] = Counter()
    with app.app_context():
        for start in range(0, len(ids), 500):
            totals.update(deliver(ids[start : start + 500]))
    return dict(totals)


def main() -> None:
    """Seed, send, report throughput and duplicates."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", help="an EMPTY database (default: a temp SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="outreach-bench-") as folder:
        server = SmtpServer().start()
        try:
            config = _config(Path(folder), args.database_url)
            ids = _seed(config, args.messages, server.port)
            # every worker gets every id: claims decide who sends what, as with duplicated jobs
            started = time.perf_counter()
            with multiprocessing.get_context("fork").Pool(args.workers) as pool:
                results = pool.starmap(_worker, [(config, ids)] * args.workers)
            elapsed = time.perf_counter() - started
        finally:
            server.stop()
        received = server.recorder.message_ids()
        sent = sum(r.get("sent", 0) for r in results)
        print(f"messages queued:      {len(ids)}")
        print(f"workers:              {args.workers}")
        print(f"sent (per the DB):    {sent}")
        print(f"received by SMTP:     {len(received)}")
        print(f"unique Message-IDs:   {len(set(received))}")
        print(f"duplicates:           {len(received) - len(set(received))}")
        print(f"elapsed:              {elapsed:.1f} s")
        print(f"messages/s total:     {len(received) / elapsed:.0f}")
        print(f"messages/s per worker:{len(received) / elapsed / args.workers:.0f}")
        if len(received) != len(set(received)) or len(set(received)) != len(ids):
            raise SystemExit("FAILED: duplicates or lost messages")


if __name__ == "__main__":
    main()
