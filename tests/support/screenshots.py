"""Refresh the README's screenshots: the demo workspace's main pages at 1440 and 390 px.

Run ``python -m tests.support.screenshots`` (Debian's Chromium and Playwright needed). It
builds a throwaway SQLite database with the demo (``flask seed-demo``), serves the app on
127.0.0.1 and writes PNG files into ``static/img/``.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from flask_migrate import upgrade
from werkzeug.serving import make_server

from outreach import create_app
from outreach.demo import DEMO_EMAIL, DEMO_PASSWORD
from outreach.jobs.connection import embedded_redis_url
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
        with sync_playwright() as playwright:
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
