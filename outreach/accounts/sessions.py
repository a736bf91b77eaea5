"""Server-side sign-in sessions: each can be listed and ended. Callers commit.

The browser's cookie carries a random session id; the database keeps only its SHA-256, so a
copy of the database signs nobody in. Every request looks the id up (``auth.py``): a session
that was ended, has expired, or belongs to a disabled user signs nobody in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update

from outreach.accounts.models import UserSession
from outreach.db import utcnow
from outreach.extensions import db

# How stale ``last_seen_at`` may get before a request writes it again (one write a minute at most).
TOUCH_EVERY = timedelta(minutes=1)


def token_hash(token: str) -> str:
    """The stored form of a session id."""
    return hashlib.sha256(token.encode()).hexdigest()


def start(user_id: int, days: float, user_agent: str = "", address: str = "") -> str:
    """A new session for the user; returns the id for the cookie (shown nowhere else)."""
    now = utcnow()
    db.session.execute(
        delete(UserSession).where(UserSession.user_id == user_id, UserSession.expires_at < now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            user_id=user_id,
            token_hash=token_hash(token),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=days),
            user_agent=user_agent[:255],
            address=address[:64],
        )
    )
    db.session.flush()
    return token


def find(token: str | None) -> UserSession | None:
    """The live session with this id, or None (unknown, ended or expired)."""
    if not token or not isinstance(token, str):
        return None
    query = select(UserSession).where(UserSession.token_hash == token_hash(token))
    found = db.session.scalar(query)
    if found is None or found.expires_at <= utcnow():
        return None
    return found


def touch(found: UserSession) -> None:
    """Record that the session was used now (at most once a minute).

    Written in a transaction of its own, on another connection, so that it never commits
    anything the request has pending, whenever the user happens to be loaded.
    """
    now = utcnow()
    if now - found.last_seen_at < TOUCH_EVERY:
        return
    with db.engine.begin() as connection:
        connection.execute(
            update(UserSession).where(UserSession.id == found.id).values(last_seen_at=now)
        )


def end(token: str | None) -> None:
    """End one session (signing out)."""
    if token and isinstance(token, str):
        db.session.execute(delete(UserSession).where(UserSession.token_hash == token_hash(token)))


def end_all(user_id: int, keep: str | None = None) -> int:
    """End every session of the user, except the one whose id is ``keep``; how many ended."""
    query = delete(UserSession).where(UserSession.user_id == user_id)
    if keep:
        query = query.where(UserSession.token_hash != token_hash(keep))
    result = db.session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)


def end_one(user_id: int, session_id: int) -> bool:
    """End one of the user's own sessions by its row id; False if it is not theirs."""
    result = db.session.execute(
        delete(UserSession).where(UserSession.user_id == user_id, UserSession.id == session_id)
    )
    return bool(getattr(result, "rowcount", 0))


def sessions_of(user_id: int) -> list[UserSession]:
    """The user's live sessions, most recently used first."""
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user_id, UserSession.expires_at > utcnow())
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )
