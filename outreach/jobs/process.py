"""The app that jobs of this process run in: the one a worker built, else one from the
environment (a module of its own, so recovery and job bodies share it without a cycle)."""

from __future__ import annotations

from flask import Flask

_worker_app: Flask | None = None


def set_worker_app(app: Flask | None) -> None:
    """Give jobs in this process the app a worker built (see :class:`OutreachWorker`)."""
    global _worker_app
    _worker_app = app


def worker_app() -> Flask:
    """The app jobs run in: the worker's, else one built from the environment."""
    global _worker_app
    if _worker_app is None:
        from outreach import create_app

        _worker_app = create_app()
    return _worker_app
