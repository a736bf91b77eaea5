"""``/api/v1/campaigns/{id}/sequence/enrol``: start the campaign's sequence for prospects.

The same enrolment as the sequence page and the board's "Start sequence": prospects that
must not get mail (suppressed, already in a sequence, contacted lately, no usable address…)
are skipped and named with the reason.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from outreach.api.auth import caller
from outreach.api.blueprint import api_blueprint
from outreach.api.problems import INVALID_FIELDS, Problem
from outreach.campaigns.services import get_campaign
from outreach.extensions import db
from outreach.pitches import enrolment, mailboxes, sequences
from outreach.prospects.services import prospects_by_id

blp = api_blueprint("sequences", __name__, "Start a campaign's e-mail sequence for prospects.")


class EnrolArgsSchema(ma.Schema):
    """Who to enrol (``prospect_ids`` or ``top``, not both) and the mailbox to send from."""

    mailbox_id = fields.Integer(
        load_default=None,
        metadata={"description": "Required: a mailbox you may send from (yours, or shared)."},
    )
    prospect_ids = fields.List(
        fields.Integer(),
        load_default=None,
        validate=validate.Length(min=1, max=enrolment.MAX_CHOSEN),
        metadata={"description": "These prospects of the campaign."},
    )
    top = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=enrolment.MAX_TOP),
        metadata={"description": "Or the campaign's N best-scored prospects not yet enrolled."},
    )


class EnrolledSchema(ma.Schema):
    """A prospect whose sequence was queued."""

    prospect_id = fields.Integer()
    domain = fields.String()
    email = fields.String(metadata={"description": "The address the sequence goes to."})
    held = fields.Boolean(metadata={"description": "Its first message waits for a person."})


class SkippedSchema(ma.Schema):
    """A prospect left out, and why."""

    prospect_id = fields.Integer()
    domain = fields.String()
    reason = fields.String()


class EnrolmentSchema(ma.Schema):
    """Who was enrolled and who was skipped."""

    enrolled = fields.List(fields.Nested(EnrolledSchema))
    skipped = fields.List(fields.Nested(SkippedSchema))


def _invalid(field: str, message: str) -> Problem:
    return Problem(
        422,
        message,
        type=INVALID_FIELDS,
        title="Invalid fields",
        errors=[{"field": field, "location": "json", "message": message}],
    )


@blp.route("/<int:campaign_id>/sequence/enrol", methods=["POST"])
@blp.arguments(EnrolArgsSchema)
@blp.response(200, EnrolmentSchema)
def enrol(args: dict[str, Any], campaign_id: int) -> dict[str, Any]:
    """Start the sequence for the chosen prospects; the others are skipped with the reason."""
    who = caller()
    workspace_id = who.workspace.id
    campaign = get_campaign(workspace_id, campaign_id)
    if args["mailbox_id"] is None:
        raise _invalid("mailbox_id", "Choose the mailbox to send from.")
    if (args["prospect_ids"] is None) == (args["top"] is None):
        raise _invalid("prospect_ids", "Give either prospect_ids or top.")
    mailbox = mailboxes.get_mailbox(workspace_id, args["mailbox_id"])
    if not mailboxes.may_send_from(mailbox, who.user.id):
        raise Problem(403, "This mailbox is another user's and is not shared.")
    if args["top"] is not None:
        chosen = enrolment.top_by_score(campaign, args["top"])
    else:
        wanted = set(args["prospect_ids"])
        found = prospects_by_id(workspace_id, wanted)
        mine = {i: p for i, p in found.items() if p.campaign_id == campaign.id}
        if len(mine) != len(wanted):
            raise Problem(404, f"No prospects {sorted(wanted - set(mine))} in this campaign.")
        chosen = sorted(mine.values(), key=lambda p: p.domain)
    try:
        outcome = enrolment.enrol_prospects(campaign, chosen, mailbox, who.user.id)
    except sequences.SequenceError as exc:
        db.session.rollback()
        raise Problem(409, str(exc)) from None
    db.session.commit()
    return {
        "enrolled": [vars(item) for item in outcome.enrolled],
        "skipped": [vars(item) for item in outcome.skipped],
    }
