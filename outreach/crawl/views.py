"""Crawl pages: start a crawl, follow it live, stop it, filter what it found, add contacts."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace, signed_in_user
from outreach.campaigns.models import Campaign
from outreach.campaigns.services import get_campaign
from outreach.crawl import contact_import, contact_jobs, services
from outreach.crawl.forms import ContactCsvForm, ContactForm, CrawlForm
from outreach.crawl.jobs import launch_crawl
from outreach.extensions import db
from outreach.jobs import uploads
from outreach.jobs.models import TaskStatus
from outreach.jobs.tasks import TaskView
from outreach.prospects.models import OpportunityKind
from outreach.prospects.services import ProspectInputError

bp = Blueprint("crawl", __name__)


@bp.route("/campaigns/<int:campaign_id>/crawls", methods=["GET", "POST"])
@login_required
def index(campaign_id: int) -> str | Response:
    """A campaign's crawls, and the form to start one."""
    workspace = current_workspace()
    campaign = get_campaign(workspace.id, campaign_id)
    form = CrawlForm()
    if form.validate_on_submit():
        try:
            run = services.create_run(
                campaign,
                sites=form.sites.data or "",
                sitemaps=form.sitemaps.data or "",
                pages=form.pages.data or "",
                max_depth=form.max_depth.data or 0,
                max_pages_per_site=form.max_pages_per_site.data or 1,
                check_broken_links=form.check_broken_links.data,
                find_contacts=form.find_contacts.data,
            )
        except services.CrawlError as exc:
            flash(str(exc), "error")
        else:
            launch_crawl(run, signed_in_user().id)
            db.session.commit()
            flash("Crawl queued: progress shows below as pages come in.", "success")
            return redirect(url_for(".show", run_id=run.id))
    runs = services.runs_of(workspace.id, campaign.id)
    return render_template("crawl/index.html", campaign=campaign, form=form, runs=runs)


@bp.get("/crawls/<int:run_id>")
@login_required
def show(run_id: int) -> str:
    """A crawl's live progress, opportunities by type, sites and failed pages."""
    workspace = current_workspace()
    run = services.get_run(workspace.id, run_id)
    campaign = get_campaign(workspace.id, run.campaign_id)
    kind = request.args.get("kind") or None
    if kind not in {k.value for k in OpportunityKind}:
        kind = None
    return render_template(
        "crawl/show.html",
        run=run,
        campaign=campaign,
        kind=kind,
        kinds=list(OpportunityKind),
        counts=services.opportunity_counts(run),
        opportunities=services.opportunities(run, kind),
        sites=services.sites(run),
        failed=services.pages(run, failed_only=True),
        status=services.status_of(run),
        form=FlaskForm(),
    )


@bp.get("/crawls/<int:run_id>.json")
@login_required
def status(run_id: int) -> Response:
    """A crawl's state and counters, polled by the progress box (stored, so reloads keep it)."""
    run = services.get_run(current_workspace().id, run_id)
    return jsonify(services.status_of(run))


@bp.post("/crawls/<int:run_id>/stop")
@login_required
def stop(run_id: int) -> Response:
    """Stop a crawl: it finishes the pages in flight, keeps what it found, and ends."""
    run = services.get_run(current_workspace().id, run_id)
    if services.request_stop(run):
        db.session.commit()
        flash("Stopping the crawl; pages already fetched are kept.", "info")
    else:
        flash("This crawl is not running.", "info")
    return redirect(url_for(".show", run_id=run.id))


@bp.post("/crawls/<int:run_id>/prospects")
@login_required
def add_prospects(run_id: int) -> Response:
    """Add the chosen sites of a crawl to the campaign's pipeline, with their contacts."""
    workspace = current_workspace()
    run = services.get_run(workspace.id, run_id)
    campaign = get_campaign(workspace.id, run.campaign_id)
    domains = request.form.getlist("domain")
    try:
        added = services.add_sites_to_pipeline(run, campaign, domains, signed_in_user().id)
    except ProspectInputError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".show", run_id=run.id))
    db.session.commit()
    flash(f"{added} new prospect{'s' if added != 1 else ''} added to the pipeline.", "success")
    return redirect(url_for(".show", run_id=run.id))


