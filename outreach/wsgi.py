"""The WSGI app for production servers: ``gunicorn outreach.wsgi:app`` (settings from the env)."""

from outreach import create_app

app = create_app()
