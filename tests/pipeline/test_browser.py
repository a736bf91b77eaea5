"""The board in a real browser: drag and drop, the keyboard menu, and a conflict."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.prospects.models import Stage
from outreach.prospects.stages import move
from tests.factories import Factory
from tests.pipeline.helpers import current, prospect

pytestmark = pytest.mark.browser


def _sign_in_and_open_board(page: Any, factory: Factory) -> tuple[int, int]:
    """Sign in as a fresh owner; returns (campaign id, prospect id) with the board open."""
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = factory.campaign(workspace)
    item = prospect(campaign, "drag.example", score=42)
    page.goto("/login")
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password").fill(Factory.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/campaigns/{campaign.id}/board")
    return campaign.id, item.id


def _column(page: Any, stage: Stage) -> Any:
    return page.locator(f'section.board-column[data-stage="{stage.value}"]')


def test_dragging_a_card_to_another_column_moves_it_for_good(page: Any, factory: Factory) -> None:
    _, prospect_id = _sign_in_and_open_board(page, factory)
    card = page.locator(f"#card-{prospect_id}")
    card.locator(".card-meta").drag_to(_column(page, Stage.QUALIFIED))
    expect(page.locator("#board-message")).to_contain_text("drag.example moved to Qualified.")
    expect(_column(page, Stage.QUALIFIED).locator("[data-count]")).to_have_text("1")
    page.reload()
    expect(_column(page, Stage.QUALIFIED).locator(f"#card-{prospect_id}")).to_be_visible()
    expect(_column(page, Stage.PROSPECT).locator("[data-count]")).to_have_text("0")
    assert current(prospect_id).stage is Stage.QUALIFIED


def test_the_card_menu_moves_a_card_with_the_keyboard_alone(page: Any, factory: Factory) -> None:
    _, prospect_id = _sign_in_and_open_board(page, factory)
    page.get_by_label("Stage menu of drag.example").focus()
    page.keyboard.press("Enter")  # opens the card's menu
    menu = page.get_by_label("Move drag.example to")
    menu.focus()
    for _ in range(4):  # Prospect -> Qualified -> Contact found -> Queued -> Contacted
        page.keyboard.press("ArrowDown")
    expect(menu).to_have_value("contacted")
    page.keyboard.press("Tab")  # to the card's Move button
    page.keyboard.press("Enter")  # moves in place, without reloading the board
    expect(page.locator("#board-message")).to_contain_text("drag.example moved to Contacted.")
    expect(_column(page, Stage.CONTACTED).locator(f"#card-{prospect_id}")).to_be_visible()
    expect(page.get_by_label("Stage menu of drag.example")).to_be_focused()
    assert current(prospect_id).stage is Stage.CONTACTED
    page.get_by_role("button", name="Undo").click()  # menu moves can be undone too
    expect(_column(page, Stage.PROSPECT).locator(f"#card-{prospect_id}")).to_be_visible()
    assert current(prospect_id).stage is Stage.PROSPECT


def test_moving_a_card_a_teammate_just_moved_shows_the_conflict(
    page: Any, factory: Factory
) -> None:
    _, prospect_id = _sign_in_and_open_board(page, factory)
    move(current(prospect_id), Stage.NEGOTIATING)  # a teammate, after this board was loaded
    db.session.commit()
    card = page.locator(f"#card-{prospect_id}")
    card.locator(".card-meta").drag_to(_column(page, Stage.QUALIFIED))
    expect(page.locator("#board-message")).to_have_text(
        "drag.example was moved by someone else to Negotiating; reload."
    )
    expect(_column(page, Stage.PROSPECT).locator(f"#card-{prospect_id}")).to_have_class(
        "card conflict"
    )
    assert current(prospect_id).stage is Stage.NEGOTIATING


def test_closed_stages_sit_in_a_strip_and_a_move_can_be_undone(page: Any, factory: Factory) -> None:
    _, prospect_id = _sign_in_and_open_board(page, factory)
    strip = page.get_by_role("complementary", name="Closed stages")
    for stage in (Stage.REJECTED, Stage.NO_RESPONSE, Stage.DO_NOT_CONTACT, Stage.LOST):
        expect(strip.locator(f'section[data-stage="{stage.value}"]')).to_be_visible()
    assert page.locator(".board > section.board-column").count() == 9
    width = page.evaluate("document.querySelector('.board').scrollWidth")
    assert width < 2600, width  # 13 full columns made it 3,100 px wide

    card = page.locator(f"#card-{prospect_id}")
    card.locator(".card-meta").drag_to(strip.locator('section[data-stage="rejected"]'))
    expect(page.locator("#board-message")).to_contain_text("drag.example moved to Rejected.")
    expect(strip.locator('section[data-stage="rejected"] [data-count]')).to_have_text("1")
    assert current(prospect_id).stage is Stage.REJECTED
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#board-message")).to_have_text("drag.example moved to Prospect.")
    expect(_column(page, Stage.PROSPECT).locator(f"#card-{prospect_id}")).to_be_visible()
    assert current(prospect_id).stage is Stage.PROSPECT


def test_a_closed_column_reads_its_cards_when_opened(page: Any, factory: Factory) -> None:
    campaign_id, prospect_id = _sign_in_and_open_board(page, factory)
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign is not None
    earlier = prospect(campaign, "earlier.example", Stage.REJECTED, score=10)
    page.reload()
    rejected = page.locator('section[data-stage="rejected"]')
    expect(rejected.locator(".show-more")).to_contain_text("Show all 1 in the table")
    assert rejected.locator(".card").count() == 0  # folded: its cards not read yet
    card = page.locator(f"#card-{prospect_id}")
    card.locator(".card-meta").drag_to(rejected)  # a card dropped in before it is read
    expect(rejected.locator("[data-count]")).to_have_text("2")
    rejected.locator("summary.column-head").click()
    expect(rejected.locator(".show-more")).to_have_count(0)  # read: both cards are there
    expect(rejected.locator(f"#card-{earlier.id}")).to_be_visible()
    expect(rejected.locator(f"#card-{prospect_id}")).to_have_count(1)  # and not twice
    rejected.locator(f"#card-{earlier.id} .card-meta").drag_to(_column(page, Stage.QUALIFIED))
    expect(_column(page, Stage.QUALIFIED).locator(f"#card-{earlier.id}")).to_be_visible()
    assert current(earlier.id).stage is Stage.QUALIFIED


def test_a_closed_column_takes_a_teammates_move_and_refuses_a_signed_out_answer(
    page: Any, factory: Factory
) -> None:
    campaign_id, prospect_id = _sign_in_and_open_board(page, factory)
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign is not None
    prospect(campaign, "gone.example", Stage.LOST)
    prospect(campaign, "nope.example", Stage.REJECTED)
    page.reload()
    move(current(prospect_id), Stage.LOST)  # a teammate, after this board was loaded
    db.session.commit()
    lost = page.locator('section[data-stage="lost"]')
    lost.locator("summary.column-head").click()
    expect(lost.locator(f"#card-{prospect_id}")).to_be_visible()
    expect(page.locator(f"#card-{prospect_id}")).to_have_count(1)  # gone from Prospect
    expect(_column(page, Stage.PROSPECT).locator("[data-count]")).to_have_text("0")
    expect(lost.locator("[data-count]")).to_have_text("2")

    page.context.clear_cookies()  # signed out: the column's answer is the sign-in page
    rejected = page.locator('section[data-stage="rejected"]')
    rejected.locator("summary.column-head").click()
    expect(page.locator("#board-message")).to_contain_text("Could not load the Rejected column")
    expect(rejected.locator("form[action='/login']")).to_have_count(0)
    expect(rejected.locator(".show-more")).to_be_visible()


def test_do_not_contact_asks_first(page: Any, factory: Factory) -> None:
    _, prospect_id = _sign_in_and_open_board(page, factory)
    never = page.locator('section[data-stage="do_not_contact"]')
    questions: list[str] = []

    def answer(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.dismiss() if len(questions) == 1 else dialog.accept()

    page.on("dialog", answer)
    card = page.locator(f"#card-{prospect_id}")
    card.locator(".card-meta").drag_to(never)
    expect(never.locator("[data-count]")).to_have_text("0")  # declined: nothing moved
    assert current(prospect_id).stage is Stage.PROSPECT
    card.locator(".card-meta").drag_to(never)
    expect(never.locator("[data-count]")).to_have_text("1")
    assert current(prospect_id).stage is Stage.DO_NOT_CONTACT
    assert questions[0].startswith("Move drag.example to Do not contact?")


def test_the_tables_select_all_ticks_every_row_on_the_page(page: Any, factory: Factory) -> None:
    campaign_id, _ = _sign_in_and_open_board(page, factory)
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign is not None
    prospect(campaign, "second.example", score=10)
    page.goto(f"/campaigns/{campaign_id}/prospects")
    everything = page.get_by_label("Tick every prospect on this page")
    everything.check()
    expect(page.get_by_label("Tick drag.example")).to_be_checked()
    expect(page.get_by_label("Tick second.example")).to_be_checked()
    page.get_by_label("Tick second.example").uncheck()
    assert page.evaluate("document.querySelector('[data-select-all]').indeterminate") is True
