"""``flask verify-link``: check one page, or a CSV of pages concurrently, printing JSON."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from outreach.links.checker import CheckRequest, check_stream
from outreach.links.settings import renderer_for
from outreach.net.settings import policy_from_config

COLUMNS = ("page_url", "target_url")


def read_batch(path: Path) -> list[CheckRequest[int]]:
    """Rows of a ``page_url,target_url`` CSV; click.ClickException with the reason if unusable."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{path} is not UTF-8 text: {exc.reason}") from exc
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from exc
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [name.strip().lower() for name in reader.fieldnames or []]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            found = ", ".join(header) or "nothing"
            raise click.ClickException(
                f"{path} needs a header row with columns page_url,target_url; "
                f"missing {', '.join(missing)} (found: {found})"
            )
        reader.fieldnames = header
        requests = []
        for number, row in enumerate(reader, start=2):
            page = (row.get("page_url") or "").strip()
            target = (row.get("target_url") or "").strip()
            if not page or not target:
                raise click.ClickException(
                    f"{path}, line {number}: page_url and target_url are both required"
                )
            requests.append(CheckRequest(number, page, target))
    except csv.Error as exc:
        raise click.ClickException(f"{path} is not a readable CSV: {exc}") from exc
    if not requests:
        raise click.ClickException(f"{path} has no rows to check")
    return requests


async def _print_stream(requests: list[CheckRequest[int]]) -> None:
    config = current_app.config
    policy = policy_from_config(config)
    renderer = renderer_for(config, policy)
    try:
        async for checked in check_stream(requests, policy, renderer=renderer):
            click.echo(json.dumps(checked.result.as_json(), ensure_ascii=False))
    finally:
        if renderer is not None:
            await renderer.aclose()


@click.command("verify-link")
@click.argument("page_url", required=False)
@click.argument("target_url", required=False)
@click.option(
    "--batch",
    "batch",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV with page_url,target_url columns; one JSON line per check as each finishes.",
)
@with_appcontext
def verify_link(page_url: str | None, target_url: str | None, batch: Path | None) -> None:
    """Check that PAGE_URL links to TARGET_URL and print the check as JSON."""
    if batch is not None:
        if page_url or target_url:
            raise click.UsageError("give either PAGE_URL TARGET_URL or --batch FILE, not both")
        requests = read_batch(batch)
    elif page_url and target_url:
        requests = [CheckRequest(1, page_url, target_url)]
    else:
        raise click.UsageError("give PAGE_URL and TARGET_URL, or --batch FILE.csv")
    try:
        asyncio.run(_print_stream(requests))
    except ValueError as exc:  # e.g. a malformed OUTREACH_ALLOWED_NETWORKS
        raise click.ClickException(str(exc)) from exc


@click.command("monitor-links")
@with_appcontext
def monitor_links() -> None:
    """Queue re-checks of every due placed link now (``rq cron`` also does it every hour)."""
    from outreach.jobs.queues import Lane, get_queue
    from outreach.links.jobs import enqueue_due_checks

    get_queue(lane=Lane.FETCH).enqueue(
        enqueue_due_checks, description="Queue due re-checks of placed links"
    )
    click.echo("Due re-checks queued.")


COMMANDS: list[click.Command] = [verify_link, monitor_links]
