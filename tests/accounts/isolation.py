"""Builders for the isolation test: a member, an invitation and a session of another workspace."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from outreach.accounts import services, sessions
from outreach.accounts.models import Membership, Role, User, UserSession, Workspace
from outreach.extensions import db
from tests.factories import Factory


def _owner(workspace: Workspace) -> User:
    owner = db.session.scalars(
        select(User).join(Membership).where(Membership.workspace_id == workspace.id)
    ).first()
    assert owner is not None
    return owner


def _member(factory: Factory, workspace: Workspace) -> int:
    user = services.create_user(f"member-{uuid.uuid4().hex}@example.com", Factory.PASSWORD)
    member = Membership(workspace_id=workspace.id, user_id=user.id, role=Role.MEMBER)
    db.session.add(member)
    db.session.commit()
    return member.id


def _invitation(factory: Factory, workspace: Workspace) -> int:
    invitation = services.invite(workspace, "invited@example.com", Role.MEMBER, _owner(workspace))
    db.session.commit()
    return invitation.id


def _session(factory: Factory, workspace: Workspace) -> int:
    """A session of the workspace's owner: another user's session is never yours to end."""
    token = sessions.start(_owner(workspace).id, 1)
    db.session.commit()
    query = select(UserSession.id).where(UserSession.token_hash == sessions.token_hash(token))
    return db.session.scalars(query).one()


BUILDERS = {"member_id": _member, "invitation_id": _invitation, "session_id": _session}
