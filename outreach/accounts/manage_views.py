"""Owners manage access: remove members, change roles, hand over ownership, revoke invitations."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from outreach.accounts import access
from outreach.accounts.context import current_membership, current_workspace, require_owner
from outreach.accounts.forms import ActionForm, RoleForm
from outreach.accounts.models import Role
from outreach.accounts.services import AccountError
from outreach.activity.services import record
from outreach.extensions import db

bp = Blueprint("manage", __name__)


def _done(action: str, detail: dict[str, str], message: str) -> Response:
    workspace = current_workspace()
    record(workspace.id, "workspace", workspace.id, action, detail)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("accounts.members"))


def _refused(exc: AccountError) -> Response:
    db.session.rollback()
    flash(str(exc), "error")
    return redirect(url_for("accounts.members"))


@bp.post("/workspace/members/<int:member_id>/remove")
@login_required
def remove(member_id: int) -> Response:
    """Take a member out of the workspace; their sessions end at once."""
    workspace = current_workspace()
    member = access.member_of(workspace, member_id)
    require_owner()
    if not ActionForm().validate_on_submit():
        return redirect(url_for("accounts.members"))
    try:
        email = access.remove_member(workspace, member, current_membership().user)
    except AccountError as exc:
        return _refused(exc)
    return _done("member_removed", {"email": email}, "Member removed; their sessions ended.")


@bp.post("/workspace/members/<int:member_id>/role")
@login_required
def change_role(member_id: int) -> Response:
    """Make a member an owner, or an owner a member."""
    workspace = current_workspace()
    member = access.member_of(workspace, member_id)
    require_owner()
    form = RoleForm()
    if not form.validate_on_submit():
        return redirect(url_for("accounts.members"))
    try:
        access.change_role(workspace, member, Role(form.role.data))
    except AccountError as exc:
        return _refused(exc)
    detail = {"email": member.user.email, "role": member.role.value}
    return _done("member_role_changed", detail, "Role changed.")


@bp.post("/workspace/members/<int:member_id>/transfer")
@login_required
def transfer(member_id: int) -> Response:
    """Hand ownership to another member; you stay on as a member."""
    workspace = current_workspace()
    member = access.member_of(workspace, member_id)
    require_owner()
    if not ActionForm().validate_on_submit():
        return redirect(url_for("accounts.members"))
    try:
        access.transfer_ownership(workspace, member, current_membership())
    except AccountError as exc:
        return _refused(exc)
    detail = {"email": member.user.email}
    return _done("ownership_transferred", detail, "Ownership handed over.")


@bp.post("/workspace/invitations/<int:invitation_id>/revoke")
@login_required
def revoke(invitation_id: int) -> Response:
    """Withdraw a pending invitation: its link stops working."""
    workspace = current_workspace()
    require_owner()
    if not ActionForm().validate_on_submit():
        return redirect(url_for("accounts.members"))
    try:
        email = access.revoke_invitation(workspace, invitation_id)
    except AccountError as exc:
        return _refused(exc)
    return _done("invitation_revoked", {"email": email}, "Invitation revoked.")
