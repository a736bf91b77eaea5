"""Builders for test data; every builder commits so other processes see the rows."""

from __future__ import annotations

from typing import Any, Protocol

from flask import Flask

from outreach.accounts import services as accounts
from outreach.accounts.models import User, Workspace
from outreach.campaigns.models import Campaign
from outreach.campaigns.services import create_campaign
from outreach.extensions import db


class SignIn(Protocol):
    """The ``auth`` fixture: sign in as a fresh owner of a fresh workspace."""

    def __call__(self, email: str = ..., workspace: str = ...) -> tuple[User, Workspace]:
        """Create the user and the workspace, sign in, and return both."""
        ...


class Factory:
    """Creates users, workspaces and campaigns in the test app's database."""

    PASSWORD = "correct horse battery"

    def __init__(self, app: Flask) -> None:
        self.app = app

    def user_with_workspace(self, email: str, workspace: str) -> tuple[User, Workspace]:
        """A user owning a new workspace."""
        user = accounts.create_user(email, self.PASSWORD, email.split("@")[0].title())
        space = accounts.create_workspace(user, workspace, f"{workspace.lower()}.example")
        db.session.commit()
        return user, space

    def campaign(self, workspace: Workspace, **fields: Any) -> Campaign:
        """A campaign with defaults for anything not given."""
        fields.setdefault("name", "Spring guest posts")
        fields.setdefault("site_domain", workspace.site_domain or "ours.example")
        fields.setdefault("competitors", ["rival-one.com", "rival-two.com"])
        campaign = create_campaign(workspace.id, **fields)
        db.session.commit()
        return campaign
