"""Refresh the README's screenshots: the demo workspace's main pages at 1440 and 390 px.

Run ``python -m tests.support.screenshots`` (Debian's Chromium and Playwright needed). It
builds a throwaway SQLite database with the demo (``flask seed-demo``), serves the app on
127.0.0.1 with a real ``flask worker`` beside it (as ``make run`` does, so no page shows the
"background jobs are not running" banner) and writes PNG files into ``static/img/``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from outreach import create_app
from outreach.demo import DEMO_EMAIL, DEMO_PASSWORD
from outreach.jobs.connection import embedded_redis_url, get_redis
from outreach.jobs.liveness import workers_missing
from outreach.links.render import CHROMIUM_ARGS

OUT = Path(__file__).resolve().parents[2] / "static" / "img"
WIDTHS = {"desktop": (1440, 900), "phone": (390, 844)}
PAGES = {
    "home": "/",
    "board": "/campaigns/1/board",
    "prospect": "/prospects/1",
    "today": "/today",
    "intersect": "/campaigns/1/intersect",
    "reports": "/reports/",
    "template": "/pitches/templates/1",
}


@contextmanager
def running_worker(app: Flask, base: Path) -> Iterator[None]:
    """A ``flask worker`` on the app's database and Redis, until its heartbeat is seen."""
    env = {
        **os.environ,
        "FLASK_APP": "outreach",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "OUTREACH_INSTANCE_PATH": str(base / "instance"),
        "SECRET_KEY": app.config["SECRET_KEY"],
    }
    command = [sys.executable, "-m", "flask", "worker", "--without-scheduler"]
    worker = subprocess.Popen(command, env=env)
    try:
        deadline = time.monotonic() + 60
        with app.app_context():
            while workers_missing(app, get_redis(app)):
                if time.monotonic() > deadline or worker.poll() is not None:
                    raise RuntimeError("the worker did not start")
                app.extensions.pop("outreach_workers_missing", None)
                time.sleep(0.5)
        yield
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def main() -> None:
    """Seed a demo, serve it, and capture every page at every width."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{base / 'demo.db'}",
                "REDIS_URL": embedded_redis_url(base / "redis"),
                "INSTANCE_PATH": base / "instance",
                "SECRET_KEY": "screenshots-only-secret-key-long-enough",
            }
        )
        with app.app_context():
            upgrade()
        app.test_cli_runner().invoke(args=["seed-demo"])
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}"
        with running_worker(app, base), sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
            )
            for label, (width, height) in WIDTHS.items():
                context = browser.new_context(
                    base_url=url, viewport={"width": width, "height": height}
                )
                page = context.new_page()
                page.goto("/login")
                page.get_by_label("E-mail").fill(DEMO_EMAIL)
                page.get_by_label("Password").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                for name, path in PAGES.items():
                    page.goto(path)
                    target = OUT / f"{name}-{label}.png"
                    page.screenshot(path=str(target), full_page=label == "phone")
                    print(target.relative_to(OUT.parents[1]))
                context.close()
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
