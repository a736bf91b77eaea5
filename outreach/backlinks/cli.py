"""``flask import-backlinks FILE --campaign ID``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from outreach.backlinks import imports
from outreach.backlinks.jobs import import_finished
from outreach.backlinks.loader import LoadResult
from outreach.backlinks.models import BacklinkImport, ImportStatus
from outreach.campaigns.models import Campaign
from outreach.extensions import db


@click.command("import-backlinks")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--campaign", "campaign_id", required=True, type=int, help="Campaign id.")
@click.option("--target", default=None, help="Whose links, for files without target URLs.")
@click.option(
    "--mark-lost",
    is_flag=True,
    help="Mark vanished links lost even when they are more than half of a target's links.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
@with_appcontext
def import_backlinks(
    file: Path, campaign_id: int, target: str | None, mark_lost: bool, as_json: bool
) -> None:
    """Import a backlink export into a campaign (all rows or none), as the upload page does.

    Links missing from the file are marked lost only when every row was read; when they
    are more than half of a target's links, only with --mark-lost.
    """
    campaign = db.session.scalar(select(Campaign).where(Campaign.id == campaign_id))
    if campaign is None:
        raise click.ClickException(f"No campaign with id {campaign_id}.")
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    size = file.stat().st_size
    if limit and size > limit:
        raise click.ClickException(
            f"{file.name} is {size / 2**20:,.0f} MB, above the {limit / 2**20:,.0f} MB upload "
            "limit (OUTREACH_MAX_UPLOAD_MB)."
        )
    try:
        item = imports.create_import(campaign, file, file.name, target)
    except imports.ImportRefused as exc:
        raise click.ClickException(f"{file.name}: {exc}") from exc
    if item.status is ImportStatus.NEEDS_MAPPING:
        what = "unknown columns"
        if not imports.sniff_file(file).has_header:
            what = "no header row (its first row holds data)"
        raise click.ClickException(
            f"{file.name}: {what}; map its columns once in the browser (Import backlinks), "
            "then files of this shape import here too."
        )
    db.session.commit()
    bar = None
    if sys.stderr.isatty() and not as_json:
        bar = click.progressbar(length=size, label="Importing", file=sys.stderr)
        bar.__enter__()

    def progress(result: LoadResult) -> None:
        if bar is not None:
            bar.update(result.bytes_read - bar.pos)

    try:
        imports.run_import(item, campaign, progress=progress, mark_lost=mark_lost)
    except imports.ImportRefused as exc:
        db.session.rollback()
        _record_failure(item.id, str(exc))
        raise click.ClickException(f"{file.name}: {exc} Nothing was imported.") from exc
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    import_finished.send(item)  # as the upload's job does: scoring queues a rescore
    db.session.commit()
    summary = imports.summary(item)
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(
            f"{summary['format']}: {summary['rows']:,} rows, {summary['imported']:,} imported, "
            f"{item.rows_rejected:,} rejected."
        )
        for rejected in summary["rejected"][:20]:
            click.echo(f"  row {rejected['row']}: {rejected['error']}")
        if item.marked_lost:
            click.echo(f"{item.marked_lost:,} links missing from the file were marked lost.")
        if item.lost_pending:
            click.echo(
                f"Would have marked {item.lost_pending:,} links lost, more than half of a "
                "target's links: none were. Run again with --mark-lost to mark them."
            )
        elif item.lost_note:
            click.echo(item.lost_note)


def _record_failure(import_id: int, message: str) -> None:
    failed = db.session.get(BacklinkImport, import_id)
    if failed is not None:
        failed.status = ImportStatus.FAILED
        failed.error = message
        db.session.commit()
