"""marshmallow schemas shared by every resource: problems, cursor arguments, pages."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from outreach.api.pagination import DEFAULT_LIMIT, MAX_LIMIT


class FieldErrorSchema(ma.Schema):
    """One invalid field."""

    field = fields.String(metadata={"description": "The field's name (dotted when nested)."})
    location = fields.String(metadata={"description": "json, query, headers or path."})
    message = fields.String()


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem details object."""

    type = fields.String(metadata={"description": "about:blank or urn:outreach:problem:..."})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.List(
        fields.Nested(FieldErrorSchema), metadata={"description": "Invalid fields, if any."}
    )


class PageArgsSchema(ma.Schema):
    """``cursor`` and ``limit`` of a cursor-paginated list."""

    cursor = fields.String(
        load_default=None, metadata={"description": "next_cursor of the previous page."}
    )
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Items per page, at most {MAX_LIMIT}."},
    )


def page_schema(name: str, item: type[ma.Schema]) -> type[ma.Schema]:
    """A ``{"items": [...], "next_cursor": ...}`` schema of ``item`` objects."""
    attributes: dict[str, Any] = {
        "items": fields.List(fields.Nested(item), required=True),
        "next_cursor": fields.String(
            allow_none=True,
            required=True,
            metadata={"description": "Pass as cursor for the next page; null on the last."},
        ),
    }
    return type(name, (ma.Schema,), attributes)
