"""The activity feed in words: "cleverhiker.com moved to Replied by Ana", with a link.

The activity log stores ids; this reads the names of what they point to in one query per
kind (a deleted row falls back to what the entry itself remembered).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import select

from outreach.accounts.models import User
from outreach.activity.models import Activity
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.prospects.models import Prospect, Stage

PHRASES: dict[str, str] = {
    "created": "{subject} was added",
    "stage_changed": "{subject} moved to {to}",
    "note": "Note on {subject}",
    "assigned": "{subject} was assigned",
    "details_changed": "{subject}'s details were edited",
    "email_sent": "A message went to {subject}",
    "email_replied": "{subject} replied",
    "email_bounced": "A message to {subject} bounced",
    "email_failed": "A message to {subject} failed",
    "email_blocked": "A message to {subject} was blocked",
    "unsubscribed": "{subject} unsubscribed",
    "reclamation_task": "{subject} lost a link: reclaim it",
    "follow_up_delayed": "A follow-up to {subject} was delayed",
    "import_uploaded": "An export was uploaded to {subject}",
    "links_marked_lost": "{links} links of {subject} were marked lost",
    "edited": "{subject} was edited",
    "deleted": "{subject} was deleted",
    "settings_changed": "The workspace settings were changed",
    "member_invited": "A member was invited",
}
# Subjects whose names the feed looks up: (model, name column, endpoint, its id argument).
NAMED: dict[str, tuple[Any, Any, str, str]] = {
    "prospect": (Prospect, Prospect.domain, "pipeline.prospect", "prospect_id"),
    "campaign": (Campaign, Campaign.name, "pipeline.campaign", "campaign_id"),
}


@dataclass(frozen=True)
class FeedItem:
    """One activity entry as a sentence, with where it leads."""

    at: datetime
    text: str
    url: str | None


def _names(entries: list[Activity]) -> dict[tuple[str, int], str]:
    wanted: dict[str, set[int]] = defaultdict(set)
    spaces = {entry.workspace_id for entry in entries}
    for entry in entries:
        if entry.subject_type in NAMED:
            wanted[entry.subject_type].add(entry.subject_id)
    names: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        model, column, _, _ = NAMED[kind]
        rows = select(model.id, column).where(model.id.in_(ids), model.workspace_id.in_(spaces))
        for row_id, name in db.session.execute(rows):
            names[(kind, row_id)] = name
    return names


def _people(entries: list[Activity]) -> dict[int, str]:
    ids = {entry.actor_id for entry in entries if entry.actor_id}
    if not ids:
        return {}
    users = db.session.scalars(select(User).where(User.id.in_(ids)))
    return {user.id: user.name or user.email.split("@", 1)[0] for user in users}


def _stage_label(value: object) -> str:
    try:
        return Stage(str(value)).label
    except ValueError:
        return str(value).replace("_", " ")


def _fallback_name(entry: Activity) -> str:
    detail = entry.detail or {}
    for key in ("domain", "name", "email", "file"):
        if detail.get(key):
            return str(detail[key])
    return f"{entry.subject_type.replace('_', ' ').capitalize()} #{entry.subject_id}"


def describe(entries: list[Activity]) -> list[FeedItem]:
    """The entries as sentences naming their subject and who acted."""
    names, people = _names(entries), _people(entries)
    items = []
    for entry in entries:
        detail = entry.detail or {}
        known = names.get((entry.subject_type, entry.subject_id))
        subject = known or _fallback_name(entry)
        phrase = PHRASES.get(entry.action, "{subject}: " + entry.action.replace("_", " "))
        values = {k: v for k, v in detail.items() if isinstance(v, str | int | float)}
        values.update(subject=subject, to=_stage_label(detail.get("to", "")))
        try:
            text = phrase.format(**values)
        except (KeyError, IndexError):
            text = f"{subject}: {entry.action.replace('_', ' ')}"
        if entry.actor_id and entry.actor_id in people:
            text += f" by {people[entry.actor_id]}"
        url = None
        if known is not None:
            _, _, endpoint, argument = NAMED[entry.subject_type]
            arguments: dict[str, Any] = {argument: entry.subject_id}
            url = url_for(endpoint, **arguments)
        items.append(FeedItem(entry.created_at, text, url))
    return items
