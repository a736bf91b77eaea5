"""The public JSON API under ``/api/v1``: personal tokens, problem details, cursor pages.

Endpoints call the same services the pages use; :func:`outreach.api.setup.init_api` wires it.
"""
