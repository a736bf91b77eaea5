"""Schemas of ``/api/v1/prospects`` and a prospect's JSON shape."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from outreach.api.schemas import PageArgsSchema, page_schema
from outreach.pipeline.filters import DUE_CHOICES, OPPORTUNITIES, SORTS
from outreach.prospects.models import Prospect, Stage
from outreach.prospects.services import NOTE_LIMIT

STAGES = [stage.value for stage in Stage]


class ContactSchema(ma.Schema):
    """A person at the prospect's site."""

    id = fields.Integer()
    email = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    bouncing = fields.Boolean()


class ProspectSchema(ma.Schema):
    """A prospect in a campaign's pipeline."""

    id = fields.Integer()
    campaign_id = fields.Integer()
    domain = fields.String()
    stage = fields.String(validate=validate.OneOf(STAGES))
    owner_id = fields.Integer(allow_none=True)
    score = fields.Float(allow_none=True)
    page_url = fields.String(allow_none=True)
    page_title = fields.String(allow_none=True)
    opportunity_types = fields.List(fields.String())
    due_on = fields.Date(allow_none=True)
    reminder = fields.String(allow_none=True)
    version = fields.Integer(metadata={"description": "Also the ETag: send it as If-Match."})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    contacts = fields.List(
        fields.Nested(ContactSchema), metadata={"description": "In single reads only."}
    )


ProspectPage = page_schema("ProspectPage", ProspectSchema)


class ProspectListArgs(PageArgsSchema):
    """The pipeline table's filters, plus the campaign."""

    campaign_id = fields.Integer(load_default=None)
    owner = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^(me|none|[0-9]{1,10})$"),
        metadata={"description": "me, none, or a user id."},
    )
    min_score = fields.Float(load_default=None, validate=validate.Range(min=0, max=100))
    opportunity = fields.String(load_default=None, validate=validate.OneOf(list(OPPORTUNITIES)))
    due = fields.String(load_default=None, validate=validate.OneOf(list(DUE_CHOICES)))
    q = fields.String(load_default=None, metadata={"description": "Part of the domain."})
    stage = fields.String(load_default=None, validate=validate.OneOf(STAGES))
    sort = fields.String(load_default="score", validate=validate.OneOf([*SORTS, "id"]))


class ProspectCreateSchema(ma.Schema):
    """A domain to add to a campaign's pipeline."""

    campaign_id = fields.Integer(required=True)
    domain = fields.String(required=True, validate=validate.Length(min=1, max=255))
    stage = fields.String(load_default=Stage.PROSPECT.value, validate=validate.OneOf(STAGES))
    owner_id = fields.Integer(load_default=None, allow_none=True)


class ProspectUpdateSchema(ma.Schema):
    """What a PATCH may change; absent fields stay as they are."""

    stage = fields.String(validate=validate.OneOf(STAGES))
    owner_id = fields.Integer(allow_none=True)
    due_on = fields.Date(allow_none=True)
    reminder = fields.String(allow_none=True, validate=validate.Length(max=500))


class NoteSchema(ma.Schema):
    """A note on the prospect's timeline."""

    prospect_id = fields.Integer(dump_only=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=NOTE_LIMIT))


def prospect_json(prospect: Prospect, contacts: bool = False) -> dict[str, Any]:
    """A prospect as the API shows it (its contacts only when asked: they cost a query)."""
    body: dict[str, Any] = {
        "id": prospect.id,
        "campaign_id": prospect.campaign_id,
        "domain": prospect.domain,
        "stage": prospect.stage.value,
        "owner_id": prospect.owner_id,
        "score": prospect.score,
        "page_url": prospect.page_url,
        "page_title": prospect.page_title,
        "opportunity_types": list(prospect.opportunity_types or []),
        "due_on": prospect.due_on,
        "reminder": prospect.reminder,
        "version": prospect.version,
        "created_at": prospect.created_at,
        "updated_at": prospect.updated_at,
    }
    if contacts:
        body["contacts"] = [
            {
                "id": c.id,
                "email": c.email,
                "first_name": c.first_name,
                "last_name": c.last_name,
                "bouncing": c.bouncing,
            }
            for c in prospect.contacts
        ]
    return body
