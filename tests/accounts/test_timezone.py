"""Times in the viewer's time zone: chosen in the account page, else the browser's."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, g
from flask.testing import FlaskClient

from outreach.accounts.models import User
from outreach.extensions import db
from outreach.pitches import library
from outreach.web import timezone_named, when
from tests.factories import SignIn

NOON_UTC = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_when_shows_times_in_the_request_time_zone(app: Flask) -> None:
    with app.test_request_context("/"):
        assert when(NOON_UTC) == "2026-12-04 12:00 UTC"
        g.timezone = timezone_named("Europe/Berlin")
        assert when(NOON_UTC) == "2026-12-04 13:00 CET"
        assert when(NOON_UTC.replace(tzinfo=None)) == "2026-12-04 13:00 CET"  # naive is UTC
    assert timezone_named("Mars/Olympus") is None and timezone_named("") is None


def test_the_browser_zone_applies_until_the_user_chooses_one(
    client: FlaskClient, auth: SignIn
) -> None:
    user, workspace = auth()
    starter = library.templates_of(workspace.id)[0]  # its version list shows when it was saved
    client.set_cookie("tz", "America/New_York")
    assert " EST · " in client.get(f"/pitches/templates/{starter.id}").get_data(as_text=True)
    page = client.get("/account").get_data(as_text=True)
    assert "Follow this browser (America/New_York)" in page
    with client.application.test_request_context("/", headers={"Cookie": "tz=Asia/Tokyo"}):
        client.application.preprocess_request()
        assert g.timezone == timezone_named("Asia/Tokyo")  # nobody signed in: the cookie
    response = client.post("/account/timezone", data={"timezone": "Europe/Berlin"})
    assert response.status_code == 302
    assert db.session.get(User, user.id).timezone == "Europe/Berlin"  # type: ignore[union-attr]
    assert "Times now show in Europe/Berlin" in client.get("/account").get_data(as_text=True)
    assert " CET · " in client.get(f"/pitches/templates/{starter.id}").get_data(as_text=True)
    refused = client.post("/account/timezone", data={"timezone": "Mars/Olympus"})
    assert refused.status_code == 302
    assert db.session.get(User, user.id).timezone == "Europe/Berlin"  # type: ignore[union-attr]
    client.post("/account/timezone", data={"timezone": ""})
    assert db.session.get(User, user.id).timezone is None  # type: ignore[union-attr]
