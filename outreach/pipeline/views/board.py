"""A campaign's board and table, and moving prospects between stages (one or many)."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace, signed_in_user
from outreach.campaigns.services import get_campaign
from outreach.db import utcnow
from outreach.extensions import db
from outreach.pipeline import queries
from outreach.pipeline.cards import initials, members
from outreach.pipeline.contact_facts import contact_facts
from outreach.pipeline.filters import DUE_CHOICES, OPPORTUNITIES, SORTS, Scope, filters_from_args
from outreach.pipeline.forms import STAGE_CHOICES, BulkMoveForm, MoveForm
from outreach.pipeline.views.blueprint import bp
from outreach.pitches.mailboxes import sendable_by
from outreach.prospects import stages
from outreach.prospects.models import Stage
from outreach.prospects.services import get_prospect
from outreach.web import id_url, safe_next


def wants_json() -> bool:
    """True for fetch() calls that asked for JSON."""
    return request.accept_mimetypes.best == "application/json"


def _listing(campaign_id: int) -> tuple[Scope, dict[str, object]]:
    workspace = current_workspace()
    scope = Scope(
        campaign=get_campaign(workspace.id, campaign_id),
        filters=filters_from_args(request.args),
        me=signed_in_user().id,
        today=utcnow().date(),
        people=members(workspace.id),
    )
    context: dict[str, object] = {
        "campaign": scope.campaign,
        "filters": scope.filters,
        "people": scope.people,
        "today": scope.today,
        "stage_choices": STAGE_CHOICES,
        "sorts": SORTS,
        "due_choices": DUE_CHOICES,
        "opportunities": OPPORTUNITIES,
        "initials": initials,
        "here": request.full_path.rstrip("?"),
        "senders": [(m.id, m.from_email) for m in sendable_by(workspace.id, signed_in_user().id)],
    }
    return scope, context


@bp.get("/campaigns/<int:campaign_id>/board")
@login_required
def board(campaign_id: int) -> str:
    """A campaign's prospects as columns by stage, with filters and moves."""
    scope, context = _listing(campaign_id)
    columns = queries.board(scope)
    return render_template(
        "pipeline/board.html",
        columns=columns,
        per_column=queries.CARDS_PER_COLUMN,
        closed_stages=queries.CLOSED_STAGES,
        **_card_links(),
        **context,
    )


@bp.get("/campaigns/<int:campaign_id>/board/column")
@login_required
def board_column(campaign_id: int) -> str:
    """The cards of one folded column (``?stage=`` and the board's filters), as HTML."""
    scope, context = _listing(campaign_id)
    if scope.filters.stage is None:
        abort(404)
    context["here"] = url_for(".board", campaign_id=campaign_id, **scope.filters.args(stage=None))
    column = queries.column(scope, scope.filters.stage)
    return render_template("pipeline/column.html", column=column, **_card_links(), **context)


def _card_links() -> dict[str, object]:
    return {
        "move_url": id_url("pipeline.move", "prospect_id"),
        "prospect_url": id_url("pipeline.prospect", "prospect_id"),
    }


@bp.get("/campaigns/<int:campaign_id>/prospects")
@login_required
def table(campaign_id: int) -> str:
    """A campaign's prospects as a sortable, paginated table."""
    scope, context = _listing(campaign_id)
    page = queries.table(scope)
    facts = contact_facts([row.id for row in page.rows])
    return render_template("pipeline/table.html", page=page, facts=facts, **context)


@bp.post("/prospects/<int:prospect_id>/move")
@login_required
def move(prospect_id: int) -> Response | tuple[Response, int]:
    """Move one prospect (a drag, or the card's menu); 409 or a flash on a conflict."""
    workspace = current_workspace()
    prospect = get_prospect(workspace.id, prospect_id)
    form = MoveForm()
    back = safe_next(form.next.data, url_for(".board", campaign_id=prospect.campaign_id))
    if not form.validate() or form.version.data is None:
        message = "Choose a stage to move to (and reload if the page is old)."
        if wants_json():
            return jsonify(error=message), 400
        flash(message, "error")
        return redirect(back)
    to = Stage(form.stage.data)
    seen = Stage(form.seen.data) if form.seen.data else None
    try:
        moved = stages.move_card(
            workspace.id, prospect.id, to, form.version.data, signed_in_user().id, seen
        )
    except stages.Conflict as exc:
        if wants_json():
            body = {"error": str(exc), "stage": exc.stage.value, "stage_label": exc.stage.label}
            return jsonify(version=exc.version, **body), 409
        flash(str(exc), "error")
        return redirect(back)
    db.session.commit()
    if wants_json():
        return jsonify(
            id=moved.id,
            stage=moved.stage.value,
            stage_label=moved.stage.label,
            version=moved.version,
        )
    flash(f"{moved.domain} is now in {moved.stage.label}.", "success")
    return redirect(back)


@bp.post("/campaigns/<int:campaign_id>/bulk-move")
@login_required
def bulk_move(campaign_id: int) -> Response:
    """Move every ticked prospect of a campaign to one stage."""
    workspace = current_workspace()
    campaign = get_campaign(workspace.id, campaign_id)
    form = BulkMoveForm()
    back = safe_next(form.next.data, url_for(".board", campaign_id=campaign.id))
    picks = stages.parse_picks(request.form.getlist("pick"))
    if not form.validate() or not picks:
        flash("Tick some prospects and choose a stage.", "error")
        return redirect(back)
    to = Stage(form.stage.data)
    try:
        result = stages.bulk_move(workspace.id, campaign.id, picks, to, signed_in_user().id)
    except (stages.Conflict, ValueError) as exc:
        flash(str(exc), "error")
        return redirect(back)
    db.session.commit()
    if result.moved:
        flash(f"{len(result.moved)} prospect(s) moved to {to.label}.", "success")
    if result.unchanged:
        flash(f"{len(result.unchanged)} already in {to.label}.", "info")
    if result.conflicts:
        names = ", ".join(result.conflicts[:10])
        flash(f"Not moved, changed by someone else meanwhile: {names}; reload.", "error")
    return redirect(back)
