"""The public JSON API under ``/api/v1``: personal tokens, problem details, cursor pages.

Endpoints call the same services the pages use; :func:`outreach.api.setup.init_api` wires it.

Adding a resource: a module here with ``blp = api_blueprint("name", __name__, "what")``
(:mod:`outreach.api.blueprint`: token auth, rate limit, problem details, no CSRF), its routes
with flask-smorest's ``@blp.arguments`` / ``@blp.response`` and marshmallow schemas (the OpenAPI
document is made from them), lists paged with a :class:`outreach.api.pagination.Keyset`; then
the blueprint in :data:`outreach.api.endpoints.BLUEPRINTS`, each new id in a path in
:data:`outreach.api.scope.OWNED`, and its test builder in a ``tests/<feature>/isolation.py``.
Owner-only actions call :func:`outreach.api.auth.require_owner`.
"""
