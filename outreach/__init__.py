"""Outreach: a self-hosted link-building CRM."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from outreach import redact
from outreach.config import Settings, check_secret_key, instance_path_from_env
from outreach.resources import resource_dir


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app from the environment, with ``config`` overriding settings."""
    # Each feature's jobs module registers its recurring work (outreach.jobs.recurring);
    # starters gives each new workspace its template library.
    import outreach.jobs.recovery
    import outreach.links.jobs
    import outreach.pitches.jobs
    import outreach.pitches.starters  # noqa: F401
    from outreach import cli, models  # noqa: F401  (models: complete metadata for Alembic)
    from outreach.accounts import views as accounts
    from outreach.accounts.auth import init_login
    from outreach.accounts.context import load_current_workspace
    from outreach.accounts.throttle import init_throttle
    from outreach.api.setup import init_api
    from outreach.backlinks import views as backlinks
    from outreach.campaigns import views as campaigns
    from outreach.crawl import views as crawl
    from outreach.extensions import csrf, db, migrate
    from outreach.jobs import refusals
    from outreach.jobs import views as jobs
    from outreach.jobs.connection import get_redis
    from outreach.links import views as links
    from outreach.main import views as main
    from outreach.pipeline import views as pipeline
    from outreach.pitches import views as pitches
    from outreach.prospects import views as prospects
    from outreach.reports import views as reports
    from outreach.scoring import views as scoring
    from outreach.web import init_security, init_templates
    from outreach.webhooks import views as webhooks

    instance = (config or {}).get("INSTANCE_PATH") or instance_path_from_env()
    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    app.config.update(Settings.from_env(Path(app.instance_path)).flask_config())
    app.config.update(config or {})
    check_secret_key(app.config)
    redact.install(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(resource_dir("migrations")))
    csrf.init_app(app)
    init_login(app)
    init_throttle(app, redis=get_redis)
    init_templates(app)
    init_security(app)
    app.before_request(load_current_workspace)
    blueprints = (
        main.bp,
        accounts.bp,
        campaigns.bp,
        backlinks.bp,
        crawl.bp,
        prospects.bp,
        pipeline.bp,
        pitches.bp,
        links.bp,
        webhooks.bp,
        reports.bp,
        scoring.bp,
        jobs.bp,
        refusals.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    init_api(app)
    main.register_error_pages(app)
    cli.register(app)
    return app
