"""Flask-Login wiring."""

from __future__ import annotations

from flask import Flask

from outreach.accounts.models import User
from outreach.extensions import db, login_manager


def init_login(app: Flask) -> None:
    """Sessions for signed-in users; anonymous visitors are sent to ``/login``."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.is_active else None
