"""The main pages at phone width (390 px) and with the keyboard: no sideways page scroll,
a header menu, a skip link, and focus back on what was acted on."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from outreach.prospects.models import Stage
from tests.factories import Factory
from tests.pipeline.helpers import prospect
from tests.pitches import builders

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _sign_in(page: Any, factory: Factory) -> tuple[int, int]:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=2)
    builders.mailbox(workspace)
    item = prospect(campaign, "a-rather-long-subdomain.hiking-and-trails-blog.example", score=77)
    for n, stage in enumerate((Stage.QUALIFIED, Stage.CONTACTED, Stage.REPLIED, Stage.LOST)):
        prospect(campaign, f"site-number-{n}.example", stage, score=40 + n)
    page.set_viewport_size(PHONE)
    page.goto("/login")
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password").fill(Factory.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return campaign.id, item.id


def _page_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_the_dashboard_board_and_prospect_page_fit_a_phone(page: Any, factory: Factory) -> None:
    campaign_id, prospect_id = _sign_in(page, factory)
    for url in (
        "/",
        f"/campaigns/{campaign_id}/board",
        f"/prospects/{prospect_id}",
        f"/campaigns/{campaign_id}/prospects",
        "/today",
        "/reports/",
    ):
        page.goto(url)
        assert _page_width(page) <= PHONE["width"], url


def test_the_header_collapses_into_a_menu_on_a_phone(page: Any, factory: Factory) -> None:
    _sign_in(page, factory)
    page.goto("/")
    campaigns = page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns")
    expect(campaigns).to_be_hidden()
    menu = page.get_by_role("button", name="Menu")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(campaigns).to_be_visible()
    page.keyboard.press("Escape")
    expect(campaigns).to_be_hidden()


def test_a_skip_link_leads_to_the_content_and_focus_returns_after_an_action(
    page: Any, factory: Factory
) -> None:
    campaign_id, _ = _sign_in(page, factory)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"/campaigns/{campaign_id}/board")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#content")).to_be_focused()
    page.get_by_label("Tick site-number-0.example").check()
    page.get_by_role("button", name="Move ticked").click()
    expect(page.get_by_role("button", name="Move ticked")).to_be_focused()
