"""``/api/v1/campaigns``: list, read, create and delete campaigns (the pages' services)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response
from marshmallow import fields, validate
from sqlalchemy import select

from outreach.api.auth import caller, require_owner
from outreach.api.blueprint import api_blueprint
from outreach.api.pagination import Key, Keyset, page_of
from outreach.api.problems import Problem
from outreach.api.schemas import PageArgsSchema, page_schema
from outreach.campaigns.models import Campaign, CampaignKind
from outreach.campaigns.services import CampaignError, create_campaign, get_campaign
from outreach.extensions import db
from outreach.pipeline.deletion import delete_campaign
from outreach.pitches.deletion import DeletionRefused

blp = api_blueprint("campaigns", __name__, "Campaigns: our site, competitors, topic, targets.")


class CampaignSchema(ma.Schema):
    """A campaign with its competitors, topic keywords and target pages."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(
        load_default=CampaignKind.GUEST_POST.value,
        validate=validate.OneOf([k.value for k in CampaignKind]),
    )
    site_domain = fields.String(load_default="")
    competitors = fields.List(fields.String(), load_default=list)
    topic_keywords = fields.List(fields.String(), load_default=list)
    target_pages = fields.List(fields.String(), load_default=list)
    monthly_link_target = fields.Integer(load_default=0, validate=validate.Range(min=0))
    archived = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class CampaignListArgs(PageArgsSchema):
    """Filters of the campaign list."""

    include_archived = fields.Boolean(load_default=False)


CampaignPage = page_schema("CampaignPage", CampaignSchema)
BY_ID = Keyset("id", (Key(Campaign.id),), lambda campaign: [campaign.id])


def campaign_json(campaign: Campaign) -> dict[str, Any]:
    """A campaign as the API shows it."""
    return {
        "id": campaign.id,
        "name": campaign.name,
        "kind": campaign.kind.value,
        "site_domain": campaign.site_domain,
        "competitors": sorted(c.domain for c in campaign.competitors),
        "topic_keywords": list(campaign.topic_keywords or []),
        "target_pages": list(campaign.target_pages or []),
        "monthly_link_target": campaign.monthly_link_target,
        "archived": campaign.archived,
        "created_at": campaign.created_at,
    }


@blp.route("", methods=["GET"])
@blp.arguments(CampaignListArgs, location="query")
@blp.response(200, CampaignPage)
def list_campaigns(args: dict[str, Any]) -> dict[str, Any]:
    """The workspace's campaigns, oldest first."""
    query = select(Campaign).where(Campaign.workspace_id == caller().workspace.id)
    if not args["include_archived"]:
        query = query.where(Campaign.archived.is_(False))
    after = BY_ID.after(args["cursor"])
    if after is not None:
        query = query.where(after)
    rows = list(db.session.scalars(query.order_by(*BY_ID.order_by()).limit(args["limit"] + 1)))
    items, cursor = page_of(BY_ID, rows, args["limit"])
    return {"items": [campaign_json(c) for c in items], "next_cursor": cursor}


@blp.route("", methods=["POST"])
@blp.arguments(CampaignSchema)
@blp.response(201, CampaignSchema)
def create(data: dict[str, Any]) -> dict[str, Any]:
    """Create a campaign."""
    try:
        campaign = create_campaign(
            caller().workspace.id,
            data["name"],
            kind=CampaignKind(data["kind"]),
            site_domain=data["site_domain"],
            competitors=data["competitors"],
            target_pages=data["target_pages"],
            topic_keywords=data["topic_keywords"],
            monthly_link_target=data["monthly_link_target"],
        )
    except (CampaignError, ValueError) as exc:
        db.session.rollback()
        raise Problem(422, str(exc)) from None
    db.session.commit()
    return campaign_json(campaign)


@blp.route("/<int:campaign_id>", methods=["GET"])
@blp.response(200, CampaignSchema)
def read(campaign_id: int) -> dict[str, Any]:
    """One campaign."""
    return campaign_json(get_campaign(caller().workspace.id, campaign_id))


@blp.route("/<int:campaign_id>", methods=["DELETE"])
@blp.response(204)
def delete(campaign_id: int) -> Response:
    """Delete a campaign with everything of it (workspace owners only)."""
    campaign = get_campaign(caller().workspace.id, campaign_id)
    require_owner()
    try:
        delete_campaign(campaign, caller().user.id)
    except DeletionRefused as exc:
        db.session.rollback()
        raise Problem(409, str(exc)) from None
    db.session.commit()
    return Response(status=204)
