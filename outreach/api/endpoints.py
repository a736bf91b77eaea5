"""Every API blueprint with its URL prefix under /api/v1 (a new resource module adds itself)."""

from __future__ import annotations

from flask_smorest import Blueprint

from outreach.api import (
    campaigns,
    contacts,
    imports,
    intersect,
    jobs,
    links,
    messages,
    prospects,
    reports,
    sequences,
    templates,
    webhooks,
)

BLUEPRINTS: list[tuple[Blueprint, str]] = [
    (campaigns.blp, "/campaigns"),
    (intersect.blp, "/campaigns"),
    (prospects.blp, "/prospects"),
    (links.blp, "/links"),
    (links.alerts_blp, "/alerts"),
    (reports.blp, "/reports"),
    (jobs.blp, "/jobs"),
    (sequences.blp, "/campaigns"),
    (templates.blp, "/templates"),
    (messages.blp, ""),
    (contacts.blp, "/prospects"),
    (imports.blp, ""),
    (webhooks.blp, "/webhooks"),
]
