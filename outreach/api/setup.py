"""The API's wiring: flask-smorest for the OpenAPI 3.1 document, our own errors and auth.

flask-smorest's ``Api`` would install one JSON error handler for the whole app; ours installs
none there, so the pages keep their HTML error pages. Every API blueprint instead carries the
problem-details handlers and the token check (:func:`outreach.api.blueprint.api_blueprint`),
and one app-level hook answers routing errors under ``/api/`` (no such path, wrong method)
the same way.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from flask_smorest import Api

from outreach.api import docs, token_views
from outreach.api.blueprint import doc_group
from outreach.api.endpoints import BLUEPRINTS
from outreach.api.problems import handle_http_exception
from outreach.api.schemas import ProblemSchema

PREFIX = "/api/v1"
TITLE = "Outreach API"
VERSION = "1"
DESCRIPTION = """Outreach's public JSON API.

Authenticate with a personal API token (Account → API tokens in the app, or
`flask api-token create EMAIL --workspace NAME`) sent as `Authorization: Bearer <token>`.
A token acts as its user in one workspace, with that user's role.

Lists are cursor-paginated: pass `limit` (at most 200) and, for the next page, the
`next_cursor` of the previous answer as `cursor`; `next_cursor` is null on the last page.
Errors are RFC 9457 problem details (`application/problem+json`). Objects of another
workspace answer 404, exactly as missing ones. Each token has a rate limit (429 with
`Retry-After`). Prospect updates need `If-Match` with the prospect's `ETag` (412 when stale).
"""


class OutreachApi(Api):
    """flask-smorest's Api without its app-wide error handler (the pages keep theirs)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """Errors are handled per API blueprint (see :func:`api_blueprint`)."""

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        """As flask-smorest's, with the docs' group named for people ("Campaigns"), as its
        routes are tagged (``api.blueprint.GroupedBlueprint``), not after the blueprint."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        blp.register_views_in_doc(self, self._app, self.spec, name=name, parameters=parameters)
        self.spec.tag({"name": doc_group(name), "description": blp.description})


def _routing_errors() -> Response | None:
    """No route (404) or a wrong method (405) under /api/: problem details, not a page."""
    error: Any = request.routing_exception
    if error is None or not request.path.startswith("/api/"):
        return None
    if getattr(error, "code", 500) < 400:  # a redirect (trailing slash) stays one
        return None
    return handle_http_exception(error)


def init_api(app: Flask) -> None:
    """Serve the API under /api/v1, its OpenAPI document and its browsable docs."""
    app.config.setdefault("API_TITLE", TITLE)
    app.config.setdefault("API_VERSION", VERSION)
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {"description": DESCRIPTION},
            "security": [{"bearerAuth": []}],
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "otk_…"}
                }
            },
        },
    )
    api = OutreachApi(app)
    for blueprint, prefix in BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix=PREFIX + prefix)
    app.before_request(_routing_errors)
    app.register_blueprint(docs.bp)
    app.register_blueprint(token_views.bp)
