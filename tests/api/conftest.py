"""API fixtures: a workspace owner with a real token, and a client that sends it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from outreach.accounts.models import Membership, Role, User, Workspace
from outreach.accounts.services import create_user
from outreach.api.tokens import create_token
from outreach.extensions import db
from tests.factories import Factory


@dataclass
class Caller:
    """A user with a token for one workspace."""

    user: User
    workspace: Workspace
    token: str
    token_id: int

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header."""
        return {"Authorization": f"Bearer {self.token}"}


class Api:
    """The test client, sending a token (and JSON) on each call."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def call(self, method: str, path: str, who: Caller | None, **kwargs: Any) -> TestResponse:
        """One request as ``who`` (None: without a token)."""
        headers = dict(kwargs.pop("headers", {}))
        if who is not None:
            headers.update(who.headers)
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, who: Caller | None, **kwargs: Any) -> TestResponse:
        """GET as ``who``."""
        return self.call("GET", path, who, **kwargs)

    def post(self, path: str, who: Caller | None, **kwargs: Any) -> TestResponse:
        """POST as ``who``."""
        return self.call("POST", path, who, **kwargs)


def token_for(user: User, workspace: Workspace, name: str = "tests") -> Caller:
    """A fresh token of ``user`` in ``workspace``."""
    token, raw = create_token(user, workspace, name)
    db.session.commit()
    return Caller(user, workspace, raw, token.id)


@pytest.fixture
def api(client: FlaskClient) -> Api:
    """Calls with a bearer token."""
    return Api(client)


@pytest.fixture
def owner(factory: Factory) -> Caller:
    """The owner of workspace Acme, with a token."""
    user, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    return token_for(user, workspace)


@pytest.fixture
def member(owner: Caller) -> Caller:
    """A plain member of the owner's workspace, with a token."""
    user = create_user("member@example.com", Factory.PASSWORD, "Member")
    db.session.add(Membership(workspace_id=owner.workspace.id, user_id=user.id, role=Role.MEMBER))
    db.session.commit()
    return token_for(user, owner.workspace)


@pytest.fixture
def stranger(factory: Factory) -> Caller:
    """The owner of another workspace, with a token."""
    user, workspace = factory.user_with_workspace("stranger@example.com", "Elsewhere")
    return token_for(user, workspace)
