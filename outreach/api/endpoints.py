"""Every API blueprint with its URL prefix under /api/v1 (a new resource module adds itself)."""

from __future__ import annotations

from flask_smorest import Blueprint

from outreach.api import (
    campaigns,
    contacts,
    imports,
    intersect,
    messages,
    sequences,
    templates,
)

BLUEPRINTS: list[tuple[Blueprint, str]] = [
    (campaigns.blp, "/campaigns"),
    (intersect.blp, "/campaigns"),
    (sequences.blp, "/campaigns"),
    (templates.blp, "/templates"),
    (messages.blp, ""),
    (contacts.blp, "/prospects"),
    (imports.blp, ""),
]
