"""``/api/v1/prospects/{id}/contacts``: a prospect's contacts, and adding one by hand."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, jsonify
from marshmallow import fields, validate
from sqlalchemy import select

from outreach.api.auth import caller
from outreach.api.blueprint import api_blueprint
from outreach.api.problems import INVALID_FIELDS, Problem
from outreach.crawl import contact_import
from outreach.extensions import db
from outreach.prospects.models import Contact, Prospect, ProspectContact
from outreach.prospects.services import get_prospect

blp = api_blueprint("contacts", __name__, "The people to write to at each prospect.")


class ProspectContactSchema(ma.Schema):
    """A contact of a prospect (one per address in the workspace)."""

    id = fields.Integer(dump_only=True)
    email = fields.String(
        load_default=None, metadata={"description": "Required when adding a contact."}
    )
    first_name = fields.String(load_default="", validate=validate.Length(max=120))
    last_name = fields.String(load_default="", validate=validate.Length(max=120))
    domain = fields.String(dump_only=True)
    role_address = fields.Boolean(dump_only=True, metadata={"description": "info@, editor@…"})
    source = fields.String(dump_only=True)
    bouncing = fields.Boolean(dump_only=True)
    is_primary = fields.Boolean(dump_only=True)
    last_pitched_at = fields.DateTime(dump_only=True, allow_none=True)


class ContactListSchema(ma.Schema):
    """A prospect's contacts, the primary one first."""

    items = fields.List(fields.Nested(ProspectContactSchema))


def _contacts(prospect: Prospect) -> list[tuple[Contact, bool]]:
    return [
        (contact, primary)
        for contact, primary in db.session.execute(
            select(Contact, ProspectContact.is_primary)
            .join(ProspectContact, ProspectContact.contact_id == Contact.id)
            .where(
                ProspectContact.prospect_id == prospect.id,
                Contact.workspace_id == prospect.workspace_id,
            )
            .order_by(ProspectContact.is_primary.desc(), Contact.id)
        )
    ]


def contact_json(contact: Contact, primary: bool) -> dict[str, Any]:
    """A contact as the API shows it."""
    return {
        "id": contact.id,
        "email": contact.email,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "domain": contact.domain,
        "role_address": contact.role_address,
        "source": contact.source,
        "bouncing": contact.bouncing,
        "is_primary": primary,
        "last_pitched_at": contact.last_pitched_at,
    }


@blp.route("/<int:prospect_id>/contacts", methods=["GET"])
@blp.response(200, ContactListSchema)
def list_contacts(prospect_id: int) -> dict[str, Any]:
    """The prospect's contacts, the primary one first."""
    prospect = get_prospect(caller().workspace.id, prospect_id)
    return {"items": [contact_json(c, p) for c, p in _contacts(prospect)]}


@blp.route("/<int:prospect_id>/contacts", methods=["POST"])
@blp.arguments(ProspectContactSchema)
@blp.response(201, ProspectContactSchema)
@blp.alt_response(
    200, schema=ProspectContactSchema, description="The address was known: completed."
)
def add(data: dict[str, Any], prospect_id: int) -> Response:
    """Add a contact to the prospect (an address already known is completed and linked)."""
    workspace_id = caller().workspace.id
    prospect = get_prospect(workspace_id, prospect_id)
    if not data["email"]:
        raise Problem(
            422,
            "Give the contact's e-mail address.",
            type=INVALID_FIELDS,
            title="Invalid fields",
            errors=[{"field": "email", "location": "json", "message": "Missing data."}],
        )
    try:
        contact, created = contact_import.add_contact(
            workspace_id,
            data["email"],
            data["first_name"],
            data["last_name"],
            prospect.domain,
            prospect.campaign_id,
        )
    except contact_import.ContactError as exc:
        db.session.rollback()
        raise Problem(422, str(exc)) from None
    contact_import.link_to_prospect(contact, prospect, primary=True)
    db.session.commit()
    primary = dict((c.id, p) for c, p in _contacts(prospect)).get(contact.id, False)
    response = jsonify(ProspectContactSchema().dump(contact_json(contact, primary)))
    response.status_code = 201 if created else 200
    return response
