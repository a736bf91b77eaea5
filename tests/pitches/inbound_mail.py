"""Real-shaped inbound mail for the poller tests, and a pitch sent through real SMTP first.

The shapes follow what the servers and clients write: Exchange Online's automatic replies
(``Auto-Submitted``, ``X-Auto-Response-Suppress``, ``Thread-Topic``/``Thread-Index``),
Gmail's vacation responder (``X-Autoreply``, ``Precedence: bulk``), a helpdesk's
acknowledgement (``auto-generated``), a challenge-response filter, an Outlook read receipt
(RFC 8098) and Outlook replies without ``In-Reply-To``/``References``.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime

from sqlalchemy import select

from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches import sequences
from outreach.pitches.models import OutboundMessage
from outreach.pitches.sending import deliver
from tests.factories import Factory
from tests.pitches import builders
from tests.support.imap import Dovecot
from tests.support.smtp import SmtpServer

ADA = "Ada Editor <editor@blog.example>"
US = "Sam Sender <sender@ours.example>"
THREAD_INDEX = "AQHbRk3fJ0x2c4q8V0O7p1tA0S2KpQ=="


def sent_pitch(factory: Factory, smtp: SmtpServer, imap: Dovecot) -> list[OutboundMessage]:
    """A two-step sequence whose first message went out through SMTP (the follow-up waits)."""
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=2)
    prospect, contact = builders.prospect(workspace, campaign)
    box = builders.mailbox(
        workspace,
        smtp.port,
        imap_host="127.0.0.1",
        imap_port=imap.port,
        imap_tls=False,
        password=Dovecot.PASSWORD,
    )
    enrollment = sequences.enroll(campaign, prospect, contact, box)
    db.session.commit()
    rows = list(
        db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.enrollment_id == enrollment.id)
            .order_by(OutboundMessage.id)
        )
    )
    deliver([r.id for r in rows])  # the plain test SMTP server has no AUTH
    box.smtp_username = Dovecot.USER  # the IMAP login
    db.session.commit()
    return rows


def _date(when: datetime | None = None) -> str:
    return format_datetime(when or utcnow())


def exchange_auto_reply(first: OutboundMessage, body: str) -> bytes:
    """Exchange Online's automatic reply (Outlook's "Automatic replies")."""
    return (
        f"From: {ADA}\r\nTo: {US}\r\nSubject: Automatic reply: {first.subject}\r\n"
        f"Thread-Topic: {first.subject}\r\nThread-Index: {THREAD_INDEX}\r\n"
        f"Date: {_date()}\r\n"
        "Message-ID: <AM9PR04MB8451A1@AM9PR04MB8451.eurprd04.prod.outlook.com>\r\n"
        f"In-Reply-To: {first.message_id}\r\nReferences: {first.message_id}\r\n"
        "Auto-Submitted: auto-replied\r\nX-Auto-Response-Suppress: All\r\n"
        "X-MS-Exchange-Inbox-Rules-Loop: editor@blog.example\r\n"
        "X-MS-Has-Attach:\r\nX-MS-TNEF-Correlator:\r\nContent-Language: en-GB\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/alternative; boundary="_000_AM9PR_"\r\n\r\n'
        '--_000_AM9PR_\r\nContent-Type: text/plain; charset="us-ascii"\r\n\r\n'
        f"{body}\r\n\r\n"
        '--_000_AM9PR_\r\nContent-Type: text/html; charset="us-ascii"\r\n\r\n'
        f"<html><body><p>{body}</p></body></html>\r\n--_000_AM9PR_--\r\n"
    ).encode()


def exchange_out_of_office_without_thread_headers(first: OutboundMessage, body: str) -> bytes:
    """An Exchange out-of-office that names no Message-ID of ours (only Thread-Topic)."""
    return (
        f"From: {ADA}\r\nTo: {US}\r\nSubject: Automatic reply: {first.subject}\r\n"
        f"Thread-Topic: {first.subject}\r\nThread-Index: {THREAD_INDEX}\r\n"
        f"Date: {_date()}\r\n"
        "Message-ID: <DB7PR02MB3961B2@DB7PR02MB3961.eurprd02.prod.outlook.com>\r\n"
        "Auto-Submitted: auto-replied\r\nX-Auto-Response-Suppress: All\r\n"
        'MIME-Version: 1.0\r\nContent-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        f"{body}\r\n"
    ).encode()


def gmail_vacation(first: OutboundMessage) -> bytes:
    """Gmail's vacation responder."""
    return (
        f"From: {ADA}\r\nTo: sender@ours.example\r\nSubject: Re: {first.subject}\r\n"
        f"Date: {_date()}\r\nMessage-ID: <CAJvac+Q1w@mail.gmail.com>\r\n"
        f"In-Reply-To: {first.message_id}\r\nReferences: {first.message_id}\r\n"
        "Auto-Submitted: auto-replied\r\nPrecedence: bulk\r\nX-Autoreply: yes\r\n"
        'MIME-Version: 1.0\r\nContent-Type: text/plain; charset="UTF-8"\r\n\r\n'
        "Hi! I'm on vacation with no access to e-mail. I'll answer when I'm back.\r\n"
    ).encode()


