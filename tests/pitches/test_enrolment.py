"""Starting a sequence for many prospects: who is enrolled, who is skipped and why."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import delete, func, select

from outreach.accounts.models import Workspace
from outreach.campaigns.models import Campaign
from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches import enrolment, sequences, suppression
from outreach.pitches.models import (
    EnrollmentStatus,
    Mailbox,
    MessageStatus,
    OutboundMessage,
    SequenceEnrollment,
)
from outreach.prospects.models import Contact, ProspectContact, ProspectScore, Stage
from tests.factories import Factory, SignIn
from tests.pitches import builders


def _setup(factory: Factory) -> tuple[Workspace, Campaign, Mailbox]:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=2)
    return workspace, campaign, builders.mailbox(workspace)


def _score(campaign: Campaign, domain: str, score: float) -> None:
    db.session.add(
        ProspectScore(
            workspace_id=campaign.workspace_id,
            campaign_id=campaign.id,
            domain=domain,
            score=score,
            scored_at=utcnow(),
        )
    )


def _enrolled_contacts() -> list[str]:
    db.session.expire_all()
    return sorted(
        db.session.scalars(
            select(Contact.email).join(
                SequenceEnrollment, SequenceEnrollment.contact_id == Contact.id
            )
        )
    )


def test_only_prospects_that_may_get_mail_are_enrolled_and_the_rest_say_why(
    factory: Factory,
) -> None:
    workspace, campaign, mailbox = _setup(factory)
    fine, _ = builders.prospect(workspace, campaign, "fine.example")
    replied, _ = builders.prospect(workspace, campaign, "replied.example", stage=Stage.REPLIED)
    live, _ = builders.prospect(workspace, campaign, "live.example", stage=Stage.LIVE)
    dnc, _ = builders.prospect(workspace, campaign, "dnc.example", stage=Stage.DO_NOT_CONTACT)
    bounced, bouncing = builders.prospect(workspace, campaign, "bounced.example")
    bouncing.bouncing = True
    suppressed, _ = builders.prospect(workspace, campaign, "suppressed.example")
    suppression.suppress(workspace.id, "suppressed.example", "asked")
    invalid, _ = builders.prospect(workspace, campaign, "invalid.example", email="not an address")
    nobody, nobodys = builders.prospect(workspace, campaign, "nobody.example")
    db.session.execute(delete(ProspectContact).where(ProspectContact.contact_id == nobodys.id))
    db.session.commit()
    chosen = [fine, replied, live, dnc, bounced, suppressed, invalid, nobody]

    outcome = enrolment.enrol_prospects(campaign, chosen, mailbox, None)
    db.session.commit()

    assert [(e.domain, e.email) for e in outcome.enrolled] == [
        ("fine.example", "editor@fine.example")
    ]
    reasons = {s.domain: s.reason for s in outcome.skipped}
    assert reasons == {
        "replied.example": "it is in Replied",
        "live.example": "it is in Live (verified)",
        "dnc.example": "it is in Do not contact",
        "bounced.example": "editor@bounced.example bounced",
        "suppressed.example": "editor@suppressed.example is on the suppression list "
        "(suppressed.example)",
        "invalid.example": "not an address is not a valid address",
        "nobody.example": "it has no contact",
    }
    assert _enrolled_contacts() == ["editor@fine.example"]
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 2
    assert outcome.summary() == "Sequence started for 1 prospect(s); 7 skipped."


def test_domains_in_another_active_sequence_or_within_the_repitch_hold_are_skipped(
    factory: Factory,
) -> None:
    workspace, campaign, mailbox = _setup(factory)
    other = builders.campaign_with_sequence(factory, workspace, steps=1)
    other.name = "Autumn PR"
    busy_there, _ = builders.prospect(workspace, other, "busy.example")
    enrolment.enrol_prospects(other, [busy_there], mailbox, None)
    written_there, _ = builders.prospect(
        workspace, other, "written.example", email="a@written.example"
    )
    sent = OutboundMessage(
        workspace_id=workspace.id,
        prospect_id=written_there.id,
        contact_id=sequences.contacts_of(written_there)[0].id,
        status=MessageStatus.SENT,
        message_id="<old@ours.example>",
        subject="Hello",
        body="Hi",
        sent_at=utcnow() - timedelta(days=10),
    )
    db.session.add(sent)
    db.session.commit()
    busy, _ = builders.prospect(workspace, campaign, "busy.example", email="b@busy.example")
    written, _ = builders.prospect(
        workspace, campaign, "written.example", email="b@written.example"
    )

    outcome = enrolment.enrol_prospects(campaign, [busy, written], mailbox, None)

    assert outcome.enrolled == []
    reasons = {s.domain: s.reason for s in outcome.skipped}
    assert reasons["busy.example"] == "it is in an active sequence of the campaign Autumn PR"
    day = (utcnow() - timedelta(days=10)).date().isoformat()
    assert reasons["written.example"] == (
        f"it was contacted on {day}, within the 90-day repitch hold"
    )


def test_mail_sent_before_the_repitch_hold_does_not_skip(factory: Factory) -> None:
    workspace, campaign, mailbox = _setup(factory)
    item, contact = builders.prospect(workspace, campaign, "old.example")
    db.session.add(
        OutboundMessage(
            workspace_id=workspace.id,
            prospect_id=item.id,
            contact_id=contact.id,
            status=MessageStatus.SENT,
            message_id="<older@ours.example>",
            subject="Hello",
            body="Hi",
            sent_at=utcnow() - timedelta(days=200),
        )
    )
    db.session.commit()
    outcome = enrolment.enrol_prospects(campaign, [item], mailbox, None)
    assert [e.domain for e in outcome.enrolled] == ["old.example"]


def test_the_first_usable_contact_is_enrolled_alone(factory: Factory) -> None:
    workspace, campaign, mailbox = _setup(factory)
    item, primary = builders.prospect(workspace, campaign, "two.example")
    primary.bouncing = True
    for address in ("second@two.example", "third@two.example"):
        extra = Contact(workspace_id=workspace.id, email=address, domain="two.example")
        db.session.add(extra)
        db.session.flush()
        db.session.add(ProspectContact(prospect_id=item.id, contact_id=extra.id))
    db.session.commit()
    outcome = enrolment.enrol_prospects(campaign, [item], mailbox, None)
    db.session.commit()
    assert [e.email for e in outcome.enrolled] == ["second@two.example"]
    assert _enrolled_contacts() == ["second@two.example"]
    again = enrolment.enrol_prospects(campaign, [item], mailbox, None)
    assert [s.reason for s in again.skipped] == ["it is already in this sequence (active)"]


def test_the_top_by_score_leaves_out_closed_and_enrolled_prospects(factory: Factory) -> None:
    workspace, campaign, mailbox = _setup(factory)
    scores = {"a.example": 10.0, "b.example": 90.0, "c.example": 50.0, "d.example": 70.0}
    items = {d: builders.prospect(workspace, campaign, d)[0] for d in scores}
    builders.prospect(workspace, campaign, "unscored.example")
    items["d.example"].stage = Stage.DO_NOT_CONTACT
    for domain, score in scores.items():
        _score(campaign, domain, score)
    db.session.commit()
    assert [p.domain for p in enrolment.top_by_score(campaign, 2)] == ["b.example", "c.example"]
    enrolment.enrol_prospects(campaign, [items["b.example"]], mailbox, None)
    db.session.commit()
    top = [p.domain for p in enrolment.top_by_score(campaign, 10)]
    assert top == ["c.example", "a.example", "unscored.example"]


def test_ticked_prospects_are_enrolled_from_the_board_and_the_page_lists_both(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    box = builders.mailbox(workspace)
    fine, _ = builders.prospect(workspace, campaign, "fine.example")
    done, _ = builders.prospect(workspace, campaign, "done.example", stage=Stage.LIVE)
    _, elsewhere = factory.user_with_workspace("other@example.com", "Other")
    stranger, _ = builders.prospect(elsewhere, factory.campaign(elsewhere), "stranger.example")
    board = client.get(f"/campaigns/{campaign.id}/board").get_data(as_text=True)
    assert "Start sequence for ticked" in board and "sender@ours.example" in board
    picks = [f"{p.id}:{p.version}" for p in (fine, done, stranger)]
    response = client.post(
        f"/campaigns/{campaign.id}/sequence/enroll-selected",
        data={"pick": picks, "mailbox_id": str(box.id), "next": f"/campaigns/{campaign.id}/board"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enrolled (1)" in page and "editor@fine.example" in page
    assert "Skipped (1)" in page and "done.example" in page and "it is in Live" in page
    assert "stranger.example" not in page
    assert _enrolled_contacts() == ["editor@fine.example"]


def test_nothing_ticked_is_refused_with_a_message(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    box = builders.mailbox(workspace)
    response = client.post(
        f"/campaigns/{campaign.id}/sequence/enroll-selected",
        data={"mailbox_id": str(box.id)},
        follow_redirects=True,
    )
    assert "Tick the prospects to write to" in response.get_data(as_text=True)
    assert _enrolled_contacts() == []


def test_the_top_n_form_enrols_the_best_scored(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    box = builders.mailbox(workspace)
    for domain, score in (("low.example", 1.0), ("high.example", 99.0)):
        builders.prospect(workspace, campaign, domain)
        _score(campaign, domain, score)
    db.session.commit()
    sequence_page = client.get(f"/campaigns/{campaign.id}/sequence").get_data(as_text=True)
    assert "Enrol the top prospects by score" in sequence_page
    assert "multiple" not in sequence_page  # the Ctrl-click list box is gone
    response = client.post(
        f"/campaigns/{campaign.id}/sequence/enroll", data={"count": "1", "mailbox_id": str(box.id)}
    )
    assert "Enrolled (1)" in response.get_data(as_text=True)
    assert _enrolled_contacts() == ["editor@high.example"]


def test_prospects_mid_conversation_or_that_never_answered_are_not_pitched_cold(
    factory: Factory,
) -> None:
    workspace, campaign, mailbox = _setup(factory)
    talking, _ = builders.prospect(workspace, campaign, "talking.example", stage=Stage.NEGOTIATING)
    silent, _ = builders.prospect(workspace, campaign, "silent.example", stage=Stage.NO_RESPONSE)
    outcome = enrolment.enrol_prospects(campaign, [talking, silent], mailbox, None)
    assert outcome.enrolled == []
    assert {s.reason for s in outcome.skipped} == {"it is in Negotiating", "it is in No response"}
    assert enrolment.top_by_score(campaign, 10) == []


def test_moving_a_prospect_to_a_closing_stage_stops_its_sequence(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = builders.campaign_with_sequence(factory, workspace, steps=2)
    box = builders.mailbox(workspace)
    going, _ = builders.prospect(workspace, campaign, "going.example")
    closing, _ = builders.prospect(workspace, campaign, "closing.example")
    enrolment.enrol_prospects(campaign, [going, closing], box, None)
    db.session.commit()
    for item, stage in ((going, "qualified"), (closing, "do_not_contact")):
        response = client.post(
            f"/prospects/{item.id}/move", data={"stage": stage, "version": str(item.version)}
        )
        assert response.status_code == 302
    db.session.expire_all()
    statuses = {
        domain: (status, sorted(m.value for m in messages))
        for domain, status, messages in [
            (
                item.domain,
                db.session.scalars(
                    select(SequenceEnrollment.status).where(
                        SequenceEnrollment.prospect_id == item.id
                    )
                ).one(),
                db.session.scalars(
                    select(OutboundMessage.status).where(OutboundMessage.prospect_id == item.id)
                ).all(),
            )
            for item in (going, closing)
        ]
    }
    assert statuses["going.example"] == (EnrollmentStatus.ACTIVE, ["queued", "queued"])
    assert statuses["closing.example"] == (EnrollmentStatus.STOPPED, ["cancelled", "cancelled"])
    reason = db.session.scalars(
        select(SequenceEnrollment.stop_reason).where(SequenceEnrollment.prospect_id == closing.id)
    ).one()
    assert reason == "the prospect moved to Do not contact"
