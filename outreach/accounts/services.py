"""Accounts: sign-up, passwords, workspaces, memberships and invitations. Callers commit."""

from __future__ import annotations

import secrets
from datetime import timedelta

from blinker import Namespace
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager
from werkzeug.security import check_password_hash, generate_password_hash

from outreach.accounts.models import Invitation, Membership, Role, User, Workspace
from outreach.db import utcnow
from outreach.extensions import db

INVITATION_DAYS = 7
MIN_PASSWORD_LENGTH = 10
# The hash an unknown address is checked against: Werkzeug's scrypt at its default cost (as
# hash_password makes) of a random password nobody knows.
STAND_IN_HASH = (
    "scrypt:32768:8:1$5iIwXYYXOyQPnSzz$e00fd2501ad805a1e1af358d5780093936089563456571f9e236d1f"
    "1574081df12b74a6dacdc44924f2b6ab63937e67f17247fea3a8aa975531997bbb46d4fd5"
)
# Sent with each new workspace, in its transaction: features add what a workspace starts with.
workspace_created = Namespace().signal("workspace-created")


class AccountError(ValueError):
    """A request about accounts that cannot be honoured, with a message for the user."""


def normalise_email(email: str) -> str:
    """Trim and lower-case an address for storage and lookup."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    """A scrypt hash of the password (Werkzeug)."""
    return generate_password_hash(password, method="scrypt")


def user_count() -> int:
    """How many users exist (sign-up is open only while there are none)."""
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def find_user(email: str) -> User | None:
    """The user with this address, or None."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The user whose password matches, or None; AccountError for a disabled account.

    An unknown address is checked against a stand-in hash of the same cost, so the answer
    takes as long as for a known one: timing does not tell which accounts exist.
    """
    user = find_user(email)
    matches = check_password_hash(user.password_hash if user else STAND_IN_HASH, password)
    if user is None or not matches:
        return None
    if not user.is_active:
        raise AccountError("This account is disabled: ask your administrator.")
    user.last_login_at = utcnow()
    return user


def create_user(email: str, password: str, name: str = "") -> User:
    """A new user; refuses a taken address or a short password."""
    email = normalise_email(email)
    if find_user(email) is not None:
        raise AccountError(f"An account for {email} already exists.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    user = User(email=email, name=name.strip(), password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user


def create_workspace(owner: User, name: str, site_domain: str = "") -> Workspace:
    """A new workspace owned by ``owner``."""
    workspace = Workspace(name=name.strip(), site_domain=site_domain.strip().lower())
    workspace.memberships.append(Membership(user=owner, role=Role.OWNER))
    db.session.add(workspace)
    db.session.flush()
    workspace_created.send(workspace)
    return workspace


def sign_up_first_user(email: str, password: str, name: str, workspace_name: str) -> User:
    """Create the very first user and their workspace; closed once any user exists."""
    if user_count() > 0:
        raise AccountError("Sign-up is closed: ask a workspace owner for an invitation.")
    user = create_user(email, password, name)
    create_workspace(user, workspace_name)
    return user


def workspaces_of(user: User) -> list[Workspace]:
    """The workspaces a user belongs to, by name."""
    return list(
        db.session.scalars(
            select(Workspace)
            .join(Membership)
            .where(Membership.user_id == user.id)
            .order_by(Workspace.name)
        )
    )


def membership(user_id: int, workspace_id: int) -> Membership | None:
    """The user's membership of that workspace, or None."""
    return db.session.scalar(
        select(Membership).where(
            Membership.user_id == user_id, Membership.workspace_id == workspace_id
        )
    )


def first_membership(user_id: int) -> Membership | None:
    """The user's oldest membership (the workspace they created or first joined), or None."""
    return db.session.scalar(
        select(Membership).where(Membership.user_id == user_id).order_by(Membership.id).limit(1)
    )


def members_of(workspace_id: int) -> list[Membership]:
    """Memberships of a workspace, owners first, each with its user (one query)."""
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.workspace_id == workspace_id)
            .join(User)
            .options(contains_eager(Membership.user))
            .order_by(Membership.role.desc(), User.email)
        )
    )


def invite(
    workspace: Workspace, email: str, role: Role, invited_by: User, days: float = INVITATION_DAYS
) -> Invitation:
    """An invitation with a secret token, valid for ``days`` (``OUTREACH_INVITATION_DAYS``)."""
    email = normalise_email(email)
    existing = find_user(email)
    if existing is not None and membership(existing.id, workspace.id) is not None:
        raise AccountError(f"{email} is already a member of {workspace.name}.")
    invitation = Invitation(
        workspace_id=workspace.id,
        email=email,
        role=role,
        token=secrets.token_urlsafe(32),
        invited_by_id=invited_by.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation


def open_invitation(token: str) -> Invitation | None:
    """An unused, unexpired invitation by token, or None."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
    if invitation is None or invitation.accepted_at is not None:
        return None
    if invitation.expires_at < utcnow():
        return None
    return invitation


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Join the invited workspace with the invited role."""
    if membership(user.id, invitation.workspace_id) is not None:
        raise AccountError("You are already a member of this workspace.")
    member = Membership(workspace_id=invitation.workspace_id, user_id=user.id, role=invitation.role)
    db.session.add(member)
    invitation.accepted_at = utcnow()
    db.session.flush()
    return member
