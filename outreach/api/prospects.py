"""``/api/v1/prospects``: list (the pipeline table's filters), create, read, update, notes.

Updates go through the pipeline's own services (stage moves, details) and need ``If-Match``
with the prospect's ``ETag`` (its version): a stale one is 412, none at all 428, so two
clients never silently overwrite each other.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Response, jsonify, request, url_for
from sqlalchemy import case, select
from sqlalchemy.orm.exc import StaleDataError

from outreach.api.auth import caller
from outreach.api.blueprint import api_blueprint
from outreach.api.pagination import Key, Keyset, page_of
from outreach.api.problems import PRECONDITION_REQUIRED, STALE, Problem
from outreach.api.prospect_schemas import (
    NoteSchema,
    ProspectCreateSchema,
    ProspectListArgs,
    ProspectPage,
    ProspectSchema,
    ProspectUpdateSchema,
    prospect_json,
)
from outreach.campaigns.services import get_campaign
from outreach.db import utcnow
from outreach.extensions import db
from outreach.pipeline.cards import members
from outreach.pipeline.filters import Filters, filter_conditions
from outreach.prospects import services, stages
from outreach.prospects.models import Prospect, Stage

blp = api_blueprint("prospects", __name__, "Prospects in campaigns' pipelines.")

POSITION = case({stage.value: index for index, stage in enumerate(Stage)}, value=Prospect.stage)
STAGE_INDEX = {stage: index for index, stage in enumerate(Stage)}
BY_ID = Key(Prospect.id)
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string"},
    "description": "The ETag of the prospect as last read.",
}
KEYSETS = {
    "score": Keyset(
        "prospects-score",
        (Key(Prospect.score, descending=True, nullable=True, kind=float), BY_ID),
        lambda p: [p.score, p.id],
    ),
    "domain": Keyset(
        "prospects-domain", (Key(Prospect.domain, kind=str), BY_ID), lambda p: [p.domain, p.id]
    ),
    "stage": Keyset(
        "prospects-stage", (Key(POSITION), BY_ID), lambda p: [STAGE_INDEX[p.stage], p.id]
    ),
    "due": Keyset(
        "prospects-due",
        (Key(Prospect.due_on, nullable=True, kind=date), BY_ID),
        lambda p: [p.due_on, p.id],
    ),
    "updated": Keyset(
        "prospects-updated",
        (
            Key(Prospect.updated_at, descending=True, kind=datetime),
            Key(Prospect.id, descending=True),
        ),
        lambda p: [p.updated_at, p.id],
    ),
    "id": Keyset("prospects-id", (BY_ID,), lambda p: [p.id]),
}


def _with_etag(body: dict[str, Any], prospect: Prospect, status: int = 200) -> Response:
    response = jsonify(ProspectSchema().dump(body))
    response.status_code = status
    response.set_etag(str(prospect.version))
    return response


@blp.route("", methods=["GET"])
@blp.arguments(ProspectListArgs, location="query")
@blp.response(200, ProspectPage)
def list_prospects(args: dict[str, Any]) -> dict[str, Any]:
    """The workspace's prospects (of one campaign), with the pipeline table's filters."""
    who = caller()
    stage = Stage(args["stage"]) if args["stage"] else None
    filters = Filters(
        owner=str(args["owner"] or ""),
        min_score=args["min_score"],
        opportunity=args["opportunity"] or "",
        due=args["due"] or "",
        search=(args["q"] or "").strip().lower()[:255],
        stage=stage,
    )
    conditions = [
        Prospect.workspace_id == who.workspace.id,
        *filter_conditions(filters, who.user.id, utcnow().date()),
    ]
    if args["campaign_id"] is not None:
        campaign = get_campaign(who.workspace.id, args["campaign_id"])
        conditions.append(Prospect.campaign_id == campaign.id)
    keyset = KEYSETS[args["sort"]]
    after = keyset.after(args["cursor"])
    if after is not None:
        conditions.append(after)
    query = select(Prospect).where(*conditions).order_by(*keyset.order_by())
    rows = list(db.session.scalars(query.limit(args["limit"] + 1)))
    items, cursor = page_of(keyset, rows, args["limit"])
    return {"items": [prospect_json(p) for p in items], "next_cursor": cursor}


@blp.route("", methods=["POST"])
@blp.arguments(ProspectCreateSchema)
@blp.response(201, ProspectSchema, headers={"ETag": {"schema": {"type": "string"}}})
def create(data: dict[str, Any]) -> Response:
    """Add a domain to a campaign's pipeline (409 when it is there already)."""
    who = caller()
    campaign = get_campaign(who.workspace.id, data["campaign_id"])
    owner_id = _member_or_422(data.get("owner_id"))
    try:
        (domain,) = services.clean_domains([data["domain"]])
        added = services.add_to_pipeline(campaign, [domain], owner_id, Stage(data["stage"]))
    except (services.ProspectInputError, ValueError) as exc:
        db.session.rollback()
        raise Problem(
            422,
            str(exc),
            errors=[{"field": "domain", "location": "json", "message": "Not a domain name."}],
        ) from None
    if not added:
        db.session.rollback()
        raise Problem(409, f"{domain} is already in this campaign's pipeline.")
    prospect = db.session.scalars(
        select(Prospect).where(Prospect.campaign_id == campaign.id, Prospect.domain == domain)
    ).one()
    db.session.commit()
    response = _with_etag(prospect_json(prospect), prospect, 201)
    response.headers["Location"] = url_for(".read", prospect_id=prospect.id)
    return response


