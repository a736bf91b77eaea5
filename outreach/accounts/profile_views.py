"""Your account: change your password, see where you are signed in, sign out elsewhere."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from outreach.accounts import access, sessions, throttle
from outreach.accounts.auth import current_token
from outreach.accounts.context import TIMEZONE_COOKIE, signed_in_user
from outreach.accounts.forms import ActionForm, ChangePasswordForm, TimezoneForm
from outreach.accounts.services import AccountError
from outreach.extensions import db
from outreach.web import known_timezones

bp = Blueprint("profile", __name__)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> str | Response:
    """Change your password (the current one required); it signs you out everywhere else."""
    user = signed_in_user()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        lockout = throttle.attempt(app, user.email, request.remote_addr or "")
        if lockout is not None:
            flash(lockout.message, "error")
            return redirect(url_for(".account"))
        try:
            ended = access.change_password(
                user, form.current.data or "", form.password.data or "", current_token()
            )
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            throttle.succeeded(app, user.email)
            flash(f"Password changed; {ended} other session(s) signed out.", "success")
            return redirect(url_for(".account"))
    token = current_token()
    return render_template(
        "accounts/account.html",
        form=form,
        zone_form=_timezone_form(user.timezone),
        action=ActionForm(),
        sessions=sessions.sessions_of(user.id),
        current_hash=sessions.token_hash(token) if token else "",
    )


def _timezone_form(current: str | None) -> TimezoneForm:
    form = TimezoneForm(timezone=current or "")
    browser = request.cookies.get(TIMEZONE_COOKIE) or "unknown"
    form.timezone.choices = [("", f"Follow this browser ({browser})")] + [
        (name, name.replace("_", " ")) for name in sorted(known_timezones())
    ]
    return form


@bp.post("/account/timezone")
@login_required
def set_timezone() -> Response:
    """Choose the time zone pages show times in, or follow the browser's."""
    user = signed_in_user()
    form = _timezone_form(user.timezone)
    if form.validate_on_submit():
        user.timezone = form.timezone.data or None
        db.session.commit()
        zone = user.timezone or "your browser's time zone"
        flash(f"Times now show in {zone}.", "success")
    else:
        flash("Choose a time zone from the list.", "error")
    return redirect(url_for(".account"))


@bp.post("/account/sessions/end-others")
@login_required
def end_others() -> Response:
    """Sign out every other browser."""
    if ActionForm().validate_on_submit():
        ended = sessions.end_all(signed_in_user().id, keep=current_token())
        db.session.commit()
        flash(f"{ended} other session(s) signed out.", "success")
    return redirect(url_for(".account"))


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_one(session_id: int) -> Response:
    """Sign out one browser (yours only: another user's session is a 404)."""
    if not sessions.end_one(signed_in_user().id, session_id):
        abort(404)
    db.session.commit()
    flash("Session signed out.", "success")
    return redirect(url_for(".account"))
