"""The blueprint every API resource module makes its routes on."""

from __future__ import annotations

from flask_smorest import Blueprint as ApiBlueprint
from werkzeug.exceptions import HTTPException

from outreach.api.auth import authenticate_request
from outreach.api.problems import error_codes, handle_http_exception, handle_server_error
from outreach.extensions import csrf


def api_blueprint(name: str, import_name: str, description: str) -> ApiBlueprint:
    """A blueprint of API routes: token auth, problem-details errors, no CSRF (no cookies)."""
    blueprint = ApiBlueprint(f"api_{name}", import_name, description=description)
    blueprint.before_request(authenticate_request)
    for code in error_codes():
        handler = handle_server_error if code == 500 else handle_http_exception
        blueprint.register_error_handler(code, handler)
    # Problem (and any HTTPException without a class-level code) is found by class.
    blueprint.register_error_handler(HTTPException, handle_http_exception)
    csrf.exempt(blueprint)
    return blueprint
