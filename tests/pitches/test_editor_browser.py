"""The template editor in a real browser: the preview follows the typing, buttons insert fields."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import Factory
from tests.pitches import builders

pytestmark = pytest.mark.browser


def test_the_preview_follows_the_typing_and_errors_sit_under_their_field(
    page: Any, factory: Factory
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    builders.prospect(workspace, factory.campaign(workspace), "trails.example", first_name="Ada")
    page.goto("/login")
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password").fill(Factory.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/pitches/templates/new")

    page.get_by_label("Subject").fill("Idea for ")
    page.get_by_role("button", name="prospect.domain").click()  # inserted at the cursor
    expect(page.get_by_label("Subject")).to_have_value("Idea for {{ prospect.domain }}")
    expect(page.locator("#preview-subject")).to_have_text("Idea for trails.example")

    page.get_by_label("Body").fill("Dear ")
    page.get_by_role("button", name='first name or "there"').click()
    expect(page.locator("#preview-body")).to_have_text("Dear Ada")

    page.get_by_label("For").select_option(label="no prospect (the defaults)")
    expect(page.locator("#preview-body")).to_have_text("Dear there")
    expect(page.locator("#preview-note")).to_be_visible()

    page.get_by_label("Subject").fill("Idea {{ contact.shoe_size }}")
    expect(page.locator("#subject-errors")).to_contain_text("contact.shoe_size")
    expect(page.locator("#body-errors")).to_be_empty()
    expect(page.get_by_label("Subject")).to_have_attribute("aria-invalid", "true")
