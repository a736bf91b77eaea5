"""WSGI entry point in a checkout: ``gunicorn wsgi:app`` (installed: ``outreach.wsgi:app``)."""

from outreach.wsgi import app

__all__ = ["app"]
