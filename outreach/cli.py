"""Registers every feature's ``flask`` commands; ``outreach``, the same commands as a script."""

from __future__ import annotations

from importlib import metadata

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo


def installed_version() -> str:
    """Outreach's version: pyproject.toml's, as the installed distribution records it."""
    try:
        return metadata.version("outreach")
    except metadata.PackageNotFoundError:  # a bare checkout on PYTHONPATH, never installed
        return "0+unknown"


@click.command("version")
def version() -> None:
    """Print the installed Outreach version."""
    click.echo(f"Outreach {installed_version()}")


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"Outreach {installed_version()}")
        ctx.exit()


def command_line() -> FlaskGroup:
    """``outreach``: ``flask --app outreach`` under its own name, with ``--version``."""
    version_option = click.Option(
        ["--version"],
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_print_version,
        help="Print Outreach's version and exit.",
    )
    return FlaskGroup(
        name="outreach",
        add_version_option=False,
        params=[version_option],
        # the app by its import path, exactly as `--app outreach` names it
        context_settings={"obj": ScriptInfo(app_import_path="outreach")},
        help="Outreach's commands (the same as `flask --app outreach ...`).",
    )


def main() -> None:
    """Entry point of the ``outreach`` script."""
    command_line().main(prog_name="outreach")


def register(app: Flask) -> None:
    """Attach the command groups of each feature to the app's CLI."""
    from outreach.accounts.cli import create_user, user
    from outreach.api.cli import api_token
    from outreach.backlinks.cli import import_backlinks
    from outreach.campaigns.cli import campaign
    from outreach.crawl.cli import COMMANDS as crawl_commands
    from outreach.demo import seed_demo
    from outreach.encryption import rotate_keys
    from outreach.jobs.cli import serve, worker
    from outreach.links.cli import COMMANDS as link_commands
    from outreach.pitches.cli import COMMANDS as pitch_commands
    from outreach.prospects.cli import prospects
    from outreach.reports.cli import report
    from outreach.scoring.cli import import_ranks, score

    for command in (
        version,
        create_user,
        user,
        rotate_keys,
        campaign,
        seed_demo,
        worker,
        serve,
        import_backlinks,
        prospects,
        score,
        import_ranks,
        report,
        api_token,
        *pitch_commands,
        *link_commands,
        *crawl_commands,
    ):
        app.cli.add_command(command)
