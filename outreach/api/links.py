"""``/api/v1/links`` and ``/api/v1/alerts``: placed links, their checks and verdicts, alerts."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, jsonify, url_for
from marshmallow import fields, validate
from sqlalchemy import select

from outreach.api.auth import caller
from outreach.api.blueprint import api_blueprint
from outreach.api.pagination import Key, Keyset, page_of
from outreach.api.problems import Problem
from outreach.api.schemas import PageArgsSchema, page_schema
from outreach.extensions import db
from outreach.jobs.models import Task
from outreach.links import services
from outreach.links.jobs import queue_check
from outreach.links.models import Alert, LinkCheck, LinkStatus, PlacedLink
from outreach.prospects.services import get_prospect

blp = api_blueprint("links", __name__, "Placed links: create, verify, read checks and verdicts.")
alerts_blp = api_blueprint("alerts", __name__, "Alerts: links lost, changed or back.")

STATUSES = [status.value for status in LinkStatus]
NEWEST_LINK = Keyset("links-newest", (Key(PlacedLink.id, descending=True),), lambda r: [r.id])
NEWEST_ALERT = Keyset("alerts-newest", (Key(Alert.id, descending=True),), lambda r: [r.id])


class CheckSchema(ma.Schema):
    """One check of a placed link: its verdict and the evidence."""

    id = fields.Integer()
    checked_at = fields.DateTime()
    verdict = fields.String(validate=validate.OneOf(STATUSES))
    http_status = fields.Integer(allow_none=True)
    final_url = fields.String(allow_none=True)
    result = fields.Dict(metadata={"description": "Redirects, rel, placement, anchor, ..."})


class LinkSchema(ma.Schema):
    """A placed link and its latest verdict (``checks`` in single reads, newest first)."""

    id = fields.Integer(dump_only=True)
    page_url = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    target_url = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    expected_anchor = fields.String(load_default=None, allow_none=True)
    prospect_id = fields.Integer(load_default=None, allow_none=True)
    status = fields.String(dump_only=True, validate=validate.OneOf(STATUSES))
    last_checked_at = fields.DateTime(dump_only=True, allow_none=True)
    next_check_at = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    checks = fields.List(fields.Nested(CheckSchema), dump_only=True)
    job_id = fields.String(dump_only=True, metadata={"description": "The queued check's job."})


class JobRefSchema(ma.Schema):
    """A queued job: poll it at ``GET /api/v1/jobs/{job_id}``."""

    job_id = fields.String()
    status_url = fields.String()


class LinkListArgs(PageArgsSchema):
    """Filters of the placed links list."""

    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    prospect_id = fields.Integer(load_default=None)


class AlertSchema(ma.Schema):
    """An alert about a placed link."""

    id = fields.Integer()
    kind = fields.String()
    message = fields.String()
    placed_link_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class AlertListArgs(PageArgsSchema):
    """Filters of the alerts list."""

    unread = fields.Boolean(load_default=False)


LinkPage = page_schema("LinkPage", LinkSchema)
AlertPage = page_schema("AlertPage", AlertSchema)


def link_json(link: PlacedLink, checks: list[LinkCheck] | None = None) -> dict[str, Any]:
    """A placed link as the API shows it."""
    body: dict[str, Any] = {
        "id": link.id,
        "page_url": link.page_url,
        "target_url": link.target_url,
        "expected_anchor": link.expected_anchor,
        "prospect_id": link.prospect_id,
        "status": link.status.value,
        "last_checked_at": link.last_checked_at,
        "next_check_at": link.next_check_at,
        "created_at": link.created_at,
    }
    if checks is not None:
        body["checks"] = [
            {
                "id": c.id,
                "checked_at": c.checked_at,
                "verdict": c.verdict.value,
                "http_status": c.http_status,
                "final_url": c.final_url,
                "result": c.result,
            }
            for c in checks
        ]
    return body


def _job(task: Task) -> dict[str, str]:
    return {"job_id": task.id, "status_url": url_for("api_jobs.read", task_id=task.id)}


@blp.route("", methods=["GET"])
@blp.arguments(LinkListArgs, location="query")
@blp.response(200, LinkPage)
def list_links(args: dict[str, Any]) -> dict[str, Any]:
    """The workspace's placed links, newest first (of one status or prospect)."""
    query = select(PlacedLink).where(PlacedLink.workspace_id == caller().workspace.id)
    if args["status"]:
        query = query.where(PlacedLink.status == LinkStatus(args["status"]))
    if args["prospect_id"] is not None:
        query = query.where(PlacedLink.prospect_id == args["prospect_id"])
    after = NEWEST_LINK.after(args["cursor"])
    if after is not None:
        query = query.where(after)
    query = query.order_by(*NEWEST_LINK.order_by()).limit(args["limit"] + 1)
    items, cursor = page_of(NEWEST_LINK, list(db.session.scalars(query)), args["limit"])
    return {"items": [link_json(link) for link in items], "next_cursor": cursor}


