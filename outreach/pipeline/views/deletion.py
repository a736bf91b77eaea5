"""Deleting mailboxes, templates, contacts and campaigns: a confirmation page (GET) that
says what goes with it, then the deletion (POST, with the CSRF token and ``confirm=yes``).

Who may delete: a mailbox, its own user or a workspace owner; templates, contacts and
campaigns, workspace owners. Everything is loaded within the current workspace (404
otherwise). These pages gather several features (the outbox, crawls, imports), hence here.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace, require_owner, signed_in_user
from outreach.campaigns.services import get_campaign
from outreach.extensions import db
from outreach.pipeline import deletion as campaigns
from outreach.pipeline.views.blueprint import bp
from outreach.pitches import deletion, library, mailboxes
from outreach.pitches.deletion import DeletionRefused, Impact
from outreach.prospects.models import Contact
from outreach.scoping import get_in_workspace
from outreach.web import safe_next, shorten


def confirm_page(what: str, name: str, impact: Impact, back: str, **extra: bool) -> str:
    """The page that asks before a deletion and says what goes with it."""
    return render_template(
        "pipeline/confirm_delete.html",
        what=what,
        name=shorten(name, 120),
        impact=impact,
        back=back,
        **extra,
    )


def confirmed() -> bool:
    """A POST from the confirmation page."""
    return request.method == "POST" and request.form.get("confirm") == "yes"


def refused(exc: DeletionRefused, back: str) -> Response:
    """Back to the page the deletion started from, with the reason it was refused."""
    db.session.rollback()
    flash(str(exc), "error")
    return redirect(back)


@bp.route("/pitches/mailboxes/<int:mailbox_id>/delete", methods=["GET", "POST"])
@login_required
def delete_mailbox(mailbox_id: int) -> str | Response:
    """Delete a mailbox (its user, or a workspace owner)."""
    box = mailboxes.get_mailbox(current_workspace().id, mailbox_id)
    if box.user_id != signed_in_user().id:
        require_owner()
    back = url_for("pitches.mailbox_form", mailbox_id=box.id)
    if not confirmed():
        return confirm_page("mailbox", box.from_email, deletion.mailbox_impact(box), back)
    try:
        cancelled = deletion.delete_mailbox(box, signed_in_user().id)
    except DeletionRefused as exc:
        return refused(exc, back)
    db.session.commit()
    flash(f"Mailbox deleted; {cancelled} waiting message(s) cancelled.", "success")
    return redirect(url_for("pitches.mailbox_list"))


@bp.route("/pitches/templates/<int:template_id>/delete", methods=["GET", "POST"])
@login_required
def delete_template(template_id: int) -> str | Response:
    """Delete a template and its versions (workspace owners)."""
    item = library.get_template(current_workspace().id, template_id)
    require_owner()
    back = url_for("pitches.edit_template", template_id=item.id)
    if not confirmed():
        return confirm_page("template", item.name, deletion.template_impact(item), back)
    try:
        deletion.delete_template(item, signed_in_user().id)
    except DeletionRefused as exc:
        return refused(exc, back)
    db.session.commit()
    flash("Template deleted.", "success")
    return redirect(url_for("pitches.templates"))


@bp.route("/contacts/<int:contact_id>/delete", methods=["GET", "POST"])
@login_required
def delete_contact(contact_id: int) -> str | Response:
    """Forget a contact, optionally keeping its address suppressed (workspace owners)."""
    contact = get_in_workspace(Contact, current_workspace().id, contact_id)
    require_owner()
    back = safe_next(request.values.get("next"), url_for("main.home"))
    if not confirmed():
        impact = deletion.contact_impact(contact)
        return confirm_page("contact", contact.email, impact, back, offer_suppression=True)
    try:
        deletion.delete_contact(
            contact, signed_in_user().id, keep_suppressed=request.form.get("suppress") == "yes"
        )
    except DeletionRefused as exc:
        return refused(exc, back)
    db.session.commit()
    flash("Contact deleted.", "success")
    return redirect(back)


@bp.route("/campaigns/<int:campaign_id>/delete", methods=["GET", "POST"])
@login_required
def delete_campaign(campaign_id: int) -> str | Response:
    """Delete a campaign with its prospects, outbox, imports and crawls (workspace owners)."""
    campaign = get_campaign(current_workspace().id, campaign_id)
    require_owner()
    back = url_for("campaigns.edit", campaign_id=campaign.id)
    if not confirmed():
        return confirm_page("campaign", campaign.name, campaigns.campaign_impact(campaign), back)
    try:
        campaigns.delete_campaign(campaign, signed_in_user().id)
    except DeletionRefused as exc:
        return refused(exc, back)
    db.session.commit()
    flash("Campaign deleted.", "success")
    return redirect(url_for("campaigns.index"))
