"""A campaign's sequence: its steps, and starting it for the top prospects or a selection."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace, signed_in_user
from outreach.campaigns.models import Campaign
from outreach.campaigns.services import get_campaign
from outreach.extensions import db
from outreach.pitches import enrolment, library, mailboxes, sequences
from outreach.pitches.forms import EnrollForm, StepForm
from outreach.pitches.views.blueprint import bp
from outreach.prospects.services import prospects_by_id
from outreach.prospects.stages import parse_picks
from outreach.web import safe_next


@bp.route("/campaigns/<int:campaign_id>/sequence", methods=["GET", "POST"])
@login_required
def sequence(campaign_id: int) -> str | Response:
    """A campaign's steps: add one, and start the sequence for the top prospects."""
    workspace = current_workspace()
    campaign = get_campaign(workspace.id, campaign_id)
    form = StepForm()
    form.template_id.choices = [(t.id, t.name) for t in library.templates_of(workspace.id)]
    if form.validate_on_submit():
        template = library.get_template(workspace.id, form.template_id.data or 0)
        sequences.add_step(campaign, template, form.delay_business_days.data or 0)
        db.session.commit()
        flash("Step added.", "success")
        return redirect(url_for(".sequence", campaign_id=campaign.id))
    names = {t.id: t.name for t in library.templates_of(workspace.id)}
    return render_template(
        "pitches/sequence.html",
        campaign=campaign,
        steps=sequences.steps_of(campaign.id),
        names=names,
        form=form,
        enroll_form=enroll_form(workspace.id),
    )


def enroll_form(workspace_id: int) -> EnrollForm:
    """The enrol form, offering the mailboxes the signed-in user may send from."""
    form = EnrollForm()
    own = mailboxes.sendable_by(workspace_id, signed_in_user().id)
    form.mailbox_id.choices = [(m.id, m.from_email) for m in own]
    return form


def _outcome_page(
    campaign: Campaign, outcome: enrolment.EnrolmentOutcome, back: str
) -> str | Response:
    db.session.commit()
    flash(outcome.summary(), "success" if outcome.enrolled else "info")
    return render_template("pitches/enrolment.html", campaign=campaign, outcome=outcome, back=back)


@bp.post("/campaigns/<int:campaign_id>/sequence/enroll")
@login_required
def enroll(campaign_id: int) -> str | Response:
    """Start the sequence for the campaign's top prospects by score."""
    workspace = current_workspace()
    campaign = get_campaign(workspace.id, campaign_id)
    form = enroll_form(workspace.id)
    back = url_for(".sequence", campaign_id=campaign.id)
    if not form.validate_on_submit() or not form.count.data:
        flash("Choose a mailbox and how many prospects (1 to 500).", "error")
        return redirect(back)
    mailbox = mailboxes.get_mailbox(workspace.id, form.mailbox_id.data or 0)
    chosen = enrolment.top_by_score(campaign, form.count.data)
    try:
        outcome = enrolment.enrol_prospects(campaign, chosen, mailbox, signed_in_user().id)
    except sequences.SequenceError as exc:
        flash(str(exc), "error")
        return redirect(back)
    return _outcome_page(campaign, outcome, back)


@bp.post("/campaigns/<int:campaign_id>/sequence/enroll-selected")
@login_required
def enroll_selected(campaign_id: int) -> str | Response:
    """Start the sequence for the prospects ticked on the board or the table."""
    workspace = current_workspace()
    campaign = get_campaign(workspace.id, campaign_id)
    form = enroll_form(workspace.id)
    back = safe_next(request.form.get("next"), url_for(".sequence", campaign_id=campaign.id))
    picks = parse_picks(request.form.getlist("pick"))
    if not form.validate_on_submit() or not picks:
        flash("Tick the prospects to write to, and choose a mailbox.", "error")
        return redirect(back)
    if len(picks) > enrolment.MAX_CHOSEN:
        flash(f"Tick at most {enrolment.MAX_CHOSEN} prospects at a time.", "error")
        return redirect(back)
    mailbox = mailboxes.get_mailbox(workspace.id, form.mailbox_id.data or 0)
    found = prospects_by_id(workspace.id, set(picks))
    chosen = [p for p in found.values() if p.campaign_id == campaign.id]
    try:
        outcome = enrolment.enrol_prospects(
            campaign, sorted(chosen, key=lambda p: p.domain), mailbox, signed_in_user().id
        )
    except sequences.SequenceError as exc:
        flash(str(exc), "error")
        return redirect(back)
    return _outcome_page(campaign, outcome, back)


@bp.post("/pitches/steps/<int:step_id>/delete")
@login_required
def delete_step(step_id: int) -> Response:
    """Remove a step from its sequence."""
    step = sequences.get_step(current_workspace().id, step_id)
    campaign_id = step.campaign_id
    sequences.remove_step(step)
    db.session.commit()
    flash("Step removed.", "success")
    return redirect(url_for(".sequence", campaign_id=campaign_id))
