"""``flask create-user`` and ``flask user disable|enable|reset-password``."""

from __future__ import annotations

import secrets
import sys

import click
from flask.cli import with_appcontext

from outreach.accounts import access, services, sessions
from outreach.accounts.models import User
from outreach.extensions import db


@click.command("create-user")
@click.argument("email")
@click.option("--workspace", "workspace_name", required=True, help="Workspace to create and own.")
@click.option("--name", default="", help="The person's name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user(email: str, workspace_name: str, name: str, password_stdin: bool) -> None:
    """Create a user who owns a new workspace (password from a prompt or stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_user(email, password, name)
        workspace = services.create_workspace(user, workspace_name)
    except services.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.email}, owner of workspace {workspace.name!r} (id {workspace.id}).")


@click.group("user")
def user() -> None:
    """Disable, enable or reset the password of an account (operators)."""


def _user(email: str) -> User:
    found = services.find_user(email)
    if found is None:
        raise click.ClickException(f"No account for {email}.")
    return found


@user.command("disable")
@click.argument("email")
@with_appcontext
def disable(email: str) -> None:
    """Stop an account signing in, and end its sessions now."""
    account = _user(email)
    ended = access.set_active(account, False)
    db.session.commit()
    click.echo(f"Disabled {account.email}; {ended} session(s) ended.")


@user.command("enable")
@click.argument("email")
@with_appcontext
def enable(email: str) -> None:
    """Let a disabled account sign in again."""
    account = _user(email)
    access.set_active(account, True)
    db.session.commit()
    click.echo(f"Enabled {account.email}.")


@user.command("reset-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@with_appcontext
def reset_password(email: str, password_stdin: bool) -> None:
    """Set a new password and end every session; without --password-stdin, print a random one."""
    account = _user(email)
    generated = not password_stdin
    password = secrets.token_urlsafe(15) if generated else sys.stdin.readline().rstrip("\r\n")
    try:
        access.set_password(account, password)
    except services.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    ended = sessions.end_all(account.id)
    db.session.commit()
    click.echo(f"New password set for {account.email}; {ended} session(s) ended.")
    if generated:
        click.echo(f"One-time password (give it to them; they change it under Account): {password}")
