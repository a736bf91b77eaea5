"""Another workspace's token gets 404 on every API route that takes an id, as if missing.

Routes are enumerated from the URL map, so a new API route with an id in its path is checked
here automatically (and fails until its argument has a builder in tests/test_isolation.py or
a tests/<feature>/isolation.py).
"""

from __future__ import annotations

from flask import Flask, url_for

from tests.api.conftest import Api, Caller
from tests.factories import Factory
from tests.test_isolation import BUILDERS

METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE"}


def _api_routes(app: Flask) -> list[tuple[str, str, set[str]]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.arguments:
            for method in sorted((rule.methods or set()) & METHODS):
                found.append((rule.endpoint, method, set(rule.arguments)))
    return found


def test_every_api_route_argument_has_a_builder(app: Flask) -> None:
    missing = {arg for _, _, args in _api_routes(app) for arg in args} - set(BUILDERS)
    assert not missing, f"add builders for {missing}"


def test_another_workspaces_token_gets_404_everywhere(
    app: Flask, api: Api, owner: Caller, stranger: Caller, factory: Factory
) -> None:
    checked = 0
    for endpoint, method, args in _api_routes(app):
        values = {arg: BUILDERS[arg](factory, owner.workspace) for arg in args}
        url = url_for(endpoint, **values)
        response = api.call(method, url, stranger, json={}, headers={"If-Match": '"1"'})
        assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
        assert response.content_type == "application/problem+json"
        # the owner of those objects is not refused, so the 404 above is isolation
        own = api.call(method, url, owner, json={}, headers={"If-Match": '"1"'})
        assert own.status_code != 404 or method == "DELETE", f"{method} {url} for its owner"
        checked += 1
    assert checked >= 2
