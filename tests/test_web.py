"""Shared request helpers: safe redirects and id parsing."""

from __future__ import annotations

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from outreach.web import id_url, parse_id, safe_next
from tests.factories import Factory, SignIn


@pytest.mark.parametrize(
    "target",
    ["//evil.com", "/\t/evil.com", "/\\evil.com", "https://evil.com", "/a\nb", "", None, "evil"],
)
def test_safe_next_refuses_anything_that_could_leave_the_site(target: str | None) -> None:
    assert safe_next(target, "/home") == "/home"


def test_safe_next_keeps_local_paths() -> None:
    assert safe_next("/campaigns/3/board?stage=queued", "/") == "/campaigns/3/board?stage=queued"


@pytest.mark.parametrize("raw", ["²", "-1", "0", "1e3", "99999999999", " 4", "", None])
def test_parse_id_refuses_what_is_not_a_plain_positive_id(raw: str | None) -> None:
    assert parse_id(raw) is None


def test_parse_id_reads_plain_ids() -> None:
    assert parse_id("42") == 42


def test_id_url_builds_what_url_for_builds_for_every_id(app: Flask) -> None:
    with app.test_request_context():
        move = id_url("pipeline.move", "prospect_id")
        for prospect_id in (1, 7, 918_273_645, 2**40):
            assert move(prospect_id) == url_for("pipeline.move", prospect_id=prospect_id)
        with pytest.raises(ValueError):
            move("1/../../admin")  # type: ignore[arg-type]


def test_login_with_a_newline_in_next_redirects_home(client: FlaskClient, factory: Factory) -> None:
    factory.user_with_workspace("o@example.com", "Acme")
    response = client.post(
        "/login?next=/a%0Ab", data={"email": "o@example.com", "password": "correct horse battery"}
    )
    assert response.status_code == 302 and response.location == "/"


def test_odd_filter_values_do_not_crash_pages(client: FlaskClient, auth: SignIn) -> None:
    _, workspace = auth()
    campaign = Factory(client.application).campaign(workspace)
    for url in (
        f"/campaigns/{campaign.id}/intersect?k=nan&page=nan&min_authority=inf",
        f"/campaigns/{campaign.id}/prospects?page=%C2%B2&owner=99999999999999999999",
        f"/campaigns/{campaign.id}/board?owner=%C2%B2",
        "/links/?prospect_id=99999999999999999999",
    ):
        assert client.get(url).status_code == 200, url


def test_an_id_too_big_for_the_database_is_a_404(client: FlaskClient, auth: SignIn) -> None:
    auth()
    assert client.get("/campaigns/99999999999999").status_code == 404
