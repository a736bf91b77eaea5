"""Starting a sequence from the board in a real browser: the page names who was skipped and why."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from outreach.prospects.models import Stage
from tests.factories import Factory
from tests.pitches import builders

pytestmark = pytest.mark.browser


def test_ticking_cards_and_starting_the_sequence_lists_enrolled_and_skipped(
    page: Any, factory: Factory
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=2)
    builders.mailbox(workspace)
    builders.prospect(workspace, campaign, "fine.example")
    builders.prospect(workspace, campaign, "replied.example", stage=Stage.REPLIED)
    page.goto("/login")
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password").fill(Factory.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/campaigns/{campaign.id}/board")

    page.get_by_label("Tick fine.example").check()
    page.get_by_label("Tick replied.example").check()
    page.get_by_label("or start the sequence from").select_option(label="sender@ours.example")
    page.get_by_role("button", name="Start sequence for ticked").click()

    expect(page.get_by_role("heading", name="Enrolled (1)")).to_be_visible()
    enrolled = page.locator("table.enrolled")
    expect(enrolled).to_contain_text("fine.example")
    expect(enrolled).to_contain_text("editor@fine.example")
    skipped = page.locator("table.skipped")
    expect(skipped).to_contain_text("replied.example")
    expect(skipped).to_contain_text("it is in Replied")
    expect(page.get_by_text("Sequence started for 1 prospect(s); 1 skipped.")).to_be_visible()
