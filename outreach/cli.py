"""Registers every feature's ``flask`` commands."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the command groups of each feature to the app's CLI."""
    from outreach.accounts.cli import create_user
    from outreach.campaigns.cli import campaign
    from outreach.demo import seed_demo
    from outreach.jobs.cli import serve, worker

    for command in (create_user, campaign, seed_demo, worker, serve):
        app.cli.add_command(command)
