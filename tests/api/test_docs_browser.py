"""/api/docs in a real browser: Swagger UI renders the document under the site's CSP,
every request stays on this server, and no CSP violation is logged."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.factories import Factory
from tests.pipeline.conftest import browser, live_url, page

SHOTS = Path(os.environ["API_SHOTS"]) if os.environ.get("API_SHOTS") else None
pytestmark = pytest.mark.browser
__all__ = ["browser", "live_url", "page"]  # the pipeline's browser fixtures, reused


def test_the_docs_render_offline_without_csp_violations(page: Any, live_url: str) -> None:
    errors: list[str] = []
    hosts: set[str] = set()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/api/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Outreach API")
        expect(page.locator(".opblock-summary-path").first).to_be_visible()
        assert "/api/v1/campaigns" in page.locator(".swagger-ui").inner_text()
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"the page scrolls sideways at {width} px"
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=str(SHOTS / "api-docs.png")) if SHOTS else None
    assert hosts == {urlsplit(live_url).netloc}
    assert errors == []


def test_the_token_page_shows_a_new_token_once_at_both_widths(page: Any, factory: Any) -> None:
    factory.user_with_workspace("owner@acme.example", "Acme")
    page.goto("/login")
    page.get_by_label("E-mail").fill("owner@acme.example")
    page.get_by_label("Password").fill(Factory.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/account")
    page.get_by_role("button", name="Manage API tokens").click()
    page.get_by_label("What is it for?").fill("A rather long name for the Looker Studio dashboard")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token pre code").inner_text()
    assert token.startswith("otk_")
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        _laid_out_at(page, width)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        if SHOTS:
            page.screenshot(path=str(SHOTS / f"api-tokens-{width}.png"), full_page=True)
        assert not overflow, f"the token page scrolls sideways at {width} px"
    page.goto("/account/api-tokens")
    assert token not in page.content()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator("table")).to_contain_text("revoked")


def _laid_out_at(page: Any, width: int) -> None:
    """Wait until the window has its new width and two frames were drawn at it.

    On a busy machine the resize can still be on its way when the next line measures.
    """
    page.wait_for_function("(width) => window.innerWidth === width", arg=width)
    page.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )
