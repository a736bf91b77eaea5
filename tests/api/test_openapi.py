"""The OpenAPI 3.1 document is generated from the code, valid, and browsable offline."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV31SpecValidator

from outreach.api.setup import PREFIX


def test_the_document_is_valid_openapi_3_1(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec is not None
    assert spec["openapi"].startswith("3.1")
    validate(spec, cls=OpenAPIV31SpecValidator)
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_api_route_is_in_the_document(app: Flask, client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    assert spec is not None
    paths = spec["paths"]
    documented = {(path, method.upper()) for path, item in paths.items() for method in item}
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX) or rule.endpoint.startswith("api-docs."):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        routes |= {(path, m) for m in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    assert routes and routes <= documented, routes - documented


def test_docs_render_from_vendored_files_only(client: FlaskClient) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "no external URL"
    assets = re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", html)
    assert any("swagger-ui-bundle.js" in a for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1]


def test_the_docs_group_operations_under_names_people_read(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    assert spec is not None
    groups = {tag["name"] for tag in spec["tags"]}
    operations = [op for item in spec["paths"].values() for op in item.values() if "tags" in op]
    used = {tag for op in operations for tag in op["tags"]}
    assert {"Campaigns", "Prospects", "Webhooks"} <= groups
    assert used <= groups and not any(name.startswith("api_") for name in groups | used)
    operation = spec["paths"][f"{PREFIX}/campaigns"]["get"]
    assert operation["tags"] == ["Campaigns"]
