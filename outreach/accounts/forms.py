"""Forms for signing in, signing up, invitations and workspace settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional

from outreach.accounts.services import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    """E-mail and password (no format check: a wrong address simply fails to sign in)."""

    email = EmailField("E-mail", validators=[InputRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[InputRequired()])


class PasswordFields(FlaskForm):
    """A new password typed twice."""

    password = PasswordField(
        "Password", validators=[InputRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )
    confirm = PasswordField(
        "Repeat password", validators=[InputRequired(), EqualTo("password", "Passwords differ.")]
    )


class SignupForm(PasswordFields):
    """The first user and their workspace."""

    name = StringField("Your name", validators=[Optional(), Length(max=120)])
    email = EmailField("E-mail", validators=[InputRequired(), Email(check_deliverability=False)])
    workspace = StringField(
        "Workspace (your brand or client)", validators=[InputRequired(), Length(max=120)]
    )


class AcceptInvitationForm(PasswordFields):
    """A new account created from an invitation."""

    name = StringField("Your name", validators=[Optional(), Length(max=120)])


class JoinForm(FlaskForm):
    """Accept an invitation with an existing account (CSRF token only)."""


class InviteForm(FlaskForm):
    """Invite someone to the current workspace."""

    email = EmailField("E-mail", validators=[InputRequired(), Email(check_deliverability=False)])
    role = SelectField(
        "Role", choices=[SelectChoice("member", "Member"), SelectChoice("owner", "Owner")]
    )


class WorkspaceForm(FlaskForm):
    """A workspace's name, site and brand."""

    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    site_domain = StringField("Site domain", validators=[Optional(), Length(max=255)])
    brand_names = StringField(
        "Brand names (comma-separated)", validators=[Optional(), Length(max=500)]
    )
    postal_address = TextAreaField("Postal address for e-mail footers", validators=[Optional()])


class ActionForm(FlaskForm):
    """A one-button form (remove, revoke, transfer, sign out elsewhere): the CSRF token only."""


class RoleForm(FlaskForm):
    """A member's new role."""

    role = SelectField(
        "Role", choices=[SelectChoice("member", "Member"), SelectChoice("owner", "Owner")]
    )


class ChangePasswordForm(PasswordFields):
    """A new password, with the current one."""

    current = PasswordField("Current password", validators=[InputRequired(), Length(max=200)])


class TimezoneForm(FlaskForm):
    """The time zone pages show times in; empty follows the browser."""

    timezone = SelectField("Time zone", validators=[Optional()])