@blp.route("", methods=["POST"])
@blp.arguments(LinkSchema)
@blp.response(201, LinkSchema)
def create(data: dict[str, Any]) -> Response:
    """Record a placed link and queue its first check (an identical one is returned, 200)."""
    who = caller()
    if data["prospect_id"] is not None:
        get_prospect(who.workspace.id, data["prospect_id"])  # 404 for another workspace's
    existing = services.find_link(who.workspace.id, data["page_url"], data["target_url"])
    try:
        link = services.create_link(
            who.workspace.id,
            data["page_url"],
            data["target_url"],
            expected_anchor=data["expected_anchor"],
            prospect_id=data["prospect_id"],
        )
    except ValueError as exc:
        db.session.rollback()
        raise Problem(422, str(exc)) from None
    created = existing is None
    body = link_json(link)
    if created:
        body["job_id"] = queue_check(link, who.user.id, f"Verify {link.page_url}").id
    db.session.commit()
    response = jsonify(LinkSchema().dump(body))
    response.status_code = 201 if created else 200
    response.headers["Location"] = url_for(".read", link_id=link.id)
    return response


@blp.route("/<int:link_id>", methods=["GET"])
@blp.response(200, LinkSchema)
def read(link_id: int) -> dict[str, Any]:
    """One placed link with its checks (verdict and evidence), newest first."""
    link = services.get_link(caller().workspace.id, link_id)
    return link_json(link, services.checks_of(link))


@blp.route("/<int:link_id>/verify", methods=["POST"])
@blp.response(202, JobRefSchema)
def verify(link_id: int) -> dict[str, str]:
    """Queue a fresh check of the link now; poll the job for its end."""
    who = caller()
    link = services.get_link(who.workspace.id, link_id)
    task = queue_check(link, who.user.id, f"Check {link.page_url} now")
    db.session.commit()
    return _job(task)


@alerts_blp.route("", methods=["GET"])
@alerts_blp.arguments(AlertListArgs, location="query")
@alerts_blp.response(200, AlertPage)
def list_alerts(args: dict[str, Any]) -> dict[str, Any]:
    """The workspace's alerts, newest first (``unread=true``: only unread ones)."""
    query = select(Alert).where(Alert.workspace_id == caller().workspace.id)
    if args["unread"]:
        query = query.where(Alert.read_at.is_(None))
    after = NEWEST_ALERT.after(args["cursor"])
    if after is not None:
        query = query.where(after)
    query = query.order_by(*NEWEST_ALERT.order_by()).limit(args["limit"] + 1)
    items, cursor = page_of(NEWEST_ALERT, list(db.session.scalars(query)), args["limit"])
    return {"items": items, "next_cursor": cursor}


@alerts_blp.route("/<int:alert_id>/read", methods=["POST"])
@alerts_blp.response(200, AlertSchema)
def mark_read(alert_id: int) -> Any:
    """Mark an alert read."""
    alert = services.mark_read(caller().workspace.id, alert_id)
    db.session.commit()
    return alert
