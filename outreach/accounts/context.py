"""The signed-in user's current workspace, checked on every request."""

from __future__ import annotations

from typing import Any

from flask import abort, g, request, session
from flask_login import current_user

from outreach.accounts.models import Membership, Role, User, Workspace
from outreach.accounts.services import first_membership, membership
from outreach.extensions import db
from outreach.web import timezone_named

TIMEZONE_COOKIE = "tz"  # the browser's IANA time zone, set by static/js/timezone.js


def load_current_workspace() -> None:
    """Before each request: pick the session's workspace if the user still belongs to it.

    Also the time zone pages show times in: the user's choice, else their browser's (the
    ``tz`` cookie static/js/timezone.js sets), else UTC.
    """
    g.workspace = None
    g.membership = None
    g.timezone = timezone_named(request.cookies.get(TIMEZONE_COOKIE))
    if not current_user.is_authenticated:
        return
    g.timezone = timezone_named(current_user.timezone) or g.timezone
    wanted = session.get("workspace_id")
    member = membership(current_user.id, wanted) if wanted else None
    if member is None and current_user.last_workspace_id:  # a new session: where they left off
        member = membership(current_user.id, current_user.last_workspace_id)
    if member is None:
        # The workspace the user has belonged to longest (one they opened themselves), never
        # the first by name: a name is chosen by whoever invited them.
        member = first_membership(current_user.id)
        if member is None:
            return
    session["workspace_id"] = member.workspace_id
    g.membership = member
    g.workspace = db.session.get(Workspace, member.workspace_id) if member else None


def current_workspace() -> Workspace:
    """The workspace the request acts in; 404 when the user has none."""
    workspace: Workspace | None = g.get("workspace")
    if workspace is None:
        abort(404)
    return workspace


def current_membership() -> Membership:
    """The signed-in user's membership of the current workspace."""
    member: Membership | None = g.get("membership")
    if member is None:
        abort(404)
    return member


def require_owner() -> None:
    """403 unless the signed-in user owns the current workspace."""
    if current_membership().role is not Role.OWNER:
        abort(403)


def signed_in_user() -> User:
    """The signed-in user as a model (for type checkers; views are behind login_required)."""
    user: Any = current_user
    return user._get_current_object()  # type: ignore[no-any-return]


def switch_workspace(workspace_id: int, remember: bool = True) -> Workspace:
    """Make another of the user's workspaces current; 404 if they are not a member.

    With ``remember``, the next sign-in lands there too. Callers commit.
    """
    member = membership(current_user.id, workspace_id)
    if member is None:
        abort(404)
    session["workspace_id"] = workspace_id
    if remember:
        signed_in_user().last_workspace_id = workspace_id
    workspace = db.session.get(Workspace, workspace_id)
    assert workspace is not None
    return workspace


def open_other_workspace(workspace_id: int) -> Workspace | None:
    """Switch to another workspace of the signed-in user that a link pointed into, if theirs.

    Callers commit. None (and nothing changes) when the user is not a member.
    """
    if not current_user.is_authenticated or membership(current_user.id, workspace_id) is None:
        return None
    return switch_workspace(workspace_id)
