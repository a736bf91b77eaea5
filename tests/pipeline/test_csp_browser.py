"""The Content-Security-Policy in a real browser: the app's own scripts still run, an injected
inline script does not, and no page of the tour logs a CSP violation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from outreach.extensions import db
from outreach.links.models import PlacedLink
from outreach.prospects.models import Stage
from tests.factories import Factory
from tests.links.isolation import BUILDERS as LINK_BUILDERS
from tests.pipeline.helpers import current, prospect

pytestmark = pytest.mark.browser


def _watch_console(page: Any) -> list[str]:
    """Console errors and page errors as they come (CSP violations are console errors)."""
    seen: list[str] = []
    page.on("console", lambda msg: seen.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def _sign_in(page: Any) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill("owner@acme.example")
    page.get_by_label("Password").fill(Factory.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_the_board_script_runs_under_the_policy_and_logs_no_violation(
    page: Any, factory: Factory
) -> None:
    _, workspace = factory.user_with_workspace("owner@acme.example", "Acme")
    campaign = factory.campaign(workspace)
    item = prospect(campaign, "drag.example")
    link_id = LINK_BUILDERS["link_id"](factory, workspace)
    errors = _watch_console(page)
    _sign_in(page)
    for path in (
        "/",
        "/today",
        f"/campaigns/{campaign.id}",
        f"/campaigns/{campaign.id}/prospects",
        "/reports/",
        "/pitches/templates/new",
        f"/links/{link_id}",
    ):
        page.goto(path)
        expect(page.locator("main")).to_be_visible()
    page.goto(f"/campaigns/{campaign.id}/board")
    page.locator(f"#card-{item.id} .card-meta").drag_to(
        page.locator(f'section.board-column[data-stage="{Stage.QUALIFIED.value}"]')
    )
    expect(page.locator("#board-message")).to_contain_text("drag.example moved to Qualified.")
    assert current(item.id).stage is Stage.QUALIFIED
    assert errors == []


def test_an_injected_inline_script_is_refused_by_the_browser(page: Any, factory: Factory) -> None:
    factory.user_with_workspace("owner@acme.example", "Acme")
    errors = _watch_console(page)
    _sign_in(page)
    violations = page.evaluate(
        """() => new Promise((resolve) => {
            const seen = [];
            document.addEventListener("securitypolicyviolation", (e) => {
                seen.push(e.violatedDirective);
            });
            const script = document.createElement("script");
            script.textContent = "window.injected = true;";
            document.body.appendChild(script);
            const styled = document.createElement("div");
            styled.setAttribute("style", "color: red");
            document.body.appendChild(styled);
            setTimeout(() => resolve(seen), 200);
        })"""
    )
    assert page.evaluate("() => window.injected === true") is False
    assert any(v.startswith("script-src") for v in violations), violations
    assert any("Content Security Policy" in text for text in errors), errors


def test_the_confirm_question_of_a_form_still_asks_without_inline_handlers(
    page: Any, factory: Factory
) -> None:
    _, workspace = factory.user_with_workspace("owner@acme.example", "Acme")
    link_id = LINK_BUILDERS["link_id"](factory, workspace)
    _sign_in(page)
    page.goto(f"/links/{link_id}")
    questions: list[str] = []

    def dismiss(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Stop tracking this link").click()
    assert questions == ["Stop tracking this link and drop its history?"]
    db.session.expire_all()
    assert db.session.get(PlacedLink, link_id) is not None
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Stop tracking this link").click()
    expect(page.get_by_text("Link removed.")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(PlacedLink, link_id) is None
