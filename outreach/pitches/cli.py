"""Pitch commands: ``flask template check``, ``flask outbox send``, ``flask outbox poll``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from outreach.pitches import sandbox

template = click.Group("template", help="Pitch templates.")
outbox_group = click.Group("outbox", help="The outbox: sending and reply polling.")


@template.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check(path: Path, as_json: bool) -> None:
    """Check a template file (subject on the first line, body after) as the editor does."""
    text = path.read_text(encoding="utf-8")
    subject, _, body = text.partition("\n")
    result = sandbox.check_pitch(subject.rstrip("\r"), body)
    if as_json:
        payload = {
            "ok": result.ok,
            "fields": sorted(result.fields),
            "errors": [{"line": p.line, "message": p.message} for p in result.problems],
        }
        click.echo(json.dumps(payload))
    elif result.ok:
        click.echo(f"OK. Merge fields: {', '.join(sorted(result.fields)) or 'none'}")
    else:
        for problem in result.problems:
            click.echo(f"{path}:{problem.line}: {problem.message}", err=True)
    if not result.ok:
        sys.exit(1)


@outbox_group.command("send")
@click.option("--workspace-id", type=int, default=None, help="Only this workspace.")
@with_appcontext
def send(workspace_id: int | None) -> None:
    """Send every due queued message now, in this process (for cron or debugging)."""
    from outreach.pitches.outbox import due_ids
    from outreach.pitches.sending import deliver

    click.echo(json.dumps(deliver(due_ids(workspace_id))))


@outbox_group.command("poll")
@with_appcontext
def poll() -> None:
    """Read every mailbox's new mail over IMAP, recording replies and bounces."""
    from sqlalchemy import select

    from outreach.extensions import db
    from outreach.pitches.imap import poll as poll_one
    from outreach.pitches.models import Mailbox

    for mailbox in db.session.scalars(select(Mailbox).where(Mailbox.imap_host != "")):
        click.echo(f"{mailbox.from_email}: {json.dumps(poll_one(mailbox))}")


COMMANDS: list[click.Command] = [template, outbox_group]
