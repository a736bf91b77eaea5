"""The link intersect page and adding its domains to the pipeline."""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace, signed_in_user
from outreach.accounts.services import members_of
from outreach.campaigns.services import get_campaign
from outreach.extensions import db
from outreach.prospects import bulk, services
from outreach.prospects.intersect import SORTS, IntersectPage, cached_page, pipeline_stages
from outreach.prospects.intersect_rows import IntersectQuery

bp = Blueprint("prospects", __name__)


def _number(name: str, default: float | None, low: float, high: float) -> float | None:
    raw = request.args.get(name, "").strip()
    try:
        value = float(raw) if raw else None
    except ValueError:
        return default
    if value is None or not math.isfinite(value):
        return default
    return min(max(value, low), high)


def query_from_args() -> IntersectQuery:
    """The intersect filters from the query string, with bad values ignored."""
    sort = request.args.get("sort", "score")
    return IntersectQuery(
        min_competitors=int(_number("k", 1, 1, 100) or 1),
        min_authority=_number("min_authority", None, 0, 100),
        follow_only=request.args.get("follow") == "1",
        language=request.args.get("lang") or None,
        tld=request.args.get("tld") or None,
        search=request.args.get("q") or None,
        sort=sort if sort in SORTS else "score",
        page=int(_number("page", 1, 1, 1_000_000) or 1),
        hide_added=request.args.get("hide_added") == "1",
    )


@bp.get("/campaigns/<int:campaign_id>/intersect")
@login_required
def intersect_page(campaign_id: int) -> str:
    """Domains linking to at least K competitors and not to us."""
    workspace = current_workspace()
    campaign = get_campaign(workspace.id, campaign_id)
    query = query_from_args()
    competitors = len(campaign.competitors)
    impossible = None
    languages: list[str] = []
    if competitors and query.min_competitors > competitors:
        impossible = (
            f"At least {query.min_competitors} of {competitors} competitors cannot match: "
            f"this campaign has {competitors}. Choose {competitors} or fewer."
        )
        results = IntersectPage([], 0, query)
    else:
        results, languages = cached_page(campaign, query)
    return render_template(
        "prospects/intersect.html",
        campaign=campaign,
        results=results,
        impossible=impossible,
        in_pipeline=pipeline_stages(campaign, [row.domain for row in results.rows]),
        traffic=any(row.traffic is not None for row in results.rows),
        query=query,
        sorts=SORTS,
        languages=languages,
        args={k: v for k, v in request.args.items() if k != "page"},
        actions=bulk.ACTIONS,
        scopes=bulk.SCOPES,
        members=[(m.user_id, m.user.display_name) for m in members_of(workspace.id)],
    )


@bp.post("/campaigns/<int:campaign_id>/prospects/bulk")
@login_required
def bulk_action(campaign_id: int) -> Response:
    """Add, reject or assign the ticked domains, the top N, or everything the filters match
    (the filters ride in the query string, as on the intersect page)."""
    workspace = current_workspace()
    campaign = get_campaign(workspace.id, campaign_id)
    action = request.form.get("action", "add")
    owner = request.form.get("owner_id", "")
    try:
        domains = bulk.chosen_domains(
            campaign,
            query_from_args(),
            request.form.get("scope", "selected"),
            request.form.getlist("domain"),
            int(_form_number("top", 50)),
        )
        result = bulk.apply(
            campaign, domains, action, signed_in_user().id, int(owner) if owner.isdigit() else None
        )
    except bulk.BulkError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(result.message(action), "success" if result.created or result.changed else "info")
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page"}
    return redirect(url_for("prospects.intersect_page", campaign_id=campaign.id, **args))


def _form_number(name: str, default: int) -> int:
    raw = request.form.get(name, "").strip()
    return int(raw) if raw.isdigit() else default


@bp.post("/campaigns/<int:campaign_id>/prospects/add")
@login_required
def add(campaign_id: int) -> Response:
    """Add the ticked intersect domains to the campaign's pipeline."""
    workspace = current_workspace()
    campaign = get_campaign(workspace.id, campaign_id)
    try:
        added = services.add_to_pipeline(
            campaign, request.form.getlist("domain"), signed_in_user().id
        )
    except services.ProspectInputError as exc:
        flash(str(exc), "error")
        return redirect(url_for("prospects.intersect_page", campaign_id=campaign.id))
    db.session.commit()
    flash(
        f"{added} prospect(s) added to the pipeline." if added else "Nothing new to add.",
        "success" if added else "info",
    )
    return redirect(url_for("prospects.intersect_page", campaign_id=campaign.id))
