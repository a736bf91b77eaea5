"""``static/js/progress.js``: polling stops on every ended state, reloads once, backs off."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from outreach.backlinks.models import ImportStatus
from outreach.crawl.models import CrawlStatus
from outreach.jobs.models import TaskStatus
from outreach.links.render import CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "static" / "js" / "progress.js"
CHROMIUM = Path("/usr/bin/chromium")
SITE = "http://progress.test"


def _ended_in_script() -> set[str]:
    found = re.search(r"var ENDED = \[([^\]]*)\]", SCRIPT.read_text())
    assert found, "progress.js names its ended states in one ENDED list"
    return set(json.loads(f"[{found.group(1)}]"))


def test_the_script_stops_on_every_state_the_app_reports_as_ended_and_no_other() -> None:
    running = {TaskStatus.QUEUED, TaskStatus.RUNNING}
    ended = {s.value for s in TaskStatus if s not in running}
    ended |= {s.value for s in CrawlStatus if not s.active}
    ended |= {s.value for s in ImportStatus if s not in (ImportStatus.QUEUED, ImportStatus.RUNNING)}
    assert _ended_in_script() == ended
    assert not {s.value for s in running} & _ended_in_script()


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


def _page_html(initial: str) -> str:
    return f"""<!doctype html><html><body>
<article data-progress-url="/progress.json" data-reload-when-done="1"
         data-initial-status="{initial}" id="box">
  <progress></progress>
  <strong data-field="status"></strong><strong data-field="read"></strong>
  <strong data-field="imported"></strong><strong data-field="rejected"></strong>
  <p data-field="error" hidden></p>
</article>
<script src="/progress.js"></script></body></html>"""


class FakeSite:
    """The page, the script, and a status endpoint answering from a script of replies."""

    def __init__(self, page: Any, replies: list[tuple[int, dict[str, Any]]]) -> None:
        self.replies, self.loads = replies, 0
        self.polls: list[float] = []
        page.route(f"{SITE}/**", self.answer)

    def answer(self, route: Any) -> None:
        path = route.request.url.removeprefix(SITE)
        if path == "/page":
            self.loads += 1
            route.fulfill(body=_page_html("running"), content_type="text/html")
        elif path == "/progress.js":
            route.fulfill(body=SCRIPT.read_text(), content_type="text/javascript")
        else:
            self.polls.append(time.monotonic())
            status, body = self.replies[min(len(self.polls), len(self.replies)) - 1]
            route.fulfill(status=status, body=json.dumps(body), content_type="application/json")


def _open(browser: Any, replies: list[tuple[int, dict[str, Any]]]) -> tuple[Any, FakeSite]:
    context = browser.new_context()
    page = context.new_page()
    site = FakeSite(page, replies)
    page.goto(f"{SITE}/page")
    return page, site


def test_a_failed_job_stops_the_polling_and_reloads_the_page_once(browser: Any) -> None:
    running = {"status": "running", "rows_read": 10, "rows_imported": 10}
    failed = {"status": "failed", "error": "The worker running this job stopped"}
    page, site = _open(browser, [(200, running), (200, failed)])
    # The fake page always says "running", as a page out of step with its JSON would:
    # it reloads once for the ended state, then stays.
    page.wait_for_function("document.querySelector('#box').dataset.pollStopped === 'failed'")
    page.wait_for_timeout(2500)
    assert site.loads == 2, "one reload to show the result, never a loop"
    assert len(site.polls) == 3  # running, failed, then failed once after the reload
    assert page.inner_text("[data-field=error]") == failed["error"]
    page.context.close()


def test_errors_back_off_and_a_refusal_ends_the_polling(browser: Any) -> None:
    page, site = _open(browser, [(503, {}), (503, {}), (404, {})])
    page.wait_for_function("document.querySelector('#box').dataset.pollStopped === '404'")
    first, second, third = site.polls
    assert second - first >= 1.9 and third - second >= 3.9, "2 s, then 4 s"
    page.wait_for_timeout(1500)
    assert len(site.polls) == 3 and site.loads == 1
    page.context.close()
