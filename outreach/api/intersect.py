"""``GET /api/v1/campaigns/{id}/intersect``: the scored link intersect, page by page.

Items are exactly what ``flask prospects ID --json`` prints (``IntersectRow.as_json``), with the
intersect page's filters and sorts; pages are keyset pages over the page's own order.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate
from sqlalchemy import select

from outreach.api.auth import caller
from outreach.api.blueprint import api_blueprint
from outreach.api.pagination import Key, Keyset, page_of
from outreach.api.schemas import PageArgsSchema, page_schema
from outreach.campaigns.services import get_campaign
from outreach.extensions import db
from outreach.prospects.intersect import SORTS, rows_with_links, scored_intersect
from outreach.prospects.intersect_rows import IntersectQuery

blp = api_blueprint("intersect", __name__, "The link intersect: who links to competitors, not us.")


class IntersectArgs(PageArgsSchema):
    """The intersect page's filters."""

    k = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "Link to at least this many competitors."},
    )
    min_authority = fields.Float(load_default=None, validate=validate.Range(min=0, max=100))
    follow = fields.Boolean(load_default=False, metadata={"description": "Followed links only."})
    lang = fields.String(load_default=None, metadata={"description": "Language of the links."})
    tld = fields.String(load_default=None, metadata={"description": "Top-level domain: de, org."})
    q = fields.String(load_default=None, metadata={"description": "Part of the domain name."})
    sort = fields.String(load_default="score", validate=validate.OneOf(list(SORTS)))


class BreakdownSchema(ma.Schema):
    """One signal's share of the score."""

    signal = fields.String()
    value = fields.Raw(allow_none=True)
    weight = fields.Float(allow_none=True)
    contribution = fields.Float(allow_none=True)
    source = fields.String(allow_none=True)


class BacklinkSchema(ma.Schema):
    """One of the domain's links to a competitor."""

    competitor = fields.String()
    page = fields.String()
    target = fields.String()
    anchor = fields.String(allow_none=True)
    rel = fields.List(fields.String())


class IntersectItemSchema(ma.Schema):
    """A domain of the intersect, as ``flask prospects --json`` prints it."""

    domain = fields.String()
    competitors = fields.List(fields.String())
    competitor_count = fields.Integer()
    score = fields.Float(allow_none=True)
    authority = fields.Float(allow_none=True)
    authority_source = fields.String()
    authority_level = fields.String(allow_none=True)
    relevance = fields.Float(allow_none=True)
    risk_flags = fields.List(fields.String())
    breakdown = fields.List(fields.Nested(BreakdownSchema))
    links = fields.Integer()
    pages = fields.List(fields.String())
    anchors = fields.List(fields.String())
    backlinks = fields.List(fields.Nested(BacklinkSchema))


IntersectPageSchema = page_schema("IntersectPage", IntersectItemSchema)


def _keyset(table: Any, sort: str) -> Keyset:
    """The intersect page's order for ``sort`` (outreach.prospects.intersect_sql.ordered_by)."""
    c = table.c
    score = Key(c.score, descending=True, nullable=True, kind=float)
    count = Key(c.competitor_count, descending=True)
    authority = Key(c.authority, descending=True, nullable=True, kind=float)
    links = Key(c.link_count, descending=True)
    domain = Key(c.domain, kind=str)
    keys = {
        "score": (score, count, authority, domain),
        "competitors": (count, authority, domain),
        "authority": (authority, count, domain),
        "links": (links, count, domain),
        "domain": (domain,),
    }[sort]
    names = [key.column.name for key in keys]
    return Keyset(f"intersect-{sort}", keys, lambda row: [getattr(row, n) for n in names])


@blp.route("/<int:campaign_id>/intersect", methods=["GET"])
@blp.arguments(IntersectArgs, location="query")
@blp.response(200, IntersectPageSchema)
def intersect(args: dict[str, Any], campaign_id: int) -> dict[str, Any]:
    """The campaign's link intersect, best first, with the intersect page's filters."""
    campaign = get_campaign(caller().workspace.id, campaign_id)
    query = IntersectQuery(
        min_competitors=args["k"],
        min_authority=args["min_authority"],
        follow_only=args["follow"],
        language=args["lang"] or None,
        tld=args["tld"] or None,
        search=args["q"] or None,
        sort=args["sort"],
    )
    table = scored_intersect(campaign, query)
    keyset = _keyset(table, query.sort)
    statement = select(table)
    after = keyset.after(args["cursor"])
    if after is not None:
        statement = statement.where(after)
    found = list(
        db.session.execute(statement.order_by(*keyset.order_by()).limit(args["limit"] + 1))
    )
    found, cursor = page_of(keyset, found, args["limit"])
    rows = rows_with_links(campaign, found, query)
    return {"items": [row.as_json() for row in rows], "next_cursor": cursor}
