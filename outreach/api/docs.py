"""``/api/docs``: the OpenAPI document rendered by the vendored Swagger UI (no CDN)."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

bp = Blueprint("api_docs", __name__)


@bp.get("/api/docs")
def docs() -> str:
    """Browsable API docs (public, like the document they render)."""
    return render_template("api/docs.html", spec_url=url_for("api-docs.openapi_json"))
