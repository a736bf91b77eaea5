"""The dashboard in a real browser: it draws, reads well at 1440 and 390 px, and a table
downloads as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner
from playwright.sync_api import expect

from tests.factories import Factory
from tests.reports.history import build_history

pytestmark = pytest.mark.browser


def test_dashboard_opens_and_a_table_downloads_as_csv(
    page: Any, factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    history = build_history(factory, runner, tmp_path)
    page.goto("/login")
    page.get_by_label("E-mail").fill("owner@acme.example")
    page.get_by_label("Password").fill(Factory.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Reports").click()
    page.get_by_label("Campaign").select_option(str(history.campaign.id))
    page.locator("#end").fill("2026-06")
    page.get_by_role("button", name="Show").click()
    expect(
        page.get_by_role("img", name="Live referring domains at each month's end")
    ).to_be_visible()
    expect(page.locator(".stat strong").first).to_have_text("6")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download “Gap to competitors” as CSV").click()
    download = download_info.value
    text = Path(download.path()).read_text()
    assert text.splitlines()[:3] == [
        "Site,Referring domains,Ahead of us by,Months to close at today's velocity",
        "rival-one.com,2,0.0,0",
        "rival-two.com,14,8.0,12",
    ]
    for width, name in ((1440, "wide"), (390, "narrow")):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page scrolls sideways at {width} px"
        page.screenshot(path=str(tmp_path / f"reports-{name}.png"), full_page=True)
