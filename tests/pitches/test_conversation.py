"""A prospect's conversation, the inbox's replies, answering from Outreach, and the outbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches import sequences
from outreach.pitches.models import (
    InboundKind,
    InboundMessage,
    Mailbox,
    MessageStatus,
    OutboundMessage,
)
from outreach.pitches.sending import deliver
from outreach.pitches.waiting import why_waiting
from tests.factories import Factory, SignIn
from tests.pitches import builders
from tests.support.smtp import SmtpServer


def _enrolled(
    factory: Factory, workspace: Any, port: int = 25
) -> tuple[Any, list[OutboundMessage]]:
    campaign = builders.campaign_with_sequence(factory, workspace, steps=2)
    item, contact = builders.prospect(workspace, campaign, "blog.example")
    enrollment = sequences.enroll(campaign, item, contact, builders.mailbox(workspace, port))
    db.session.commit()
    rows = list(
        db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.enrollment_id == enrollment.id)
            .order_by(OutboundMessage.id)
        )
    )
    return item, rows


def _reply(first: OutboundMessage, text: str = "Sounds good, send it over.") -> InboundMessage:
    row = InboundMessage(
        workspace_id=first.workspace_id,
        prospect_id=first.prospect_id,
        mailbox_id=first.mailbox_id,
        message_id="<reply-1@blog.example>",
        in_reply_to=first.message_id,
        from_email="editor@blog.example",
        subject=f"Re: {first.subject}",
        body=text,
        kind=InboundKind.REPLY,
        received_at=utcnow(),
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_the_conversation_shows_each_message_with_its_status_and_why(
    client: FlaskClient, auth: SignIn, factory: Factory, smtp: SmtpServer
) -> None:
    _, workspace = auth()
    item, (first, follow_up) = _enrolled(factory, workspace, smtp.port)
    deliver([first.id])
    follow_up.status, follow_up.hold_reason = MessageStatus.HELD, "empty merge field: first_name"
    db.session.commit()
    _reply(first)
    page = client.get(f"/prospects/{item.id}").get_data(as_text=True)
    conversation = page[
        page.index('<ol class="thread">') : page.index("</ol>", page.index('<ol class="thread">'))
    ]
    assert f'id="out-{first.id}"' in conversation and 'badge-replied">replied<' in conversation
    assert (
        'badge-held">held<' in conversation
        and "held: empty merge field: first_name" in conversation
    )
    assert 'badge-reply">reply<' in conversation and "Sounds good, send it over." in conversation
    assert conversation.index(f'id="out-{first.id}"') < conversation.index('id="in-')
    assert "Answer editor@blog.example" in conversation  # the last message is a reply


def test_opening_a_reply_marks_it_read_and_shows_it_in_its_prospect(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    item, (first, _) = _enrolled(factory, workspace)
    reply = _reply(first)
    inbox = client.get("/pitches/inbox").get_data(as_text=True)
    assert 'class="unread"' in inbox and "new</span>" in inbox
    response = client.get(f"/pitches/inbox/{reply.id}/open")
    assert response.headers["Location"] == f"/prospects/{item.id}#in-{reply.id}"
    db.session.expire_all()
    assert db.session.get_one(InboundMessage, reply.id).read_at is not None
    assert 'class="unread"' not in client.get("/pitches/inbox").get_data(as_text=True)


def test_an_answer_goes_through_the_same_mailbox_in_the_same_thread(
    client: FlaskClient, auth: SignIn, factory: Factory, smtp: SmtpServer
) -> None:
    _, workspace = auth()
    item, (first, _) = _enrolled(factory, workspace, smtp.port)
    deliver([first.id])
    reply = _reply(first)
    refused = client.post(f"/pitches/inbox/{reply.id}/answer", data={"body": "  "})
    assert refused.status_code == 302
    assert (
        db.session.scalar(select(OutboundMessage).where(OutboundMessage.step_id.is_(None))) is None
    )
    client.post(f"/pitches/inbox/{reply.id}/answer", data={"body": "Great, here it is."})
    answer = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.step_id.is_(None))
    ).one()
    assert answer.mailbox_id == first.mailbox_id and answer.status is MessageStatus.QUEUED
    assert answer.in_reply_to == "<reply-1@blog.example>"
    assert answer.references == f"{first.message_id} <reply-1@blog.example>"
    assert answer.subject == reply.subject  # already "Re: ...", not "Re: Re: ..."
    assert deliver([answer.id]) == {"sent": 1}  # a Replied prospect still gets a person's answer
    sent = smtp.recorder.received[-1].message
    assert sent["In-Reply-To"] == "<reply-1@blog.example>"
    assert "List-Unsubscribe" not in sent and "Great, here it is." in sent.get_content()
    assert f'id="out-{answer.id}"' in client.get(f"/prospects/{item.id}").get_data(as_text=True)


def test_the_outbox_says_to_whom_from_where_and_why_each_message_waits(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    item, (first, follow_up) = _enrolled(factory, workspace)
    box = db.session.get_one(Mailbox, first.mailbox_id)
    box.timezone, box.sending_start_hour, box.sending_end_hour = "Europe/Berlin", 8, 18
    db.session.commit()
    # 22:30 UTC tomorrow (23:30 or 00:30 in Berlin): after the message's scheduled time,
    # whenever the test runs
    night = (utcnow() + timedelta(days=1)).replace(hour=22, minute=30, second=0, microsecond=0)
    assert why_waiting(first, box, night) == (
        "outside sending hours, next window 08:00 Europe/Berlin"
    )
    box.sending_start_hour = box.sending_end_hour = 0
    box.daily_cap = 1
    db.session.add(
        OutboundMessage(
            workspace_id=workspace.id,
            prospect_id=item.id,
            contact_id=first.contact_id,
            mailbox_id=box.id,
            status=MessageStatus.SENT,
            message_id="<earlier@ours.example>",
            subject="Earlier",
            body="x",
            # now, not a few minutes ago: a few minutes ago may be yesterday in Berlin
            sent_at=utcnow(),
        )
    )
    db.session.commit()
    assert why_waiting(first, box, utcnow()).startswith("daily cap reached (1 a day")
    page = client.get("/pitches/outbox").get_data(as_text=True)
    row = page[page.index(f'id="message-{first.id}"') :]
    row = row[: row.index("</tr>")]
    for expected in (
        "editor@blog.example",
        "blog.example",
        "Spring guest posts",
        "sender@ours.example",
        "first",
        "daily cap reached",
    ):
        assert expected in row, expected
    assert f'id="message-{follow_up.id}"' in page
    message = client.get(f"/pitches/outbox/{first.id}").get_data(as_text=True)
    assert first.subject in message and "the first message" in message
    response = client.post("/pitches/outbox/send", follow_redirects=True)
    assert "Still waiting: 1 daily cap reached" in response.get_data(as_text=True)


def test_the_outbox_shows_fifty_rows_a_page_and_pages_back_to_the_oldest(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    item, (first, _) = _enrolled(factory, workspace)
    for n in range(59):  # 61 rows with the two of the sequence
        db.session.add(
            OutboundMessage(
                workspace_id=workspace.id,
                prospect_id=item.id,
                contact_id=first.contact_id,
                mailbox_id=first.mailbox_id,
                status=MessageStatus.SENT,
                message_id=f"<old-{n}@ours.example>",
                subject=f"Old {n}",
                body="x",
                sent_at=utcnow() - timedelta(days=1),
            )
        )
    db.session.commit()
    ids = sorted(db.session.scalars(select(OutboundMessage.id)), reverse=True)
    page = client.get("/pitches/outbox").get_data(as_text=True)
    assert [i for i in ids if f'id="message-{i}"' in page] == ids[:50]
    assert f'href="/pitches/outbox?before={ids[49]}">Older' in page and "Newest" not in page
    older = client.get(f"/pitches/outbox?before={ids[49]}").get_data(as_text=True)
    assert [i for i in ids if f'id="message-{i}"' in older] == ids[50:]
    assert 'href="/pitches/outbox">← Newest' in older and "Older →" not in older
    sent = client.get("/pitches/outbox?status=sent").get_data(as_text=True)
    assert f'href="/pitches/outbox?status=sent&amp;before={ids[49]}">Older' in sent  # kept
    older_sent = client.get(f"/pitches/outbox?status=sent&before={ids[49]}").get_data(as_text=True)
    assert [i for i in ids if f'id="message-{i}"' in older_sent] == ids[50:59]  # no queued ones
    assert client.get("/pitches/outbox?before=junk").status_code == 200  # read as the first page


def test_acting_on_an_older_outbox_page_comes_back_to_it(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    _, (first, _) = _enrolled(factory, workspace)
    here = f"/pitches/outbox?before={first.id + 1}"
    page = client.get(here).get_data(as_text=True)
    assert f'name="next" value="{here}"' in page.replace("&amp;", "&")
    response = client.post(f"/pitches/outbox/{first.id}/cancel", data={"next": here})
    assert response.status_code == 302 and response.headers["Location"].endswith(here)
