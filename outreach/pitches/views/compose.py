"""Mailboxes: the list, adding or changing one, and dismissing a sending problem."""

from __future__ import annotations

import contextlib
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from redis.exceptions import RedisError
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace, require_owner, signed_in_user
from outreach.extensions import db
from outreach.net.settings import mail_policy_from_config
from outreach.pitches import delivery, mailboxes
from outreach.pitches.forms import MailboxForm
from outreach.pitches.models import Mailbox, SmtpSecurity
from outreach.pitches.views.blueprint import bp

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
