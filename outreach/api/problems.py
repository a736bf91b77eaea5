"""RFC 9457 problem details: every error under ``/api`` answers ``application/problem+json``.

``type`` is ``about:blank`` for a plain HTTP status (the title is then the status's name) and an
``urn:outreach:problem:...`` for the problems a client may want to tell apart; invalid input
also lists each field in ``errors`` (``{"field", "location", "message"}``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from flask import Response, current_app
from werkzeug.exceptions import HTTPException, default_exceptions
from werkzeug.http import HTTP_STATUS_CODES

from outreach.extensions import db

MEDIA_TYPE = "application/problem+json"
INVALID_FIELDS = "urn:outreach:problem:invalid-fields"
STALE = "urn:outreach:problem:stale-version"
RATE_LIMITED = "urn:outreach:problem:rate-limited"
UNAUTHENTICATED = "urn:outreach:problem:invalid-token"
PRECONDITION_REQUIRED = "urn:outreach:problem:if-match-required"


class Problem(HTTPException):
    """An API error with its problem type, detail, invalid fields and extra headers."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        type: str = "about:blank",
        errors: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__(description=detail)
        self.code = status
        self.type = type
        self.title = title
        self.errors = errors
        self.extra_headers = dict(headers or {})


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    type: str = "about:blank",
    title: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A problem details response."""
    body: dict[str, Any] = {
        "type": type,
        "title": title or HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flatten(messages: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            yield from _flatten(value, (*path, str(key)))
    elif isinstance(messages, list | tuple):
        for value in messages:
            yield from _flatten(value, path)
    else:
        yield path, str(messages)


def field_errors(messages: Any) -> list[dict[str, str]]:
    """webargs' ``{"json": {"name": ["..."]}}`` as ``[{"field", "location", "message"}]``."""
    found = []
    for path, message in _flatten(messages):
        location, *field = path or ("body",)
        found.append({"field": ".".join(field), "location": location, "message": message})
    return found


def _headers(error: HTTPException) -> dict[str, str]:
    """Headers the exception carries (Allow on a 405, WWW-Authenticate on a 401...)."""
    kept = {"allow", "www-authenticate", "retry-after"}
    headers = {k: v for k, v in error.get_headers() if k.lower() in kept}
    data = getattr(error, "data", None) or {}
    headers.update(data.get("headers") or {})
    if isinstance(error, Problem):
        headers.update(error.extra_headers)
    return headers


def handle_http_exception(error: HTTPException) -> Response:
    """Any HTTP error raised under /api, as problem details."""
    status = error.code or 500
    if isinstance(error, Problem):
        return problem_response(
            status,
            error.description,
            type=error.type,
            title=error.title,
            errors=error.errors,
            headers=_headers(error),
        )
    data = getattr(error, "data", None) or {}
    if "messages" in data or "errors" in data:  # webargs / flask-smorest validation
        errors = field_errors(data.get("errors") or data.get("messages"))
        return problem_response(
            status,
            "Some fields are not valid.",
            type=INVALID_FIELDS,
            title="Invalid fields",
            errors=errors,
            headers=_headers(error),
        )
    detail = data.get("message") or _own_description(error)
    return problem_response(status, detail, headers=_headers(error))


def _own_description(error: HTTPException) -> str | None:
    """The description a view gave (``abort(404, "...")``), not werkzeug's stock sentence."""
    stock = default_exceptions.get(error.code or 0)
    if stock is not None and error.description == stock.description:
        return None
    return error.description


def handle_server_error(error: Exception) -> Response:
    """A 500 (Flask has logged an unhandled exception already): rolled back, no details."""
    db.session.rollback()
    return problem_response(500, "Something went wrong on our side; it has been logged.")


def error_codes() -> list[int]:
    """Every HTTP error status werkzeug knows (blueprint handlers are looked up by code)."""
    return sorted(code for code in default_exceptions if code >= 400)
