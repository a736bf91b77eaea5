"""``flask create-user``."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from outreach.accounts import services
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