@blp.route("/<int:prospect_id>", methods=["GET"])
@blp.response(200, ProspectSchema, headers={"ETag": {"schema": {"type": "string"}}})
def read(prospect_id: int) -> Response:
    """One prospect, with its ETag for updates."""
    prospect = services.get_prospect(caller().workspace.id, prospect_id)
    return _with_etag(prospect_json(prospect, contacts=True), prospect)


def _member_or_422(user_id: int | None) -> int | None:
    if user_id is None:
        return None
    if user_id not in members(caller().workspace.id):
        raise Problem(
            422,
            "The owner must be a member of this workspace.",
            errors=[{"field": "owner_id", "location": "json", "message": "Not a member."}],
        )
    return user_id


def _check_if_match(prospect: Prospect) -> None:
    if not request.if_match:
        raise Problem(
            428,
            "Send If-Match with the prospect's ETag (from GET), so a change made meanwhile "
            "is not overwritten.",
            type=PRECONDITION_REQUIRED,
        )
    if not request.if_match.contains(str(prospect.version)) and not request.if_match.star_tag:
        raise _stale(prospect)


def _stale(prospect: Prospect) -> Problem:
    return Problem(
        412,
        f"{prospect.domain} was changed by someone else (now in {prospect.stage.label}); "
        "GET it again and retry.",
        type=STALE,
    )


@blp.route("/<int:prospect_id>", methods=["PATCH"])
@blp.arguments(ProspectUpdateSchema)
@blp.response(200, ProspectSchema, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(412, description="If-Match is stale: someone changed the prospect.")
@blp.alt_response(428, description="If-Match is missing.")
@blp.doc(parameters=[IF_MATCH])
def update(data: dict[str, Any], prospect_id: int) -> Response:
    """Move the stage, assign an owner, set the due date or reminder (If-Match required)."""
    who = caller()
    prospect = services.get_prospect(who.workspace.id, prospect_id)
    _check_if_match(prospect)
    version = prospect.version
    details = {"owner_id", "due_on", "reminder"} & set(data)
    # Every read happens before the first change: a query would flush (and bump) the version.
    owner_id = _member_or_422(data.get("owner_id", prospect.owner_id)) if details else None
    names = {uid: user.display_name for uid, user in members(who.workspace.id).items()}
    try:
        if "stage" in data:
            stages.move(
                prospect, Stage(data["stage"]), actor_id=who.user.id, expected_version=version
            )
        if details:
            services.update_details(
                prospect,
                owner_id=owner_id,
                due_on=data.get("due_on", prospect.due_on),
                reminder=data.get("reminder", prospect.reminder),
                expected_version=version,
                actor_id=who.user.id,
                owner_names=names,
            )
        db.session.flush()
    except (stages.StageConflict, stages.Conflict, StaleDataError):
        db.session.rollback()
        raise _stale(services.get_prospect(who.workspace.id, prospect_id)) from None
    db.session.commit()
    return _with_etag(prospect_json(prospect, contacts=True), prospect)


@blp.route("/<int:prospect_id>/notes", methods=["POST"])
@blp.arguments(NoteSchema)
@blp.response(201, NoteSchema)
def add_note(data: dict[str, Any], prospect_id: int) -> dict[str, Any]:
    """Add a note to the prospect's timeline."""
    who = caller()
    prospect = services.get_prospect(who.workspace.id, prospect_id)
    try:
        services.add_note(prospect, data["text"], who.user.id)
    except ValueError as exc:
        db.session.rollback()
        raise Problem(422, str(exc)) from None
    db.session.commit()
    return {"prospect_id": prospect.id, "text": data["text"].strip()[: services.NOTE_LIMIT]}
