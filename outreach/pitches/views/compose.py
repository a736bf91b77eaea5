"""Pitch templates (library, editor with live preview, versions) and mailboxes."""

from __future__ import annotations

import contextlib
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from redis.exceptions import RedisError
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace, require_owner, signed_in_user
from outreach.campaigns.models import CampaignKind
from outreach.extensions import db
from outreach.net.settings import mail_policy_from_config
from outreach.pitches import delivery, library, mailboxes, previews, sandbox
from outreach.pitches.forms import MailboxForm, TemplateForm
from outreach.pitches.models import Mailbox, SmtpSecurity
from outreach.pitches.views.blueprint import bp
from outreach.prospects.services import latest_prospects
from outreach.web import parse_id

MAILBOX_FIELDS = (
    "from_name",
    "from_email",
    "smtp_host",
    "smtp_port",
    "smtp_username",
    "imap_host",
    "imap_port",
    "imap_tls",
    "daily_cap",
    "min_gap_seconds",
    "jitter_seconds",
    "sending_start_hour",
    "sending_end_hour",
)


@bp.get("/pitches/templates")
@login_required
def templates() -> str:
    """The workspace's template library."""
    items = library.templates_of(current_workspace().id)
    return render_template("pitches/templates.html", templates=items)


def _refused(form: TemplateForm, exc: sandbox.TemplateRefused) -> None:
    db.session.rollback()
    for problem in exc.problems:
        form.body.errors = [*form.body.errors, f"line {problem.line}: {problem.message}"]
    flash("The template was refused; see the problems below.", "error")


@bp.route("/pitches/templates/new", methods=["GET", "POST"])
@login_required
def new_template() -> str | Response:
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
        except sandbox.TemplateRefused as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash("Template saved.", "success")
            return redirect(url_for(".edit_template", template_id=item.id))
    return render_template(
        "pitches/template_form.html", form=form, template=None, fields=sandbox.FIELDS
    )


@bp.route("/pitches/templates/<int:template_id>", methods=["GET", "POST"])
@login_required
def edit_template(template_id: int) -> str | Response:
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
        except sandbox.TemplateRefused as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(f"Saved as version {item.version}." if changed else "No change.", "success")
            return redirect(url_for(".edit_template", template_id=item.id))
    preview = previews.preview(workspace.id, item, parse_id(request.args.get("prospect_id")))
    return render_template(
        "pitches/template_form.html",
        form=form,
        template=item,
        fields=sandbox.FIELDS,
        versions=library.versions_of(item),
        preview=preview,
        prospects=latest_prospects(workspace.id),
    )


@bp.get("/pitches/mailboxes")
@login_required
def mailbox_list() -> str:
    """The workspace's mailboxes, with what is wrong with our sending (blocks, an http link)."""
    return render_template(
        "pitches/mailboxes.html",
        mailboxes=mailboxes.mailboxes_of(current_workspace().id),
        unsubscribe_problem=delivery.unsubscribe_link_problem(),
    )


@bp.post("/pitches/mailboxes/<int:mailbox_id>/problem/clear")
@login_required
def clear_mailbox_problem(mailbox_id: int) -> Response:
    """Dismiss a mailbox's sending problem once it is dealt with."""
    box = mailboxes.get_mailbox(current_workspace().id, mailbox_id)
    box.sending_problem, box.sending_problem_at = None, None
    db.session.commit()
    flash("Sending problem dismissed.", "success")
    return redirect(url_for(".mailbox_list"))


def _values(form: MailboxForm) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(form, name).data for name in MAILBOX_FIELDS}
    values["smtp_security"] = SmtpSecurity(form.smtp_security.data)
    values["timezone"] = form.timezone.data or "UTC"
    if "shared" in form:
        values["shared"] = bool(form.shared.data)
    return values


@bp.route("/pitches/mailboxes/new", methods=["GET", "POST"])
@bp.route("/pitches/mailboxes/<int:mailbox_id>", methods=["GET", "POST"])
@login_required
def mailbox_form(mailbox_id: int | None = None) -> str | Response:
    """Add or change a mailbox (the password is stored encrypted)."""
    workspace = current_workspace()
    box = mailboxes.get_mailbox(workspace.id, mailbox_id) if mailbox_id else None
    if box is not None and request.method == "POST" and box.user_id != signed_in_user().id:
        require_owner()  # a mailbox is its user's; only workspace owners may change others'
    form = MailboxForm(obj=box)
    if box is not None and box.user_id != signed_in_user().id:
        del form.shared  # only the mailbox's own user shares it
    if box is not None and request.method == "GET":
        form.smtp_security.data = box.smtp_security.value
    if form.validate_on_submit():
        target = box or Mailbox(workspace_id=workspace.id, user_id=signed_in_user().id)
        policy = mail_policy_from_config(current_app.config)
        try:
            cleared = mailboxes.apply_settings(
                target, _values(form), form.password.data or "", policy, signed_in_user().id
            )
        except mailboxes.MailboxError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.add(target)
            db.session.commit()
            from outreach.pitches.jobs import clear_backoff

            with contextlib.suppress(RedisError):  # polled on the next tick, not after a backoff
                clear_backoff(current_app, target.id)
            flash("Mailbox saved.", "success")
            if cleared:
                flash(
                    "The server or login changed, so the saved password was cleared: "
                    "its user must enter it again.",
                    "info",
                )
            return redirect(url_for(".mailbox_list"))
    return render_template("pitches/mailbox_form.html", form=form, mailbox=box)
