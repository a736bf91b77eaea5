"""The inbox page: messages that need a look (attach to a prospect, or dismiss) and the latest
messages matched, with what each was taken for."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace, signed_in_user
from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches import answer, inbox, jobs
from outreach.pitches.forms import AttachForm
from outreach.pitches.views.blueprint import bp


@bp.get("/pitches/inbox")
@login_required
def inbox_page() -> str:
    """Uncertain inbound messages with suggested prospects, and the latest matched ones."""
    workspace = current_workspace()
    waiting = [(row, inbox.suggestions(row)) for row in inbox.needing_look(workspace.id)]
    return render_template("pitches/inbox.html", waiting=waiting, recent=inbox.recent(workspace.id))


@bp.post("/pitches/inbox/<int:inbound_id>/attach")
@login_required
def attach_inbound(inbound_id: int) -> Response:
    """Tie a message to the chosen prospect; it then counts as a match."""
    workspace = current_workspace()
    row = inbox.get_message(workspace.id, inbound_id)
    form = AttachForm()
    try:
        if not form.validate_on_submit():
            raise inbox.InboxError("Choose a prospect, or type its domain.")
        prospect = inbox.find_prospect(workspace.id, form.prospect_id.data, form.domain.data or "")
        inbox.attach(row, prospect, signed_in_user().id)
    except inbox.InboxError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(f"Attached to {prospect.domain}.", "success")
    return redirect(url_for(".inbox_page"))


@bp.post("/pitches/inbox/<int:inbound_id>/dismiss")
@login_required
def dismiss_inbound(inbound_id: int) -> Response:
    """The message is about nothing of ours."""
    row = inbox.get_message(current_workspace().id, inbound_id)
    try:
        inbox.dismiss(row)
    except inbox.InboxError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("Dismissed.", "success")
    return redirect(url_for(".inbox_page"))


@bp.get("/pitches/inbox/<int:inbound_id>/open")
@login_required
def open_inbound(inbound_id: int) -> Response:
    """Mark a received message read and open its prospect's conversation at it."""
    row = inbox.get_message(current_workspace().id, inbound_id)
    if row.read_at is None:
        row.read_at = utcnow()
        db.session.commit()
    if row.prospect_id is None:
        return redirect(url_for(".inbox_page"))
    return redirect(
        url_for("pipeline.prospect", prospect_id=row.prospect_id, _anchor=f"in-{row.id}")
    )


@bp.post("/pitches/inbox/<int:inbound_id>/answer")
@login_required
def answer_inbound(inbound_id: int) -> Response:
    """Answer a reply through the mailbox it arrived in, in the same thread, and send it."""
    workspace, user = current_workspace(), signed_in_user()
    row = inbox.get_message(workspace.id, inbound_id)
    try:
        message = answer.answer(row, request.form.get("body", ""), user.id)
    except answer.AnswerError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        jobs.dispatch(workspace.id, user.id)
        db.session.commit()
        flash(f"Your answer to {row.from_email} is on its way ({message.subject}).", "success")
    target = url_for("pipeline.prospect", prospect_id=row.prospect_id, _anchor=f"in-{row.id}")
    return redirect(target if row.prospect_id else url_for(".inbox_page"))
