"""A prospect's page (timeline, notes, owner, due date, reminder) and the personal today page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace, signed_in_user
from outreach.campaigns.services import get_campaign
from outreach.db import utcnow
from outreach.extensions import db
from outreach.pipeline.cards import members
from outreach.pipeline.filters import OPPORTUNITIES
from outreach.pipeline.forms import STAGE_CHOICES, DetailsForm, NoteForm
from outreach.pipeline.timeline import timeline
from outreach.pipeline.views.blueprint import bp
from outreach.pipeline.workqueue import work_queue
from outreach.pitches.thread import thread
from outreach.prospects import services
from outreach.prospects.models import Prospect
from outreach.prospects.stages import Conflict


def _names(workspace_id: int) -> dict[int, str]:
    return {uid: user.display_name for uid, user in members(workspace_id).items()}


def _render(
    prospect: Prospect, note: NoteForm, details: DetailsForm, status: int = 200
) -> tuple[str, int]:
    names = _names(prospect.workspace_id)
    return (
        render_template(
            "pipeline/prospect.html",
            prospect=prospect,
            campaign=get_campaign(prospect.workspace_id, prospect.campaign_id),
            owner=names.get(prospect.owner_id) if prospect.owner_id else None,
            entries=timeline(prospect, names),
            conversation=thread(prospect),
            note_form=note,
            details_form=details,
            stage_choices=STAGE_CHOICES,
            opportunities=OPPORTUNITIES,
            today=utcnow().date(),
        ),
        status,
    )


def _details_form(prospect: Prospect, names: dict[int, str], **kwargs: object) -> DetailsForm:
    form = DetailsForm(owners=names, **kwargs)
    if request.method == "GET":
        form.owner.data = str(prospect.owner_id or "")
        form.due_on.data = prospect.due_on
        form.reminder.data = prospect.reminder or ""
        form.version.data = str(prospect.version)
    return form


@bp.get("/prospects/<int:prospect_id>")
@login_required
def prospect(prospect_id: int) -> tuple[str, int]:
    """One prospect: stage, details, contacts, and everything that happened to it."""
    item = services.get_prospect(current_workspace().id, prospect_id)
    return _render(item, NoteForm(), _details_form(item, _names(item.workspace_id)))


@bp.post("/prospects/<int:prospect_id>/notes")
@login_required
def add_note(prospect_id: int) -> Response | tuple[str, int]:
    """Add a note to the prospect's timeline."""
    item = services.get_prospect(current_workspace().id, prospect_id)
    form = NoteForm()
    if not form.validate() or not (form.text.data or "").strip():
        flash("Write something in the note first.", "error")
        return redirect(url_for(".prospect", prospect_id=item.id))
    services.add_note(item, form.text.data or "", signed_in_user().id)
    db.session.commit()
    flash("Note added.", "success")
    return redirect(url_for(".prospect", prospect_id=item.id))


@bp.post("/prospects/<int:prospect_id>/details")
@login_required
def update_details(prospect_id: int) -> Response | tuple[str, int]:
    """Change the prospect's owner, due date and reminder."""
    item = services.get_prospect(current_workspace().id, prospect_id)
    names = _names(item.workspace_id)
    form = _details_form(item, names)
    if not form.validate() or not (form.version.data or "").isdigit():
        return _render(item, NoteForm(), form, 400)
    try:
        changed = services.update_details(
            item,
            owner_id=int(form.owner.data) if form.owner.data else None,
            due_on=form.due_on.data,
            reminder=form.reminder.data,
            expected_version=int(form.version.data or 0),
            actor_id=signed_in_user().id,
            owner_names=names,
        )
    except Conflict as exc:
        flash(str(exc), "error")
        return redirect(url_for(".prospect", prospect_id=prospect_id))
    db.session.commit()
    flash("Details saved." if changed else "Nothing changed.", "success" if changed else "info")
    return redirect(url_for(".prospect", prospect_id=item.id))


@bp.get("/today")
@login_required
def today() -> str:
    """This week's work: replies, follow-ups, reclamations, alerts, bounces, reminders."""
    workspace = current_workspace()
    now = utcnow()
    queue = work_queue(workspace.id, signed_in_user(), now)
    return render_template("pipeline/today.html", queue=queue, today=now.date())
