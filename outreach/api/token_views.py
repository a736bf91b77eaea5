"""Your account's API tokens: make one (shown once), see when each was used, revoke it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from outreach.accounts.context import current_workspace, signed_in_user
from outreach.accounts.services import AccountError
from outreach.api import tokens
from outreach.extensions import db

bp = Blueprint("api_tokens", __name__)


class TokenForm(FlaskForm):
    """A name for a new token."""

    name = StringField(
        "What is it for?",
        validators=[InputRequired(), Length(max=tokens.NAME_LIMIT)],
        render_kw={"placeholder": "Looker Studio dashboard"},
    )


class RevokeForm(FlaskForm):
    """The revoke button (CSRF token only)."""


def _page(form: TokenForm, new_token: str | None = None, status: int = 200) -> Response:
    user = signed_in_user()
    response = make_response(
        render_template(
            "api/tokens.html",
            form=form,
            revoke=RevokeForm(),
            tokens=tokens.tokens_of(user.id),
            new_token=new_token,
            workspace=current_workspace(),
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"  # the new token is on this page once
    return response


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@login_required
def index() -> Response:
    """List the tokens; a posted name makes a new one for the current workspace."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400 if form.is_submitted() else 200)
    try:
        _, raw = tokens.create_token(signed_in_user(), current_workspace(), form.name.data or "")
    except AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _page(form, status=400)
    db.session.commit()
    return _page(TokenForm(formdata=None), new_token=raw, status=201)


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Response:
    """Revoke one of your tokens (another user's is a 404)."""
    token = tokens.get_own_token(signed_in_user().id, token_id)
    if token is None:
        abort(404)
    if RevokeForm().validate_on_submit():
        tokens.revoke(token)
        db.session.commit()
        flash(f"Token “{token.name}” revoked.", "success")
    return redirect(url_for(".index"))
