"""Backlink import pages: upload, map columns, follow progress."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace, signed_in_user
from outreach.activity.services import record
from outreach.backlinks import formats, imports
from outreach.backlinks.forms import MappingForm, UploadForm
from outreach.backlinks.jobs import import_state, launch_import
from outreach.backlinks.models import ImportStatus
from outreach.campaigns.services import get_campaign
from outreach.extensions import db
from outreach.jobs import uploads

bp = Blueprint("backlinks", __name__)


@bp.route("/campaigns/<int:campaign_id>/imports", methods=["GET", "POST"])
@login_required
def upload(campaign_id: int) -> str | Response:
    """Upload an export file for a campaign, and list earlier imports."""
    workspace = current_workspace()
    campaign = get_campaign(workspace.id, campaign_id)
    form = UploadForm()
    form.set_targets([c.domain for c in campaign.competitors], campaign.site_domain)
    if form.validate_on_submit():
        upload_file = form.file.data
        path = uploads.store_upload(upload_file.stream, current_app.instance_path, workspace.id)
        try:
            item = imports.create_import(
                campaign, path, upload_file.filename or "upload", form.target.data or None
            )
        except imports.ImportRefused as exc:
            uploads.discard(path, current_app.instance_path)
            flash(f"{upload_file.filename}: {exc}", "error")
            return redirect(url_for(".upload", campaign_id=campaign.id))
        record(workspace.id, "campaign", campaign.id, "import_uploaded", {"file": item.filename})
        if item.status is ImportStatus.NEEDS_MAPPING:
            db.session.commit()
            flash("Outreach does not know this file's columns yet: say which is which.", "info")
            return redirect(url_for(".mapping", import_id=item.id))
        launch_import(item, signed_in_user().id)
        db.session.commit()
        flash(f"Importing {item.filename} ({formats.ExportFormat(item.format).label}).", "success")
        return redirect(url_for(".show", import_id=item.id))
    return render_template(
        "backlinks/upload.html",
        campaign=campaign,
        form=form,
        imports=imports.imports_of(campaign.id, workspace.id),
    )


@bp.route("/imports/<int:import_id>/mapping", methods=["GET", "POST"])
@login_required
def mapping(import_id: int) -> str | Response:
    """Map the columns of a file Outreach does not recognise; remembered for next time."""
    workspace = current_workspace()
    item = imports.get_import(workspace.id, import_id)
    campaign = get_campaign(workspace.id, item.campaign_id or 0)
    if item.status is not ImportStatus.NEEDS_MAPPING:
        return redirect(url_for(".show", import_id=item.id))
    try:
        sniffed = imports.sniff_stored(item)
    except imports.ImportRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for(".upload", campaign_id=campaign.id))
    form = MappingForm()
    form.set_headers(list(sniffed.headers))
    if request.method == "GET":
        for name, header in sniffed.mapping.items():
            if name in MappingForm.FIELDS:
                getattr(form, name).data = header
    if form.validate_on_submit():
        chosen = form.mapping()
        if "source_url" not in chosen:
            flash("Choose the column that holds the linking page URL.", "error")
        else:
            imports.remember_mapping(workspace.id, sniffed, chosen)
            launch_import(item, signed_in_user().id)
            db.session.commit()
            flash("Mapping saved for files of this shape; importing now.", "success")
            return redirect(url_for(".show", import_id=item.id))
    return render_template(
        "backlinks/mapping.html", item=item, campaign=campaign, form=form, sniffed=sniffed
    )


@bp.get("/imports/<int:import_id>")
@login_required
def show(import_id: int) -> str:
    """An import's live progress, result and rejected rows."""
    workspace = current_workspace()
    item = imports.get_import(workspace.id, import_id)
    campaign = get_campaign(workspace.id, item.campaign_id or 0)
    state = import_state(item)
    return render_template("backlinks/show.html", item=item, state=state, campaign=campaign)


@bp.post("/imports/<int:import_id>/mark-lost")
@login_required
def mark_lost(import_id: int) -> Response:
    """Mark lost the links a large drop held back, once the user confirms."""
    workspace = current_workspace()
    item = imports.get_import(workspace.id, import_id)
    try:
        marked = imports.confirm_lost(item)
    except imports.ImportRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for(".show", import_id=item.id))
    record(workspace.id, "campaign", item.campaign_id or 0, "links_marked_lost", {"links": marked})
    db.session.commit()
    flash(f"{marked:,} links marked lost.", "success")
    return redirect(url_for(".show", import_id=item.id))


@bp.get("/imports/<int:import_id>.json")
@login_required
def status(import_id: int) -> Response:
    """Progress of an import, for the progress bar (the same state as the page shows)."""
    item = imports.get_import(current_workspace().id, import_id)
    state = import_state(item)
    return jsonify(
        status=state.status,
        error=state.error,
        rows_read=state.rows_read,
        rows_imported=state.rows_imported,
        rows_rejected=state.rows_rejected,
    )
