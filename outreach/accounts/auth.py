"""Flask-Login wiring: each signed-in browser is a server-side session (``sessions.py``).

The cookie (Flask's signed session) carries the session's random id; the user loader looks
it up on every request, so signing out, a password change, a removal or a disabled account
takes effect on the next request, and ``SECRET_KEY`` never has to change to end a session.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, g, request, session
from flask_login import login_user, logout_user

from outreach.accounts import sessions
from outreach.accounts.models import User
from outreach.config import Settings
from outreach.extensions import db, login_manager

SESSION_KEY = "sid"


def init_login(app: Flask) -> None:
    """Sessions for signed-in users; anonymous visitors are sent to ``/login``."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    # The signed cookie itself expires with the server-side session.
    days = Settings.from_config(app.config).session_days
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=days)
    login_manager.user_loader(load_user)
    app.before_request(_forget_cached_user)


def _forget_cached_user() -> None:
    """Check the session afresh on every request, even in an app context that outlives one."""
    g.pop("_login_user", None)


def load_user(user_id: str) -> User | None:
    """The user of this request's session, if the session is live and the account active."""
    found = sessions.find(session.get(SESSION_KEY))
    if found is None or str(found.user_id) != user_id or not found.user.is_active:
        return None
    sessions.touch(found)
    return found.user


def current_token() -> str | None:
    """This browser's session id (to keep it when ending the others)."""
    token = session.get(SESSION_KEY)
    return token if isinstance(token, str) else None


def sign_in(user: User) -> None:
    """Start a new server-side session for ``user`` in this browser and commit it.

    Whatever the browser's cookie held before is dropped (and its session ended), so a
    session id planted or copied before sign-in is never the signed-in one.
    """
    sessions.end(current_token())
    session.clear()
    token = sessions.start(
        user.id,
        Settings.from_config(current_app.config).session_days,
        user_agent=request.headers.get("User-Agent", ""),
        address=request.remote_addr or "",
    )
    db.session.commit()
    session[SESSION_KEY] = token
    login_user(user)


def sign_out() -> None:
    """End this browser's session on the server, then forget it in the cookie."""
    sessions.end(current_token())
    db.session.commit()
    logout_user()
    session.clear()
