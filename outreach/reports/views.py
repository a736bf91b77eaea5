"""The reports dashboard, its CSV downloads and the referring-domain targets."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response as BaseResponse

from outreach.accounts.context import current_workspace
from outreach.accounts.models import Workspace
from outreach.campaigns.models import Campaign
from outreach.campaigns.services import campaigns_of
from outreach.db import utcnow
from outreach.extensions import db
from outreach.prospects.views import query_from_args
from outreach.reports import targets
from outreach.reports.cached import cached_report
from outreach.reports.dashboard import report_charts
from outreach.reports.exports import to_csv
from outreach.reports.forms import FilterForm, TargetForm, month_of
from outreach.reports.intersect_export import intersect_table
from outreach.reports.periods import add_months, current_month, month_label, parse_month
from outreach.reports.report import TREND_MONTHS
from outreach.reports.scope import Scope, scope_for
from outreach.reports.tables import report_tables
from outreach.scoping import get_in_workspace
from outreach.web import parse_id

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _campaign(workspace: Workspace, raw: str | None) -> Campaign | None:
    number = parse_id(raw)
    return get_in_workspace(Campaign, workspace.id, number) if number else None


def _filters(workspace: Workspace) -> tuple[FilterForm, Scope, date, date]:
    form = FilterForm(request.args)
    form.campaign.choices = [("", "All campaigns")] + [
        (str(c.id), c.name) for c in campaigns_of(workspace.id)
    ]
    form.validate()
    campaign = _campaign(workspace, form.campaign.data)
    last = month_of(form.end, current_month(utcnow()))
    first = month_of(form.start, add_months(last, 1 - TREND_MONTHS))
    if first > last:
        first, last = last, first
    return form, scope_for(workspace, campaign), first, last


@bp.get("/")
@login_required
def dashboard() -> str:
    """Referring domains, authority, competitor gap, funnel and team, with charts and tables."""
    workspace = current_workspace()
    form, scope, first, last = _filters(workspace)
    report = cached_report(scope, first, last)
    target_form = TargetForm(campaign=str(scope.campaign_id or ""), month=month_label(last))
    return render_template(
        "reports/dashboard.html",
        form=form,
        report=report,
        tables=report_tables(report),
        charts=report_charts(report),
        first=month_label(first),
        last=month_label(last),
        target_form=target_form,
        saved_targets=targets.targets_of(scope),
        args={
            "campaign": scope.campaign_id or "",
            "start": month_label(first),
            "end": month_label(last),
        },
    )


@bp.get("/download")
@login_required
def download() -> Response:
    """One table of the dashboard (``?table=KEY``), with the same filters, as CSV."""
    workspace = current_workspace()
    key = request.args.get("table", "")
    _, scope, first, last = _filters(workspace)
    table = report_tables(cached_report(scope, first, last)).get(key)
    if table is None:
        abort(404)
    name = f"{key}-{month_label(first)}-{month_label(last)}.csv"
    return Response(
        to_csv(table),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/campaigns/<int:campaign_id>/intersect.csv")
@login_required
def intersect_csv(campaign_id: int) -> Response:
    """The campaign's link intersect, filtered as on its page, as CSV (formulas neutralised)."""
    campaign = get_in_workspace(Campaign, current_workspace().id, campaign_id)
    query = replace(query_from_args(), page=1)
    name = f"intersect-{campaign.id}-{utcnow():%Y-%m-%d}.csv"
    return Response(
        to_csv(intersect_table(campaign, query)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _back(campaign_id: int | None) -> BaseResponse:
    return redirect(url_for(".dashboard", campaign=campaign_id or None))


@bp.post("/targets")
@login_required
def set_target() -> BaseResponse:
    """Save a referring-domain target for the workspace or one campaign."""
    workspace = current_workspace()
    form = TargetForm()
    campaign = _campaign(workspace, form.campaign.data)
    if not form.validate():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return _back(campaign.id if campaign else None)
    scope = scope_for(workspace, campaign)
    targets.set_target(scope, parse_month(form.month.data or ""), form.domains.data or 0)
    db.session.commit()
    flash(f"Target saved: {form.domains.data} referring domains from {form.month.data}.", "success")
    return _back(scope.campaign_id)


@bp.post("/targets/<int:target_id>/delete")
@login_required
def delete_target(target_id: int) -> BaseResponse:
    """Remove a referring-domain target."""
    workspace = current_workspace()
    campaign = _campaign(workspace, request.form.get("campaign"))
    if not targets.delete_target(scope_for(workspace, campaign), target_id):
        abort(404)
    db.session.commit()
    flash("Target removed.", "success")
    return _back(campaign.id if campaign else None)
