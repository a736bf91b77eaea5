"""Benchmark: one workspace's one-row import while another's mailboxes hang.

Run: ``.venv/bin/python -m tests.bench.bench_starvation [--layout lanes|single]
[--mailboxes 6] [--mail-timeout S] [--redis-url URL] [--database-url URL]``.

An IMAP server on 127.0.0.1 accepts every connection and never greets; the noisy workspace
has ``--mailboxes`` mailboxes on it. Real worker processes run on Redis (``--redis-url``,
else ``TEST_REDIS_URL``; its queues are emptied) and a temporary SQLite database (or an
EMPTY ``--database-url``). The mailbox poll is queued, and once the first poll hangs the
quiet workspace uploads a one-row export through the web app: the time until the import is
done is the number. ``lanes`` runs the workers ``flask serve`` starts (one per lane);
``single`` runs one ``flask worker`` (every queue, or the only queue of older versions).
Saves bench-results/starvation-<layout>.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from redis import Redis
from rq import Worker
from sqlalchemy import select

from outreach import create_app
from outreach.extensions import db
from tests.backlinks.ahrefs import Link, write_ahrefs
from tests.support.silent import silent_server
from tests.support.smtp import LOCAL_MAIL

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "bench-password-1"


def _seed(app: Any, port: int, mailboxes: int) -> int:
    from flask_migrate import upgrade

    from outreach.accounts import services as accounts
    from outreach.campaigns.services import create_campaign
    from outreach.pitches.mailboxes import encrypt_password
    from outreach.pitches.models import Mailbox, SmtpSecurity

    with app.app_context():
        upgrade()
        noisy_user = accounts.create_user("noisy@example.com", PASSWORD, "Noisy")
        noisy = accounts.create_workspace(noisy_user, "Noisy", "noisy.example")
        for n in range(mailboxes):
            box = Mailbox(
                workspace_id=noisy.id,
                user_id=noisy_user.id,
                from_name="Noisy",
                from_email=f"box{n}@noisy.example",
                smtp_host="127.0.0.1",
                smtp_port=25,
                smtp_security=SmtpSecurity.NONE,
                imap_host="127.0.0.1",
                imap_port=port,
                imap_tls=False,
            )
            box.smtp_password_encrypted = encrypt_password("secret")
            db.session.add(box)
        quiet_user = accounts.create_user("quiet@example.com", PASSWORD, "Quiet")
        quiet = accounts.create_workspace(quiet_user, "Quiet", "quiet.example")
        campaign = create_campaign(
            quiet.id, "Quiet", site_domain="quiet.example", competitors=["rival-one.com"]
        )
        db.session.commit()
        return campaign.id


def _worker_commands(layout: str) -> list[list[str]]:
    if layout == "single":
        return [[sys.executable, "-m", "flask", "--app", "outreach", "worker"]]
    from outreach.jobs.cli import worker_commands

    return worker_commands(1)


def _wait(check: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)


def run(
    layout: str, mailboxes: int, mail_timeout: float | None, redis_url: str, url: str
) -> dict[str, Any]:
    """Run the scenario once; returns its numbers."""

    from outreach.backlinks.models import BacklinkImport, ImportStatus
    from outreach.jobs.process import set_worker_app
    from outreach.pitches.jobs import poll_mailboxes

    Redis.from_url(redis_url).flushdb()
    with tempfile.TemporaryDirectory(prefix="outreach-bench-") as folder, silent_server() as hang:
        config: dict[str, Any] = {
            "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{Path(folder) / 'bench.db'}",
            "INSTANCE_PATH": Path(folder) / "instance",
            "SECRET_KEY": "bench-secret-key-long-enough-for-production",
            "REDIS_URL": redis_url,
            "OUTREACH_QUEUE": "bench-starvation",
            "OUTREACH_BASE_URL": "https://localhost",
            "WTF_CSRF_ENABLED": False,
            **LOCAL_MAIL,
        }
        if mail_timeout is not None:
            config["OUTREACH_MAIL_TIMEOUT"] = mail_timeout
        app = create_app(config)
        set_worker_app(app)
        campaign_id = _seed(app, hang.port, mailboxes)
        env = {k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")}
        env.update(
            DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"],
            REDIS_URL=redis_url,
            SECRET_KEY=config["SECRET_KEY"],
            OUTREACH_QUEUE=config["OUTREACH_QUEUE"],
            OUTREACH_INSTANCE_PATH=str(config["INSTANCE_PATH"]),
            OUTREACH_BASE_URL="https://localhost",
            PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p),
            **LOCAL_MAIL,
        )
        if mail_timeout is not None:
            env["OUTREACH_MAIL_TIMEOUT"] = str(mail_timeout)
        commands = _worker_commands(layout)
        log = open(Path(folder) / "workers.log", "wb")  # noqa: SIM115  (closed below)
        workers = [
            subprocess.Popen(c, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            for c in commands
        ]
        connection = Redis.from_url(redis_url)
        try:
            _wait(lambda: len(Worker.all(connection=connection)) == len(commands), 120, "workers")
            with app.app_context():
                polls = poll_mailboxes()
            _wait(lambda: hang.connections >= 1, 60, "the first poll to hang")
            client = app.test_client()
            client.post("/login", data={"email": "quiet@example.com", "password": PASSWORD})
            export = write_ahrefs(
                Path(folder) / "one.csv", [Link("https://one.example/", "https://rival-one.com/")]
            )
            started = time.monotonic()
            response = client.post(
                f"/campaigns/{campaign_id}/imports",
                data={"file": (io.BytesIO(export.read_bytes()), "one.csv"), "target": ""},
                content_type="multipart/form-data",
            )
            assert response.status_code == 302, response.status_code

            def done() -> bool:
                with app.app_context():
                    item = db.session.scalar(select(BacklinkImport))
                    return item is not None and item.status is ImportStatus.DONE

            _wait(done, 3600, "the import")
            took = time.monotonic() - started
            hung_meanwhile = hang.connections
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
            log.close()
            set_worker_app(None)
        with app.app_context():
            db.engine.dispose()
    return {
        "layout": layout,
        "workers": len(commands),
        "hanging_mailboxes": mailboxes,
        "mail_timeout": app.config.get("OUTREACH_MAIL_TIMEOUT"),
        "polls_queued": polls.get("poll_jobs"),
        "polls_started_before_the_import_was_done": hung_meanwhile,
        "one_row_import_seconds": round(took, 2),
    }


def main() -> None:
    """Run the scenario, print and save its numbers."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--layout", choices=["lanes", "single"], default="lanes")
    parser.add_argument("--mailboxes", type=int, default=6)
    parser.add_argument("--mail-timeout", type=float, help="default: the app's setting")
    parser.add_argument("--redis-url", default=os.environ.get("TEST_REDIS_URL"))
    parser.add_argument("--database-url", default="", help="an EMPTY database")
    args = parser.parse_args()
    redis_url = args.redis_url
    if not redis_url:
        from outreach.jobs.connection import embedded_redis_url

        redis_url = embedded_redis_url(Path(tempfile.mkdtemp(prefix="outreach-redis-")))
    result = run(args.layout, args.mailboxes, args.mail_timeout, redis_url, args.database_url)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / f"starvation-{args.layout}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