def helpdesk_acknowledgement(first: OutboundMessage) -> bytes:
    """A helpdesk's "request received" (Zendesk-like)."""
    return (
        "From: Blog Example Support <support@blog.example>\r\n"
        "Reply-To: Blog Example Support <support+id48213@blog.example>\r\n"
        f"To: sender@ours.example\r\nSubject: [Request received] Re: {first.subject}\r\n"
        f"Date: {_date()}\r\nMessage-ID: <Z8K3QW_a1@zendesk.com>\r\n"
        f"In-Reply-To: {first.message_id}\r\nReferences: {first.message_id}\r\n"
        "Auto-Submitted: auto-generated\r\nX-Mailer: Zendesk Mailer\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Your request (#48213) has been received and is being reviewed by our support "
        "staff.\r\n\r\nTo add additional comments, reply to this email.\r\n"
    ).encode()


def challenge_response(first: OutboundMessage) -> bytes:
    """A challenge-response spam filter asking us to prove we are a person."""
    return (
        f"From: {ADA}\r\nTo: sender@ours.example\r\n"
        f"Subject: Re: {first.subject} [Please verify your message]\r\n"
        f"Date: {_date()}\r\nMessage-ID: <cr-7731@verify.blog.example>\r\n"
        f"In-Reply-To: {first.message_id}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "I apologize for this automatic reply to your email.\r\n\r\n"
        "To control spam, I now allow incoming messages only from senders I have approved "
        "beforehand. If you would like to be added to my list of approved senders, please "
        "click the link below to verify your message:\r\n"
        "https://verify.blog.example/c/7731\r\n"
    ).encode()


def read_receipt(first: OutboundMessage) -> bytes:
    """Outlook's read receipt: a message disposition notification (RFC 8098)."""
    return (
        f"From: {ADA}\r\nTo: {US}\r\nSubject: Read: {first.subject}\r\n"
        f"Date: {_date()}\r\nMessage-ID: <mdn-55@blog.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=disposition-notification;\r\n"
        '\tboundary="----=_NextPart_MDN"\r\n\r\n'
        '------=_NextPart_MDN\r\nContent-Type: text/plain; charset="utf-8"\r\n\r\n'
        f"Your message\r\n\r\n  To: Ada Editor\r\n  Subject: {first.subject}\r\n\r\n"
        "was read on 04/12/2026 14:02.\r\n\r\n"
        "------=_NextPart_MDN\r\nContent-Type: message/disposition-notification\r\n\r\n"
        "Reporting-UA: blog.example; Microsoft Outlook 16.0\r\n"
        "Final-Recipient: rfc822;editor@blog.example\r\n"
        f"Original-Message-ID: {first.message_id}\r\n"
        "Disposition: manual-action/MDN-sent-manually; displayed\r\n\r\n"
        "------=_NextPart_MDN--\r\n"
    ).encode()


def outlook_reply(first: OutboundMessage, sender: str = ADA, message_id: str = "") -> bytes:
    """An Outlook reply with only Thread-Index/Thread-Topic and ``RE: <subject>``."""
    return (
        f"From: {sender}\r\nTo: {US}\r\nSubject: RE: {first.subject}\r\n"
        f"Thread-Topic: {first.subject}\r\nThread-Index: {THREAD_INDEX}\r\n"
        f"Date: {_date()}\r\n"
        f"Message-ID: {message_id or '<VI1PR08MB5325C3@VI1PR08MB5325.eurprd08.prod.outlook.com>'}"
        "\r\nContent-Language: en-GB\r\nMIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="us-ascii"\r\n\r\n'
        "Yes, happy to take a guest post. Could you send two topic ideas?\r\n\r\n"
        "Ada\r\n\r\n"
        "________________________________\r\n"
        f"From: {US}\r\nSent: Thursday, December 3, 2026 10:00 AM\r\n"
        f"To: {ADA}\r\nSubject: {first.subject}\r\n\r\n"
        "I liked Ten trails on blog.example.\r\nOur guide: https://ours.example/guide\r\n"
    ).encode()


def unrelated(n: int = 1) -> bytes:
    """A newsletter that has nothing to do with our outreach."""
    return (
        "From: News <news@shop.example>\r\nTo: sender@ours.example\r\n"
        f"Subject: This week's deals {n}\r\nMessage-ID: <deals-{n}@shop.example>\r\n"
        "Precedence: bulk\r\n\r\nBuy things.\r\n"
    ).encode()
