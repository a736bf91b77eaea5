"""Personal API tokens: made, listed, revoked, and checked on each API call. Callers commit.

A token is ``otk_`` plus 43 random URL-safe characters (256 bits); the prefix makes a leaked
token easy to recognise (secret scanners, logs). Only its SHA-256 is stored, so the table
cannot be used to call the API. A token acts as its user in its workspace, with the role the
user has there *now*: a removed member's or a disabled account's tokens stop working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from outreach.accounts.models import Membership, User, Workspace
from outreach.accounts.services import AccountError, membership
from outreach.api.models import ApiToken
from outreach.db import utcnow
from outreach.extensions import db

PREFIX = "otk_"
NAME_LIMIT = 120
# last_used_at is written at most once a minute per token, not on every call.
TOUCH_EVERY = timedelta(minutes=1)


def token_hash(raw: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class Caller:
    """Who an API call acts as: the token, its user and their membership of its workspace."""

    token: ApiToken
    user: User
    membership: Membership

    @property
    def workspace(self) -> Workspace:
        """The token's workspace."""
        return self.membership.workspace


def create_token(user: User, workspace: Workspace, name: str) -> tuple[ApiToken, str]:
    """A new token for a member of the workspace; returns the row and the token (shown once)."""
    if membership(user.id, workspace.id) is None:
        raise AccountError(f"{user.email} is not a member of {workspace.name}.")
    if not user.is_active:
        raise AccountError(f"{user.email} is disabled.")
    name = " ".join(name.split())[:NAME_LIMIT] or "API token"
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, workspace_id=workspace.id, name=name, token_hash=token_hash(raw)
    )
    db.session.add(token)
    db.session.flush()
    return token, raw


def tokens_of(user_id: int, workspace_id: int | None = None) -> list[ApiToken]:
    """A user's tokens (of one workspace, or all), newest first, revoked ones included."""
    query = select(ApiToken).where(ApiToken.user_id == user_id)
    if workspace_id is not None:
        query = query.where(ApiToken.workspace_id == workspace_id)
    return list(db.session.scalars(query.order_by(ApiToken.id.desc())))


def get_own_token(user_id: int, token_id: int) -> ApiToken | None:
    """One of the user's tokens, or None (another user's token is None too)."""
    token = db.session.get(ApiToken, token_id)
    return token if token is not None and token.user_id == user_id else None


def revoke(token: ApiToken) -> bool:
    """Stop a token working; False when it was already revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.flush()
    return True


def authenticate(raw: str) -> Caller | None:
    """The caller a presented token stands for, or None (unknown, revoked, disabled, removed).

    Marks the token used (at most once per :data:`TOUCH_EVERY`); the caller commits.
    """
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(raw)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    member = membership(token.user_id, token.workspace_id)
    if member is None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
    return Caller(token, token.user, member)
