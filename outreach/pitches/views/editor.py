"""The template library and editor: merge-field buttons, live preview, test send, versions."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace, signed_in_user
from outreach.campaigns.models import CampaignKind
from outreach.extensions import db
from outreach.pitches import library, mailboxes, previews, sandbox, testsend
from outreach.pitches.forms import TemplateForm
from outreach.pitches.models import PitchTemplate
from outreach.pitches.views.blueprint import bp
from outreach.prospects.services import latest_prospects
from outreach.web import parse_id


@bp.get("/pitches/templates")
@login_required
def templates() -> str:
    """The workspace's template library."""
    items = library.templates_of(current_workspace().id)
    return render_template("pitches/templates.html", templates=items)


def _refused(form: TemplateForm) -> None:
    db.session.rollback()
    errors = previews.field_errors(form.subject.data or "", form.body.data or "")
    form.subject.errors = [*form.subject.errors, *errors["subject"]]
    form.body.errors = [*form.body.errors, *errors["body"]]
    flash("The template was refused; see the problems under the fields.", "error")


def _editor(
    form: TemplateForm, template: PitchTemplate | None, status: int = 200
) -> tuple[str, int]:
    """The editor page: the form, merge-field buttons, the live preview and the test send."""
    workspace = current_workspace()
    prospects = latest_prospects(workspace.id)
    chosen = parse_id(request.values.get("prospect_id"))
    if chosen is None and prospects:
        chosen = prospects[0].id
    subject = form.subject.data if form.subject.data is not None else ""
    body = form.body.data if form.body.data is not None else ""
    page = render_template(
        "pitches/template_form.html",
        form=form,
        template=template,
        fields=sandbox.FIELDS,
        versions=library.versions_of(template) if template else [],
        preview=previews.preview_text(workspace.id, subject, body, chosen),
        prospects=prospects,
        chosen=chosen,
        senders=mailboxes.sendable_by(workspace.id, signed_in_user().id),
    )
    return page, status


@bp.route("/pitches/templates/new", methods=["GET", "POST"])
@login_required
def new_template() -> tuple[str, int] | Response:
    """Write a new template."""
    workspace, form = current_workspace(), TemplateForm()
    if form.validate_on_submit():
        try:
            item = library.create_template(
                workspace.id,
                form.name.data or "",
                CampaignKind(form.kind.data),
                form.subject.data or "",
                form.body.data or "",
                signed_in_user().id,
            )
        except sandbox.TemplateRefused:
            _refused(form)
        else:
            db.session.commit()
            flash("Template saved.", "success")
            return redirect(url_for(".edit_template", template_id=item.id))
    return _editor(form, None)


@bp.route("/pitches/templates/<int:template_id>", methods=["GET", "POST"])
@login_required
def edit_template(template_id: int) -> tuple[str, int] | Response:
    """Edit a template, preview it against a prospect, see its versions."""
    workspace = current_workspace()
    item = library.get_template(workspace.id, template_id)
    form = TemplateForm(obj=item)
    if request.method == "GET":
        form.kind.data = item.kind.value
    if form.validate_on_submit():
        try:
            changed = library.save_template(
                item,
                form.name.data or "",
                CampaignKind(form.kind.data),
                form.subject.data or "",
                form.body.data or "",
                signed_in_user().id,
            )
        except sandbox.TemplateRefused:
            _refused(form)
        else:
            db.session.commit()
            flash(f"Saved as version {item.version}." if changed else "No change.", "success")
            return redirect(url_for(".edit_template", template_id=item.id))
    return _editor(form, item)


@bp.post("/pitches/templates/preview")
@login_required
def preview_template() -> Response:
    """The live preview of the text being typed, as JSON for the editor's script."""
    result = previews.preview_text(
        current_workspace().id,
        request.form.get("subject", ""),
        request.form.get("body", ""),
        parse_id(request.form.get("prospect_id")),
        parse_id(request.form.get("mailbox_id")),
    )
    return jsonify(result.as_json())


@bp.post("/pitches/templates/test")
@login_required
def send_test_template() -> tuple[str, int]:
    """Send the text being edited, rendered for the chosen prospect, to the signed-in user."""
    workspace, user = current_workspace(), signed_in_user()
    template_id = parse_id(request.form.get("template_id"))
    template = library.get_template(workspace.id, template_id) if template_id else None
    form = TemplateForm()
    if not form.validate_on_submit():
        return _editor(form, template, 400)
    box = mailboxes.get_mailbox(workspace.id, parse_id(request.form.get("mailbox_id")) or 0)
    result = previews.preview_text(
        workspace.id,
        form.subject.data or "",
        form.body.data or "",
        parse_id(request.form.get("prospect_id")),
        box.id,
    )
    if any(result.errors.values()) or result.problem:
        flash("Fix the template before sending a test.", "error")
        return _editor(form, template, 400)
    if not mailboxes.may_send_from(box, user.id):
        flash(f"{box.from_email} is not yours and its user has not shared it.", "error")
        return _editor(form, template, 403)
    try:
        testsend.send_test(box, user.email, result.subject, result.body)
    except testsend.TestSendError as exc:
        flash(f"The test was not sent: {exc}", "error")
        return _editor(form, template, 502)
    flash(f"Test sent to {user.email} from {box.from_email}.", "success")
    return _editor(form, template)
