"""Every form rejects a POST without a CSRF token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from outreach.extensions import csrf
from tests.factories import Factory


@pytest.fixture
def csrf_app(app: Flask) -> Iterator[Flask]:
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


# RFC 8058 one-click unsubscribe: mail providers POST without any token, by design.
EXEMPT_ENDPOINTS = {"pitches.unsubscribe"}


# The JSON API: a session cookie never authenticates it (tests/api/test_auth.py), only a
# bearer token a browser does not send by itself, so there is nothing to forge.
API_PREFIX = "/api/v1/"


def _is_exempt(app: Flask, endpoint: str) -> bool:
    view = app.view_functions[endpoint]
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
    return (
        f"{view.__module__}.{view.__name__}" in csrf._exempt_views
        or blueprint in csrf._exempt_blueprints
    )


def test_only_one_click_unsubscribe_and_the_api_are_exempt_from_csrf(app: Flask) -> None:
    exempt = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if _is_exempt(app, rule.endpoint) and not rule.rule.startswith(API_PREFIX)
    }
    assert exempt <= EXEMPT_ENDPOINTS


def _post_urls(app: Flask) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        if _is_exempt(app, rule.endpoint):
            continue
        values: dict[str, Any] = {}
        for arg in rule.arguments:
            converter = rule._converters[arg].__class__.__name__
            values[arg] = 1 if converter == "IntegerConverter" else "token"
        with app.test_request_context():
            from flask import url_for

            urls.append(url_for(rule.endpoint, **values))
    return urls


def test_every_post_route_rejects_a_missing_csrf_token(
    csrf_app: Flask, client: FlaskClient, factory: Factory
) -> None:
    factory.user_with_workspace("owner@example.com", "Acme")
    urls = _post_urls(csrf_app)
    assert "/login" in urls and len(urls) >= 8
    for url in urls:
        response = client.post(
            url, data={"email": "owner@example.com", "password": Factory.PASSWORD}
        )
        assert response.status_code == 400, f"{url} accepted a POST without a CSRF token"
        assert b"CSRF" in response.data


def test_login_with_a_valid_token_works(
    csrf_app: Flask, client: FlaskClient, factory: Factory
) -> None:
    import re

    factory.user_with_workspace("owner@example.com", "Acme")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    response = client.post(
        "/login",
        data={
            "email": "owner@example.com",
            "password": Factory.PASSWORD,
            "csrf_token": token.group(1),
        },
    )
    assert response.status_code == 302
