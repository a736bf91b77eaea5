"""A new workspace's setup checklist in a real browser: each step leads to its page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import Factory
from tests.pitches import builders

pytestmark = pytest.mark.browser


def test_a_new_workspace_shows_the_checklist_and_ticks_done_steps(
    page: Any, factory: Factory
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    page.goto("/login")
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password").fill(Factory.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    checklist = page.get_by_role("article", name="Get started: 0 of 6 done")
    expect(checklist).to_be_visible()
    checklist.get_by_role("link", name="Add a mailbox to send from").click()
    expect(page).to_have_url("/pitches/mailboxes/new")
    builders.mailbox(workspace)
    page.goto("/")
    checklist = page.get_by_role("article", name="Get started: 1 of 6 done")
    expect(checklist.locator("li.done")).to_have_text("✓ Add a mailbox to send from (done)")
    expect(checklist.get_by_role("link", name="Create a campaign with competitors")).to_be_visible()
