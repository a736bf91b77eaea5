"""The webhook settings in a real browser: reached from Settings, added with the form, the
secret revealed, the delivery log readable at 1440 and 390 px without sideways scrolling."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from outreach.db import utcnow
from outreach.extensions import db
from outreach.net import FetchResult
from outreach.prospects import stages
from outreach.prospects.models import Stage
from outreach.webhooks import delivery, services
from outreach.webhooks.models import WebhookDelivery
from tests.factories import Factory
from tests.webhooks.conftest import Space

pytestmark = pytest.mark.browser
LONG_URL = (
    "https://hooks.zapier.example/hooks/catch/123456789/abcdefghijklmnopqrstuvwxyz0123456789/"
)


def test_an_owner_adds_a_webhook_in_the_browser_and_reads_its_log(
    app: Flask, page: Any, space: Space, tmp_path: Path
) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password").fill(Factory.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("Payload URL").fill(LONG_URL)
    page.get_by_label("Description").fill("Client dashboard")
    page.get_by_label("prospect.stage_changed", exact=False).check()
    page.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_text("Copy its signing secret")).to_be_visible()
    [endpoint] = services.list_endpoints(space.workspace.id)
    page.get_by_text("Show the secret").click()
    expect(page.locator("#webhook-secret")).to_have_text(services.secret_of(endpoint))

    stages.move(space.prospect, Stage.QUALIFIED)
    db.session.commit()
    item = db.session.query(WebhookDelivery).one()
    assert delivery.claim(item.id, utcnow())
    db.session.expire_all()
    failed = FetchResult(url=LONG_URL, final_url=LONG_URL, status=502, body=b"bad gateway")
    delivery.record(db.session.get(WebhookDelivery, item.id), failed, utcnow())  # type: ignore[arg-type]
    db.session.commit()
    for path in (f"/workspace/webhooks/{endpoint.id}", "/workspace/webhooks/"):
        page.goto(path)
        expect(page.get_by_text("prospect.stage_changed").first).to_be_visible()
        expect(page.locator("td", has_text="HTTP 502").first).to_be_visible()
        for width in (1440, 390):
            page.set_viewport_size({"width": width, "height": 900})
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways at {width} px"
            if os.environ.get("WEBHOOK_SCREENSHOTS"):
                name = path.strip("/").replace("/", "-")
                page.screenshot(path=f"/tmp/{name}-{width}.png", full_page=True)
