"""Sign-in, sign-up, invitations, members and workspace switching."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from outreach.accounts import access, manage_views, profile_views, services, throttle
from outreach.accounts.auth import sign_in, sign_out
from outreach.accounts.context import (
    current_membership,
    current_workspace,
    require_owner,
    signed_in_user,
    switch_workspace,
)
from outreach.accounts.forms import (
    AcceptInvitationForm,
    ActionForm,
    InviteForm,
    JoinForm,
    LoginForm,
    RoleForm,
    SignupForm,
    WorkspaceForm,
)
from outreach.accounts.models import Role
from outreach.activity.services import record
from outreach.config import Settings
from outreach.db import utcnow
from outreach.extensions import db
from outreach.web import safe_next

bp = Blueprint("accounts", __name__)
bp.register_blueprint(manage_views.bp)
bp.register_blueprint(profile_views.bp)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Sign in with e-mail and password."""
    if services.user_count() == 0:
        return redirect(url_for(".signup"))
    form = LoginForm()
    if form.validate_on_submit():
        email, password = form.email.data or "", form.password.data or ""
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        lockout = throttle.attempt(app, email, request.remote_addr or "")
        if lockout is not None:
            flash(lockout.message, "error")
            page = render_template("accounts/login.html", form=form)
            return Response(page, 429, {"Retry-After": str(lockout.seconds)})
        try:
            user = services.authenticate(email, password)
        except services.AccountError as exc:
            flash(str(exc), "error")
        else:
            if user is not None:
                db.session.commit()
                throttle.succeeded(app, email)
                sign_in(user)
                return redirect(safe_next(request.args.get("next"), url_for("main.home")))
            flash("Wrong e-mail or password.", "error")
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Sign out."""
    sign_out()
    flash("Signed out.", "info")
    return redirect(url_for(".login"))


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> str | Response:
    """Create the first account and its workspace (closed afterwards)."""
    if services.user_count() > 0:
        flash("Sign-up is closed: ask a workspace owner for an invitation.", "info")
        return redirect(url_for(".login"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = services.sign_up_first_user(
                form.email.data or "",
                form.password.data or "",
                form.name.data or "",
                form.workspace.data or "",
            )
        except services.AccountError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            sign_in(user)
            flash("Welcome to Outreach.", "success")
            return redirect(url_for("main.home"))
    return render_template("accounts/signup.html", form=form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept(token: str) -> str | Response:
    """Join a workspace from an invitation link, creating an account if needed."""
    invitation = services.open_invitation(token)
    if invitation is None:
        abort(404)
    existing = services.find_user(invitation.email)
    if existing is not None:  # only that account, signed in, joins (with a POST)
        if not current_user.is_authenticated or current_user.id != existing.id:
            if request.method == "POST":
                abort(403)
            login_url = url_for(".login", next=request.path)
            return render_template(
                "accounts/accept.html", invitation=invitation, sign_in_first=login_url
            )
        join = JoinForm()
        if join.validate_on_submit():
            try:
                services.accept_invitation(invitation, existing)
            except services.AccountError as exc:
                flash(str(exc), "info")
                return redirect(url_for("main.home"))
            db.session.commit()
            # Current in this browser now, as they asked; never their default workspace.
            workspace = switch_workspace(invitation.workspace_id, remember=False)
            flash(f"You joined {workspace.name}.", "success")
            return redirect(url_for("main.home"))
        return render_template("accounts/accept.html", form=join, invitation=invitation, join=True)
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        user = services.create_user(
            invitation.email, form.password.data or "", form.name.data or ""
        )
        services.accept_invitation(invitation, user)
        db.session.commit()
        sign_in(user)
        flash("Welcome to Outreach.", "success")
        return redirect(url_for("main.home"))
    return render_template("accounts/accept.html", form=form, invitation=invitation)


@bp.route("/workspace/members", methods=["GET", "POST"])
@login_required
def members() -> str | Response:
    """The workspace's members, and invitations for owners."""
    workspace = current_workspace()
    form = InviteForm()
    invitation_url = None
    if form.validate_on_submit():
        require_owner()
        try:
            invitation = services.invite(
                workspace,
                form.email.data or "",
                Role(form.role.data),
                signed_in_user(),
                days=Settings.from_config(current_app.config).invitation_days,
            )
        except services.AccountError as exc:
            flash(str(exc), "error")
        else:
            record(
                workspace.id,
                "workspace",
                workspace.id,
                "member_invited",
                {"email": invitation.email},
            )
            db.session.commit()
            invitation_url = url_for(".accept", token=invitation.token, _external=True)
            flash(
                f"Invitation for {invitation.email} created: send them the link below.", "success"
            )
    is_owner = current_membership().role is Role.OWNER
    return render_template(
        "accounts/members.html",
        members=services.members_of(workspace.id),
        invitations=access.pending_invitations(workspace) if is_owner else [],
        form=form,
        action=ActionForm(),
        role_form=RoleForm(),
        invitation_url=invitation_url,
        invitation_days=Settings.from_config(current_app.config).invitation_days,
        is_owner=is_owner,
        me=current_membership(),
        now=utcnow(),
    )


@bp.route("/workspace/settings", methods=["GET", "POST"])
@login_required
def settings() -> str | Response:
    """Name, site domain, brand names and postal address of the workspace (owners only)."""
    workspace = current_workspace()
    require_owner()
    form = WorkspaceForm(obj=workspace)
    if request.method == "GET":
        form.brand_names.data = ", ".join(workspace.brand_names or [])
    if form.validate_on_submit():
        workspace.name = (form.name.data or "").strip()
        workspace.site_domain = (form.site_domain.data or "").strip().lower()
        workspace.brand_names = [
            b.strip() for b in (form.brand_names.data or "").split(",") if b.strip()
        ]
        workspace.postal_address = form.postal_address.data or ""
        record(workspace.id, "workspace", workspace.id, "settings_changed", {})
        db.session.commit()
        flash("Workspace saved.", "success")
        return redirect(url_for(".settings"))
    return render_template("accounts/settings.html", form=form)


@bp.route("/workspaces/new", methods=["GET", "POST"])
@login_required
def new_workspace() -> str | Response:
    """Create another workspace (for another brand or client)."""
    form = WorkspaceForm()
    if form.validate_on_submit():
        workspace = services.create_workspace(
            signed_in_user(), form.name.data or "", form.site_domain.data or ""
        )
        switch_workspace(workspace.id)
        db.session.commit()
        flash(f"Workspace {workspace.name} created.", "success")
        return redirect(url_for("main.home"))
    return render_template("accounts/new_workspace.html", form=form)


@bp.post("/workspaces/<int:workspace_id>/switch")
@login_required
def switch(workspace_id: int) -> Response:
    """Make another of your workspaces the current one."""
    workspace = switch_workspace(workspace_id)
    db.session.commit()
    flash(f"Now working in {workspace.name}.", "info")
    return redirect(url_for("main.home"))
