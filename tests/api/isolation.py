"""Builders for the isolation tests: an API token of another workspace's owner."""

from __future__ import annotations

from sqlalchemy import select

from outreach.accounts.models import Membership, User, Workspace
from outreach.api.tokens import create_token
from outreach.extensions import db
from tests.factories import Factory


def _token(factory: Factory, workspace: Workspace) -> int:
    owner = db.session.scalars(
        select(User).join(Membership).where(Membership.workspace_id == workspace.id)
    ).first()
    assert owner is not None
    token, _ = create_token(owner, workspace, "theirs")
    db.session.commit()
    return token.id


BUILDERS = {"token_id": _token}
