"""Fixtures of the browser journey: the running stack, one browser tab, and the steps' shared
state. The steps run in order; after a failed step the later ones are skipped. A failed step
saves a screenshot, the page's HTML and the server log to a temporary folder, and prints it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from outreach.links.render import CHROMIUM_ARGS
from tests.e2e.stack import LinkingPage, Server, smtp_server
from tests.support.imap import Dovecot, find_dovecot
from tests.support.simweb import run_site
from tests.support.smtp import SmtpServer

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
COMPETITORS = ("rival-one.example", "rival-two.example", "rival-three.example")
OUR_SITE = "our-site.example"


def _needed(thing: str, present: bool) -> None:
    if not present:
        if IN_CI:
            pytest.fail(f"{thing} is missing: the e2e journey must run in CI (make system-deps)")
        pytest.skip(f"{thing} is missing (make system-deps installs it)")


@dataclass
class Journey:
    """Everything the steps share: the services, the tab, and what earlier steps made."""

    folder: Path
    server: Server
    smtp: SmtpServer
    dovecot: Dovecot
    site: str
    linking_page: LinkingPage
    page: Any
    facts: dict[str, Any] = field(default_factory=dict)

    def artifacts(self, name: str) -> Path:
        """Save a screenshot, the page's HTML and the server log; returns their folder."""
        folder = Path(tempfile.mkdtemp(prefix=f"outreach-e2e-{name}-"))
        try:
            self.page.screenshot(path=str(folder / "page.png"), full_page=True)
            (folder / "page.html").write_text(self.page.content())
        except Exception as exc:  # the tab itself may be what broke
            (folder / "page-error.txt").write_text(repr(exc))
        if self.server.log.exists():
            shutil.copy(self.server.log, folder / "server.log")
        dovecot_log = self.dovecot.root / "dovecot.log"
        if dovecot_log.exists():
            shutil.copy(dovecot_log, folder / "dovecot.log")
        return folder


@pytest.fixture(scope="module")
def journey() -> Iterator[Journey]:
    """The stack (server, worker, scheduler, SMTP, IMAP, a web site) and a Chromium tab."""
    _needed(str(CHROMIUM), CHROMIUM.exists())
    binary = find_dovecot()
    _needed("dovecot", binary is not None)
    assert binary is not None
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="outreach-e2e-"))
    server = Server(folder)
    smtp = smtp_server()
    dovecot = Dovecot(binary)
    linking_page = LinkingPage(target=f"https://{OUR_SITE}/guide")
    try:
        with run_site({"/ten-link-building-tips": linking_page.reply}) as site:
            server.start()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                context = browser.new_context(
                    base_url=server.url,
                    viewport={"width": 1440, "height": 900},
                    accept_downloads=True,
                )
                context.set_default_timeout(10_000)
                tab = context.new_page()
                yield Journey(folder, server, smtp, dovecot, site, linking_page, tab)
                context.close()
                browser.close()
    finally:
        server.stop()
        smtp.stop()
        dovecot.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    """On a failed step: keep the evidence, print where, and skip the steps after it."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    item.parent._e2e_failed = item.name  # type: ignore[union-attr]
    journey = item.funcargs.get("journey") if hasattr(item, "funcargs") else None
    if isinstance(journey, Journey):
        folder = journey.artifacts(item.name)
        note = f"screenshot, page HTML and server log of {item.name}: {folder}"
        report.sections.append(("e2e artifacts", note))
        print(f"\n{note}", file=sys.stderr)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A step needs every earlier step: skip it after a failure."""
    failed = getattr(item.parent, "_e2e_failed", None)
    if failed is not None:
        pytest.skip(f"an earlier step failed: {failed}")
