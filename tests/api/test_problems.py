"""Every error under /api is an RFC 9457 problem; the pages keep their HTML error pages."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from outreach.api.blueprint import api_blueprint
from tests.api.conftest import Api, Caller


def _problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.data  # type: ignore[attr-defined]
    assert response.content_type == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = response.json  # type: ignore[attr-defined]
    assert body["status"] == status and body["type"] and body["title"]
    return body


def test_no_such_path_is_a_404_problem(api: Api, owner: Caller) -> None:
    _problem(api.get("/api/v1/nothing-here", owner), 404)
    _problem(api.get("/api/v1/campaigns/999999", owner), 404)
    _problem(api.get("/api/v1/campaigns/99999999999", owner), 404)


def test_a_wrong_method_is_a_405_problem_with_allow(api: Api, owner: Caller) -> None:
    response = api.call("PUT", "/api/v1/campaigns", owner)
    _problem(response, 405)
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]


def test_invalid_fields_are_listed(api: Api, owner: Caller) -> None:
    response = api.post("/api/v1/campaigns", owner, json={"name": "", "kind": "nope"})
    body = _problem(response, 422)
    assert body["type"] == "urn:outreach:problem:invalid-fields"
    fields = {(e["field"], e["location"]) for e in body["errors"]}  # type: ignore[attr-defined]
    assert fields == {("name", "json"), ("kind", "json")}
    body = _problem(api.get("/api/v1/campaigns?limit=100000", owner), 422)
    assert [e["field"] for e in body["errors"]] == ["limit"]  # type: ignore[attr-defined]


def test_a_body_that_is_not_json_is_a_problem(api: Api, owner: Caller) -> None:
    response = api.post("/api/v1/campaigns", owner, data="{nope", content_type="application/json")
    assert response.content_type == "application/problem+json"
    assert response.status_code in (400, 422)


def test_a_bad_cursor_is_422(api: Api, owner: Caller) -> None:
    for cursor in ("garbage", "eyJvIjoiaWQiLCJrIjpbIngiXX0", "e30"):
        body = _problem(api.get(f"/api/v1/campaigns?cursor={cursor}", owner), 422)
        assert body["errors"] == [
            {"field": "cursor", "location": "query", "message": "Not a valid cursor."}
        ]


def test_an_unhandled_error_is_a_500_problem_without_details(
    app: Flask, api: Api, owner: Caller
) -> None:
    blueprint = api_blueprint("boom", __name__, "test only")

    @blueprint.route("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    app.register_blueprint(blueprint, url_prefix="/api/v1/test")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = api.get("/api/v1/test/boom", owner)
    body = _problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert body["detail"]


@pytest.mark.parametrize("path", ["/no-such-page", "/campaigns/999999"])
def test_pages_keep_their_html_errors(client: FlaskClient, auth: object, path: str) -> None:
    auth()  # type: ignore[operator]
    response = client.get(path)
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")