@bp.route("/campaigns/<int:campaign_id>/contacts", methods=["GET", "POST"])
@login_required
def contacts(campaign_id: int) -> str | Response:
    """Contacts: add one by hand, import a CSV, see the latest ones."""
    workspace = current_workspace()
    campaign = get_campaign(workspace.id, campaign_id)
    form, csv_form = ContactForm(prefix="one"), ContactCsvForm(prefix="csv")
    if request.method == "POST" and form.validate_on_submit():
        try:
            contact, created = contact_import.add_contact(
                workspace.id,
                form.email.data or "",
                form.first_name.data or "",
                form.last_name.data or "",
                form.domain.data or "",
                campaign.id,
            )
        except contact_import.ContactError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(
                f"{contact.email} {'added' if created else 'already known: completed'}.", "success"
            )
            return redirect(url_for(".contacts", campaign_id=campaign.id))
    return render_template(
        "crawl/contacts.html",
        campaign=campaign,
        form=form,
        csv_form=csv_form,
        contacts=services.recent_contacts(workspace.id),
    )


@bp.post("/campaigns/<int:campaign_id>/contacts/import")
@login_required
def import_contacts(campaign_id: int) -> Response:
    """Import contacts from a CSV file; duplicates merge into the existing contact."""
    workspace = current_workspace()
    campaign = get_campaign(workspace.id, campaign_id)
    form = ContactCsvForm(prefix="csv")
    if not form.validate_on_submit():
        flash("Choose a CSV file to import.", "error")
        return redirect(url_for(".contacts", campaign_id=campaign.id))
    upload = form.file.data
    path = uploads.store_upload(upload.stream, current_app.instance_path, workspace.id)
    task = contact_jobs.launch_contact_import(
        workspace.id, campaign.id, path, upload.filename or "contacts.csv", signed_in_user().id
    )
    db.session.commit()
    return redirect(url_for(".contact_import_result", campaign_id=campaign.id, task_id=task.id))


_ENDED = {TaskStatus.FINISHED: "done", TaskStatus.FAILED: "failed", TaskStatus.CANCELLED: "failed"}


def _import_of(campaign_id: int, task_id: str) -> tuple[Campaign, TaskView]:
    workspace = current_workspace()
    campaign = get_campaign(workspace.id, campaign_id)
    view = contact_jobs.import_task(workspace.id, campaign.id, task_id)
    if view is None:
        abort(404)
    return campaign, view


@bp.get("/campaigns/<int:campaign_id>/contacts/imports/<task_id>")
@login_required
def contact_import_result(campaign_id: int, task_id: str) -> str:
    """A contacts import: live progress, then what it did and the rows it could not use."""
    campaign, view = _import_of(campaign_id, task_id)
    state = _ENDED.get(view.status, view.status.value)
    return render_template("crawl/contact_import.html", campaign=campaign, view=view, state=state)


@bp.get("/campaigns/<int:campaign_id>/contacts/imports/<task_id>/progress")
@login_required
def contact_import_progress(campaign_id: int, task_id: str) -> Response:
    """Progress of a contacts import, for the progress bar."""
    _, view = _import_of(campaign_id, task_id)
    progress = view.progress
    return jsonify(
        status=_ENDED.get(view.status, view.status.value),
        error=view.error,
        **{k: progress.get(k, 0) for k in ("rows_read", "rows_imported", "rows_rejected")},
    )


@bp.get("/crawls")
@login_required
def all_runs() -> str:
    """Every crawl of the workspace, newest first."""
    workspace = current_workspace()
    return render_template("crawl/all.html", runs=services.all_runs(workspace.id))
