"""``/api/v1/templates``: the template library, read-only, and the editor's live preview."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields
from sqlalchemy import select

from outreach.api.auth import caller
from outreach.api.blueprint import api_blueprint
from outreach.api.pagination import Key, Keyset, page_of
from outreach.api.schemas import PageArgsSchema, page_schema
from outreach.extensions import db
from outreach.pitches import library, mailboxes, previews
from outreach.pitches.models import PitchTemplate
from outreach.prospects.services import get_prospect

blp = api_blueprint("templates", __name__, "Pitch templates and their rendered preview.")


class TemplateSchema(ma.Schema):
    """A pitch template: its subject and body are Jinja2 text rendered in a sandbox."""

    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"description": "The campaign kind it is written for."})
    subject = fields.String()
    body = fields.String()
    version = fields.Integer(metadata={"description": "Raised on each saved change."})
    updated_at = fields.DateTime()


class PreviewArgsSchema(ma.Schema):
    """Whom to render the template for (neither: sample values)."""

    prospect_id = fields.Integer(load_default=None, allow_none=True)
    mailbox_id = fields.Integer(
        load_default=None, allow_none=True, metadata={"description": "Signs as this mailbox."}
    )


class PreviewSchema(ma.Schema):
    """The rendered text, the fields that came out empty, and what is wrong."""

    prospect = fields.String(allow_none=True, metadata={"description": "The prospect's domain."})
    subject = fields.String()
    body = fields.String()
    missing = fields.List(fields.String(), metadata={"description": "Fields with no value."})
    problem = fields.String(metadata={"description": "Why it could not render, if it could not."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "By field."},
    )
    without_contact = fields.Boolean(metadata={"description": "The prospect has no contact yet."})


TemplatePage = page_schema("TemplatePage", TemplateSchema)
BY_ID = Keyset("template-id", (Key(PitchTemplate.id),), lambda row: [row.id])


def template_json(template: PitchTemplate) -> dict[str, Any]:
    """A template as the API shows it."""
    return {
        "id": template.id,
        "name": template.name,
        "kind": template.kind.value,
        "subject": template.subject,
        "body": template.body,
        "version": template.version,
        "updated_at": template.updated_at,
    }


@blp.route("", methods=["GET"])
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, TemplatePage)
def list_templates(args: dict[str, Any]) -> dict[str, Any]:
    """The workspace's templates, oldest first."""
    query = select(PitchTemplate).where(PitchTemplate.workspace_id == caller().workspace.id)
    after = BY_ID.after(args["cursor"])
    if after is not None:
        query = query.where(after)
    rows = list(db.session.scalars(query.order_by(*BY_ID.order_by()).limit(args["limit"] + 1)))
    items, cursor = page_of(BY_ID, rows, args["limit"])
    return {"items": [template_json(t) for t in items], "next_cursor": cursor}


@blp.route("/<int:template_id>", methods=["GET"])
@blp.response(200, TemplateSchema)
def read(template_id: int) -> dict[str, Any]:
    """One template."""
    return template_json(library.get_template(caller().workspace.id, template_id))


@blp.route("/<int:template_id>/preview", methods=["POST"])
@blp.arguments(PreviewArgsSchema)
@blp.response(200, PreviewSchema)
def preview(args: dict[str, Any], template_id: int) -> dict[str, Any]:
    """The template rendered for a prospect of the workspace (as the editor's preview)."""
    workspace_id = caller().workspace.id
    template = library.get_template(workspace_id, template_id)
    if args["prospect_id"] is not None:
        get_prospect(workspace_id, args["prospect_id"])
    if args["mailbox_id"] is not None:
        mailboxes.get_mailbox(workspace_id, args["mailbox_id"])
    result = previews.preview_text(
        workspace_id, template.subject, template.body, args["prospect_id"], args["mailbox_id"]
    )
    return result.as_json()
