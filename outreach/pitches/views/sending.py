"""Sequence editor, outbox, suppression list, and the public one-click unsubscribe."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace, signed_in_user
from outreach.db import utcnow
from outreach.extensions import csrf, db
from outreach.pitches import (
    events,
    held,
    jobs,
    outbox,
    suppression,
)
from outreach.pitches.forms import MessageForm, SuppressionForm
from outreach.pitches.models import MessageStatus, OutboundMessage
from outreach.pitches.views.blueprint import bp
from outreach.pitches.waiting import still_waiting
from outreach.prospects.models import Contact
from outreach.web import parse_id, safe_next

OUTBOX_PAGE = 50


@bp.get("/pitches/outbox")
@login_required
def outbox_page() -> str:
    """The outbox: to whom, for which prospect, from where, when, and why each message waits."""
    workspace = current_workspace()
    wanted = request.args.get("status")
    status = MessageStatus(wanted) if wanted in {s.value for s in MessageStatus} else None
    before = parse_id(request.args.get("before", ""))
    rows = outbox.listing(workspace.id, status, limit=OUTBOX_PAGE + 1, before=before)
    return render_template(
        "pitches/outbox.html",
        rows=rows[:OUTBOX_PAGE],
        older=rows[OUTBOX_PAGE - 1].message.id if len(rows) > OUTBOX_PAGE else None,
        before=before,
        counts=outbox.counts_of(workspace.id),
        status=status,
    )


@bp.get("/pitches/outbox/<int:message_id>")
@login_required
def message_page(message_id: int) -> str:
    """One outbox message as it will be (or was) sent, with why it waits."""
    workspace = current_workspace()
    message = outbox.get_message(workspace.id, message_id)
    [row] = outbox.listing(workspace.id, None, ids=[message.id])
    return render_template("pitches/message.html", row=row, message=message)


@bp.post("/pitches/outbox/send")
@login_required
def send_due() -> Response:
    """Hand the workspace's due messages to background send jobs, and say what still waits."""
    workspace = current_workspace()
    count = jobs.dispatch(workspace.id, signed_in_user().id)
    waiting = still_waiting(workspace.id, utcnow())
    db.session.commit()
    flash(f"{count} due message(s) handed to the sender.", "success")
    if waiting:
        reasons = "; ".join(f"{n} {reason}" for reason, n in waiting.items())
        flash(f"Still waiting: {reasons}.", "info")
    return redirect(url_for(".outbox_page"))


def _decide(message_id: int, action: Callable[[OutboundMessage], None]) -> Response:
    message = outbox.get_message(current_workspace().id, message_id)
    try:
        action(message)
    except ValueError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("Done.", "success")
    return redirect(safe_next(request.form.get("next"), url_for(".outbox_page")))


@bp.post("/pitches/outbox/<int:message_id>/release")
@login_required
def release_message(message_id: int) -> Response:
    """Send a held or needs-review message after all, rendered again with today's data."""
    message = outbox.get_message(current_workspace().id, message_id)
    back = safe_next(request.form.get("next"), url_for(".outbox_page"))
    try:
        still_held = held.release(message)
    except ValueError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    db.session.commit()
    if still_held:
        flash(f"Still held: {still_held}. Fill it in, or edit this message.", "error")
    else:
        flash("Released: it goes out with the next send.", "success")
    return redirect(back)


@bp.route("/pitches/outbox/<int:message_id>/edit", methods=["GET", "POST"])
@login_required
def edit_message(message_id: int) -> str | Response:
    """Write one held message by hand instead of from its template."""
    message = outbox.get_message(current_workspace().id, message_id)
    form = MessageForm(obj=message)
    if form.validate_on_submit():
        try:
            held.edit(message, form.subject.data or "", form.body.data or "")
        except held.EditRefused as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Saved. Release it to send it.", "success")
            return redirect(url_for(".outbox_page", status="held"))
    return render_template("pitches/message_form.html", form=form, message=message)


@bp.post("/pitches/outbox/<int:message_id>/cancel")
@login_required
def cancel_message(message_id: int) -> Response:
    """Never send this message."""
    return _decide(message_id, outbox.cancel)


@bp.post("/pitches/outbox/<int:message_id>/mark-sent")
@login_required
def mark_message_sent(message_id: int) -> Response:
    """Confirm a needs-review message did go out."""
    return _decide(message_id, outbox.mark_sent)


@bp.post("/pitches/outbox/<int:message_id>/replied")
@login_required
def mark_replied(message_id: int) -> Response:
    """Record by hand that the prospect of this message replied (stops its sequence)."""
    workspace = current_workspace()
    message = outbox.get_message(workspace.id, message_id)
    detail = {"subject": message.subject, "by_hand": True}
    cancelled = events.after_reply(workspace.id, message.prospect_id, detail, signed_in_user().id)
    flash(f"Marked as replied; {cancelled} follow-up(s) cancelled.", "success")
    return redirect(safe_next(request.form.get("next"), url_for(".outbox_page")))


@bp.route("/pitches/suppression", methods=["GET", "POST"])
@login_required
def suppression_page() -> str | Response:
    """The suppression list: add addresses or domains."""
    workspace = current_workspace()
    form = SuppressionForm()
    if form.validate_on_submit():
        try:
            suppression.suppress(workspace.id, form.value.data or "", form.reason.data or "")
        except suppression.SuppressionError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Added to the suppression list.", "success")
            return redirect(url_for(".suppression_page"))
    entries = suppression.entries_of(workspace.id)
    return render_template("pitches/suppression.html", form=form, entries=entries)


@bp.post("/pitches/suppression/<int:suppression_id>/delete")
@login_required
def delete_suppression(suppression_id: int) -> Response:
    """Remove an entry from the suppression list."""
    entry = suppression.get_entry(current_workspace().id, suppression_id)
    db.session.delete(entry)
    db.session.commit()
    flash("Removed from the suppression list.", "success")
    return redirect(url_for(".suppression_page"))


@bp.route("/u/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str) -> str:
    """Public one-click unsubscribe (RFC 8058): GET confirms, POST unsubscribes; no login."""
    message = db.session.scalar(
        select(OutboundMessage).where(OutboundMessage.unsubscribe_token == token)
    )
    if message is None:
        abort(404)
    if request.method == "POST":
        contact = db.session.get(Contact, message.contact_id)
        if contact is None:
            abort(404)
        try:
            suppression.suppress(message.workspace_id, contact.email, "unsubscribed")
        except suppression.SuppressionError:  # an odd stored address: still stop the sequence
            db.session.rollback()
        events.after_unsubscribe(
            message.workspace_id, contact.id, message.prospect_id, contact.email
        )
        return render_template("pitches/unsubscribed.html", done=True)
    return render_template("pitches/unsubscribed.html", done=False, token=token)
