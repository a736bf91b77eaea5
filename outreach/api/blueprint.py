"""The blueprint every API resource module makes its routes on."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint as ApiBlueprint
from werkzeug.exceptions import HTTPException

from outreach.api.auth import authenticate_request
from outreach.api.problems import error_codes, handle_http_exception, handle_server_error
from outreach.api.scope import check_path_ids
from outreach.extensions import csrf


def doc_group(blueprint_name: str) -> str:
    """The docs' group of an API blueprint: ``api_campaigns`` is "Campaigns"."""
    return blueprint_name.removeprefix("api_").replace("_", " ").capitalize()


class GroupedBlueprint(ApiBlueprint):
    """flask-smorest's blueprint, its routes tagged with ``doc_group`` unless they say."""

    def add_url_rule(self, *args: Any, tags: list[str] | None = None, **options: Any) -> None:
        """Register the route, documented under the blueprint's group by default."""
        super().add_url_rule(*args, tags=tags or [doc_group(self.name)], **options)


def api_blueprint(name: str, import_name: str, description: str) -> ApiBlueprint:
    """A blueprint of API routes: token auth, problem-details errors, no CSRF (no cookies)."""
    blueprint = GroupedBlueprint(f"api_{name}", import_name, description=description)
    blueprint.before_request(authenticate_request)
    blueprint.before_request(check_path_ids)
    for code in error_codes():
        handler = handle_server_error if code == 500 else handle_http_exception
        blueprint.register_error_handler(code, handler)
    # Problem (and any HTTPException without a class-level code) is found by class.
    blueprint.register_error_handler(HTTPException, handle_http_exception)
    csrf.exempt(blueprint)
    return blueprint
