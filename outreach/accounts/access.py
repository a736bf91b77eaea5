"""Owners manage who is in a workspace; users manage their own password. Callers commit.

Every change is scoped to the workspace passed in (a member or invitation of another
workspace is a 404), a workspace always keeps an owner, and anyone who loses access has
their sessions ended at once.
"""

from __future__ import annotations

from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from outreach.accounts import sessions
from outreach.accounts.models import Invitation, Membership, Role, User, Workspace
from outreach.accounts.services import MIN_PASSWORD_LENGTH, AccountError, hash_password
from outreach.extensions import db
from outreach.scoping import get_in_workspace


def member_of(workspace: Workspace, member_id: int) -> Membership:
    """One membership of the workspace; 404 otherwise."""
    return get_in_workspace(Membership, workspace.id, member_id)


def _owners(workspace: Workspace) -> int:
    query = select(func.count()).where(
        Membership.workspace_id == workspace.id, Membership.role == Role.OWNER
    )
    return int(db.session.scalar(query) or 0)


def remove_member(workspace: Workspace, member: Membership, by: User) -> str:
    """Take someone out of the workspace and end their sessions; returns their address."""
    if member.user_id == by.id:
        raise AccountError("You cannot remove yourself: make someone else owner first.")
    if member.role is Role.OWNER and _owners(workspace) <= 1:
        raise AccountError("A workspace needs an owner.")
    email = member.user.email
    sessions.end_all(member.user_id)
    db.session.delete(member)
    db.session.flush()
    return email


def change_role(workspace: Workspace, member: Membership, role: Role) -> None:
    """Make a member an owner or an owner a member; the last owner stays one."""
    if member.role is Role.OWNER and role is not Role.OWNER and _owners(workspace) <= 1:
        raise AccountError("A workspace needs an owner: make someone else owner first.")
    member.role = role
    db.session.flush()


def transfer_ownership(workspace: Workspace, member: Membership, by: Membership) -> None:
    """Hand the workspace to another member: they become owner, ``by`` becomes a member."""
    if member.id == by.id:
        raise AccountError("You already own this workspace.")
    member.role = Role.OWNER
    by.role = Role.MEMBER
    db.session.flush()


def pending_invitations(workspace: Workspace) -> list[Invitation]:
    """Invitations not yet accepted (expired ones included, so they can be cleared)."""
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.workspace_id == workspace.id, Invitation.accepted_at.is_(None))
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def revoke_invitation(workspace: Workspace, invitation_id: int) -> str:
    """Withdraw a pending invitation (its link stops working); returns its address."""
    invitation = get_in_workspace(Invitation, workspace.id, invitation_id)
    if invitation.accepted_at is not None:
        raise AccountError("That invitation was already accepted: remove the member instead.")
    email = invitation.email
    db.session.delete(invitation)
    db.session.flush()
    return email


def change_password(user: User, current: str, new: str, keep_session: str | None) -> int:
    """Set a new password (the current one required); ends every other session, counted."""
    if not check_password_hash(user.password_hash, current):
        raise AccountError("The current password is not right.")
    set_password(user, new)
    return sessions.end_all(user.id, keep=keep_session)


def set_password(user: User, new: str) -> None:
    """Store a new password (no check of the old one: operators and resets only)."""
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    user.password_hash = hash_password(new)
    db.session.flush()


def set_active(user: User, active: bool) -> int:
    """Disable (ending every session, counted) or enable an account."""
    user.is_active_account = active
    ended = 0 if active else sessions.end_all(user.id)
    db.session.flush()
    return ended
