"""Only a person's reply counts as a reply in the funnel: not automatic replies, read receipts
or messages still waiting in the inbox."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from outreach.extensions import db
from outreach.pitches.models import InboundKind, InboundMessage, InboundTriage
from outreach.prospects.models import Prospect
from outreach.reports.report import build
from outreach.reports.scope import scope_for
from tests.factories import Factory
from tests.reports.history import History, build_history


@pytest.fixture
def history(factory: Factory, runner: FlaskCliRunner, tmp_path: Path) -> History:
    return build_history(factory, runner, tmp_path)


def _replied_per_step(history: History) -> list[int]:
    report = build(
        scope_for(history.workspace, history.campaign), date(2026, 1, 1), date(2026, 6, 1)
    )
    return [row.replied for row in report.funnels.steps]


def test_automatic_replies_and_uncertain_messages_are_not_replies(history: History) -> None:
    before = _replied_per_step(history)
    quiet_one = db.session.scalars(select(Prospect).where(Prospect.domain == "a.com")).one()
    received = datetime(2026, 5, 2, tzinfo=UTC)
    for n, kind in enumerate(
        (InboundKind.AUTO_REPLY, InboundKind.OUT_OF_OFFICE, InboundKind.READ_RECEIPT)
    ):
        db.session.add(
            InboundMessage(
                workspace_id=history.workspace.id, prospect_id=quiet_one.id,
                message_id=f"<auto-{n}@a.com>", from_email="ed@a.com", subject="Re: Hi",
                body="Automatic", kind=kind, received_at=received,
            )
        )  # fmt: skip
    db.session.add(
        InboundMessage(
            workspace_id=history.workspace.id, message_id="<unsure@a.com>",
            from_email="boss@a.com", subject="RE: Hi", body="Maybe",
            triage=InboundTriage.NEEDS_LOOK, received_at=received,
        )
    )  # fmt: skip
    db.session.commit()
    assert _replied_per_step(history) == before
    db.session.add(
        InboundMessage(
            workspace_id=history.workspace.id, prospect_id=quiet_one.id,
            message_id="<person@a.com>", from_email="ed@a.com", subject="Re: Hi", body="Yes",
            received_at=received,
        )
    )  # fmt: skip
    db.session.commit()
    assert _replied_per_step(history)[0] == before[0] + 1
