"""``flask api-token create|list|revoke``: personal API tokens from the command line."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from outreach.accounts.models import User
from outreach.accounts.services import AccountError
from outreach.api import tokens
from outreach.api.models import ApiToken
from outreach.campaigns.cli import workspace_by_name
from outreach.extensions import db

api_token = AppGroup("api-token", help="Create, list and revoke personal API tokens.")


def _user(email: str) -> User:
    user: User | None = db.session.scalar(
        select(User).where(func.lower(User.email) == email.strip().lower())
    )
    if user is None:
        raise click.ClickException(f"No user {email!r}.")
    return user


@api_token.command("create")
@click.argument("email")
@click.option("--workspace", "workspace_name", required=True, help="Workspace name or id.")
@click.option("--name", default="Command line", show_default=True, help="What it is for.")
@click.option("--json", "as_json", is_flag=True, help='Print {"token": "...", "id": N}.')
def create(email: str, workspace_name: str, name: str, as_json: bool) -> None:
    """Make a token acting as EMAIL in a workspace; it is printed once, only its hash is kept."""
    user = _user(email)
    workspace = workspace_by_name(workspace_name)
    try:
        token, raw = tokens.create_token(user, workspace, name)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    if as_json:
        click.echo(json.dumps({"token": raw, "id": token.id}))
    else:
        click.echo(raw)


@api_token.command("list")
@click.argument("email")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_tokens(email: str, as_json: bool) -> None:
    """A user's tokens (never the tokens themselves: only their hashes are kept)."""
    rows = [
        {
            "id": token.id,
            "name": token.name,
            "workspace": token.workspace.name,
            "created_at": token.created_at.isoformat(),
            "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
            "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
        }
        for token in tokens.tokens_of(_user(email).id)
    ]
    if as_json:
        click.echo(json.dumps(rows))
        return
    for row in rows:
        state = "revoked" if row["revoked_at"] else f"last used {row['last_used_at'] or 'never'}"
        click.echo(f"{row['id']}\t{row['workspace']}\t{row['name']}\t{state}")


@api_token.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Stop a token working at once."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"No API token with id {token_id}.")
    changed = tokens.revoke(token)
    db.session.commit()
    click.echo(
        f"Token {token_id} revoked." if changed else f"Token {token_id} was already revoked."
    )
