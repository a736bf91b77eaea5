"""Fixtures of the webhook tests: a workspace with a prospect, and a worker run."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from redis import Redis

from outreach.accounts.models import User, Workspace
from outreach.campaigns.models import Campaign
from outreach.jobs.worker import OutreachWorker
from outreach.prospects.models import Prospect
from tests.factories import Factory
from tests.pipeline.conftest import browser, live_url, page
from tests.pipeline.helpers import prospect

__all__ = ["browser", "live_url", "page"]


@dataclass
class Space:
    """An owner, their workspace, a campaign and one prospect in it."""

    owner: User
    workspace: Workspace
    campaign: Campaign
    prospect: Prospect


@pytest.fixture
def space(factory: Factory) -> Space:
    """A fresh workspace with one prospect, committed."""
    owner, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = factory.campaign(workspace)
    return Space(owner, workspace, campaign, prospect(campaign, "blog.example"))


@pytest.fixture
def local_app(app: Flask) -> Flask:
    """The app allowed to deliver to 127.0.0.1 (the operator's override, as in production)."""
    app.config["OUTREACH_ALLOWED_NETWORKS"] = ("127.0.0.0/8",)
    return app


def work(app: Flask, redis_url: str) -> None:
    """Run every queued job in a forking worker until the queue is empty."""
    OutreachWorker(
        [app.config["OUTREACH_QUEUE"]], connection=Redis.from_url(redis_url), app=app
    ).work(burst=True)
