"""Browser fixtures: the test app served on 127.0.0.1 and a headless Debian Chromium."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from outreach.links.render import CHROMIUM_ARGS

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def live_url(app: Flask) -> Iterator[str]:
    """The app, with CSRF protection on, served from a thread on a free local port."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    server.server_close()
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium; skipped without it, except in CI where that is a failure."""
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is missing: browser tests must run in CI")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_url: str) -> Iterator[Any]:
    """A fresh browser tab (its own cookies) pointed at the live app."""
    context = browser.new_context(base_url=live_url, viewport={"width": 1600, "height": 900})
    # Generous: three test workers share two cores with the live server, whose sign-in hashes
    # a password with scrypt; a wait that fails here is a slow machine, not a broken page.
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()
