"""Backlink imports: upload an export file for a campaign, follow it, read its rejections.

The upload goes through the upload page's steps (store, detect the format, queue the job);
a file whose columns Outreach does not know answers ``needs_mapping``: map its columns
once on the import's page, and files of that shape import directly from then on.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import marshmallow as ma
from flask import current_app, request, url_for
from flask_smorest.fields import Upload
from marshmallow import fields

from outreach.activity.services import record
from outreach.api.auth import caller
from outreach.api.blueprint import api_blueprint
from outreach.api.pagination import bad_cursor
from outreach.api.problems import INVALID_FIELDS, Problem
from outreach.api.schemas import PageArgsSchema, page_schema
from outreach.backlinks import imports
from outreach.backlinks.jobs import import_state, launch_import
from outreach.backlinks.models import BacklinkImport, ImportStatus
from outreach.campaigns.services import get_campaign
from outreach.extensions import db
from outreach.jobs import uploads

blp = api_blueprint("imports", __name__, "Backlink imports: upload export files, follow them.")


class UploadSchema(ma.Schema):
    """The export file (CSV or TSV from Ahrefs, Semrush, Moz, Majestic, Search Console…)
    and, for files without target URLs, whose links they are."""

    file = Upload(metadata={"description": "Required: the export file."})
    # a form field of the same multipart body: documented here, read from the form (one
    # requestBody per operation, and webargs' "files" location holds only the files)
    target = fields.String(
        load_default="",
        metadata={"description": "A competitor's domain or our site's; empty: from the file."},
    )


class RejectionSchema(ma.Schema):
    """A row of the file that was not imported, and why."""

    row = fields.Integer()
    column = fields.String(allow_none=True)
    error = fields.String()


class ImportSchema(ma.Schema):
    """An uploaded file and what became of it (progress while it runs)."""

    id = fields.Integer()
    campaign_id = fields.Integer(allow_none=True)
    filename = fields.String()
    format = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "queued, needs_mapping, running, done…"})
    target_domain = fields.String(allow_none=True)
    rows_read = fields.Integer()
    rows_imported = fields.Integer()
    rows_rejected = fields.Integer()
    marked_lost = fields.Integer()
    error = fields.String(allow_none=True)
    rejections = fields.List(
        fields.Nested(RejectionSchema), metadata={"description": "The first rejected rows."}
    )
    mapping_url = fields.String(
        allow_none=True, metadata={"description": "Where to map the columns (needs_mapping)."}
    )
    created_at = fields.DateTime()


RejectionPage = page_schema("RejectionPage", RejectionSchema)
SHOWN_REJECTIONS = 20


def _rejection(entry: dict[str, Any]) -> dict[str, Any]:
    return {"row": entry["row"], "column": entry.get("column"), "error": entry["error"]}


def import_json(item: BacklinkImport) -> dict[str, Any]:
    """An import as the API shows it, with live progress while its job runs (the same
    state as its page: a job whose worker died is failed, with nothing kept)."""
    state = import_state(item)
    mapping = None
    if item.status is ImportStatus.NEEDS_MAPPING:
        mapping = url_for("backlinks.mapping", import_id=item.id, _external=True)
    return {
        "id": item.id,
        "campaign_id": item.campaign_id,
        "filename": item.filename,
        "format": item.format,
        "status": state.status,
        "target_domain": item.target_domain,
        "rows_read": state.rows_read,
        "rows_imported": state.rows_imported,
        "rows_rejected": state.rows_rejected,
        "marked_lost": item.marked_lost,
        "error": state.error,
        "rejections": [_rejection(r) for r in item.rejections[:SHOWN_REJECTIONS]],
        "mapping_url": mapping,
        "created_at": item.created_at,
    }


def _invalid(field: str, message: str) -> Problem:
    return Problem(
        422,
        message,
        type=INVALID_FIELDS,
        title="Invalid fields",
        errors=[{"field": field, "location": "files", "message": message}],
    )


@blp.route("/campaigns/<int:campaign_id>/imports", methods=["POST"])
@blp.arguments(UploadSchema, location="files")
@blp.response(201, ImportSchema)
def upload(files: dict[str, Any], campaign_id: int) -> dict[str, Any]:
    """Upload an export file (multipart/form-data) and queue its import."""
    who = caller()
    campaign = get_campaign(who.workspace.id, campaign_id)
    upload_file = files.get("file")
    if upload_file is None:
        raise _invalid("file", "Send the export file as the multipart field 'file'.")
    allowed = {c.domain for c in campaign.competitors} | {campaign.site_domain}
    target = request.form.get("target", "").strip()
    if target and target not in allowed - {""}:
        raise Problem(
            422,
            "target must be one of the campaign's competitors or its site.",
            type=INVALID_FIELDS,
            title="Invalid fields",
            errors=[{"field": "target", "location": "form", "message": "Not a target here."}],
        )
    path = uploads.store_upload(upload_file.stream, current_app.instance_path, who.workspace.id)
    try:
        item = imports.create_import(
            campaign, path, upload_file.filename or "upload", target or None
        )
    except imports.ImportRefused as exc:
        db.session.rollback()
        uploads.discard(path, current_app.instance_path)
        raise _invalid("file", f"{upload_file.filename}: {exc}") from None
    record(who.workspace.id, "campaign", campaign.id, "import_uploaded", {"file": item.filename})
    if item.status is not ImportStatus.NEEDS_MAPPING:
        launch_import(item, who.user.id)
    db.session.commit()
    return import_json(item)


@blp.route("/imports/<int:import_id>", methods=["GET"])
@blp.response(200, ImportSchema)
def read(import_id: int) -> dict[str, Any]:
    """An import: status, progress, rows imported, the first rejected rows."""
    return import_json(imports.get_import(caller().workspace.id, import_id))


def _position(cursor: str | None) -> int:
    """The index after which a rejections page starts (cursors are opaque to clients)."""
    if not cursor:
        return 0
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if payload["o"] != "rejections" or not isinstance(payload["k"], int):
            raise ValueError(payload)
        return max(0, payload["k"])
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise bad_cursor() from None


def _cursor(position: int) -> str:
    text = json.dumps({"o": "rejections", "k": position}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@blp.route("/imports/<int:import_id>/rejections", methods=["GET"])
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, RejectionPage)
def rejections(args: dict[str, Any], import_id: int) -> dict[str, Any]:
    """The rejected rows kept of an import (the first 1,000), in file order."""
    item = imports.get_import(caller().workspace.id, import_id)
    start, limit = _position(args["cursor"]), args["limit"]
    kept = item.rejections[start : start + limit]
    more = start + limit < len(item.rejections)
    return {
        "items": [_rejection(r) for r in kept],
        "next_cursor": _cursor(start + limit) if more else None,
    }
