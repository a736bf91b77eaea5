"""The template library: workspace-scoped lookups, saves with version history. Callers commit."""

from __future__ import annotations

from sqlalchemy import select

from outreach.campaigns.models import CampaignKind
from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches import sandbox
from outreach.pitches.models import PitchTemplate, PitchTemplateVersion
from outreach.scoping import get_in_workspace


def templates_of(workspace_id: int, kind: CampaignKind | None = None) -> list[PitchTemplate]:
    """The workspace's templates, by kind then name."""
    query = select(PitchTemplate).where(PitchTemplate.workspace_id == workspace_id)
    if kind is not None:
        query = query.where(PitchTemplate.kind == kind)
    return list(db.session.scalars(query.order_by(PitchTemplate.kind, PitchTemplate.name)))


def get_template(workspace_id: int, template_id: int) -> PitchTemplate:
    """One template of the workspace; 404 otherwise."""
    return get_in_workspace(PitchTemplate, workspace_id, template_id)


def versions_of(template: PitchTemplate) -> list[PitchTemplateVersion]:
    """Every saved text of a template, newest first."""
    return list(
        db.session.scalars(
            select(PitchTemplateVersion)
            .where(PitchTemplateVersion.template_id == template.id)
            .order_by(PitchTemplateVersion.version.desc())
        )
    )


def _checked(subject: str, body: str) -> None:
    result = sandbox.check_pitch(subject, body)
    if not result.ok:
        raise sandbox.TemplateRefused(result.problems)


def _snapshot(template: PitchTemplate, user_id: int | None) -> None:
    db.session.add(
        PitchTemplateVersion(
            template_id=template.id,
            version=template.version,
            subject=template.subject,
            body=template.body,
            saved_by_id=user_id,
            saved_at=utcnow(),
        )
    )


def create_template(
    workspace_id: int,
    name: str,
    kind: CampaignKind,
    subject: str,
    body: str,
    user_id: int | None = None,
) -> PitchTemplate:
    """A new template (version 1); raises :class:`sandbox.TemplateRefused` when unsafe."""
    _checked(subject, body)
    template = PitchTemplate(
        workspace_id=workspace_id, name=name.strip(), kind=kind, subject=subject, body=body
    )
    template.version = 1
    db.session.add(template)
    db.session.flush()
    _snapshot(template, user_id)
    return template


def save_template(
    template: PitchTemplate,
    name: str,
    kind: CampaignKind,
    subject: str,
    body: str,
    user_id: int | None = None,
) -> bool:
    """Save new text as the next version; False (no new version) when nothing changed."""
    _checked(subject, body)
    template.name, template.kind = name.strip(), kind
    if subject == template.subject and body == template.body:
        return False
    template.subject, template.body = subject, body
    template.version += 1
    db.session.flush()
    _snapshot(template, user_id)
    return True
