"""Registers every feature's ``flask`` commands."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the command groups of each feature to the app's CLI."""
    from outreach.accounts.cli import create_user
    from outreach.backlinks.cli import import_backlinks
    from outreach.campaigns.cli import campaign
    from outreach.crawl.cli import COMMANDS as crawl_commands
    from outreach.demo import seed_demo
    from outreach.jobs.cli import serve, worker
    from outreach.links.cli import COMMANDS as link_commands
    from outreach.pitches.cli import COMMANDS as pitch_commands
    from outreach.prospects.cli import prospects
    from outreach.reports.cli import report

    for command in (
        create_user,
        campaign,
        seed_demo,
        worker,
        serve,
        import_backlinks,
        prospects,
        report,
        *pitch_commands,
        *link_commands,
        *crawl_commands,
    ):
        app.cli.add_command(command)
