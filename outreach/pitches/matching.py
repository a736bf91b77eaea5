"""Which sent message an inbound one answers: by headers first, then by sender and subject.

1. ``In-Reply-To`` and ``References`` naming a Message-ID we sent: certain.
2. Outlook may send neither (only ``Thread-Index``/``Thread-Topic`` and ``RE: <subject>``):
   the sender's address against what we sent it lately, with the subject normalised
   (``Re:``, ``AW:``, ``SV:``, ``Fwd:``, "Automatic reply:" and ``[tags]`` stripped). One
   prospect sent that subject: certain.
3. Anything else that points at our outreach (a known sender with another subject, several
   prospects, the subject from another address, the sender's domain) is uncertain: the
   prospects it may belong to are suggested and a person decides in the inbox.
4. Nothing at all: not ours (newsletters, other mail); it is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import Message

from sqlalchemy import func, or_, select

from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches.models import MessageStatus, OutboundMessage
from outreach.prospects.models import Contact, Prospect, ProspectContact

RECENT = timedelta(days=180)
MAX_CANDIDATES = 10
# Many unrelated people write from these: a shared domain says nothing about who it is.
FREEMAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
        "yandex.ru",
        "mail.ru",
        "orange.fr",
        "free.fr",
    }
)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|antw|wg|fw|fwd|tr|rv|r|odp|ynt|réf|ref|read|lu|gelesen|le[ií]do|"
    r"automatic reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply|auto|"
    r"out of (?:the )?office(?: reply)?|abwesenheitsnotiz|automatische antwort|"
    r"r[ée]ponse automatique|respuesta autom[áa]tica|autosvar)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*:\s*|\[[^\]]*\]\s*)+",
    re.IGNORECASE,
)


def normalise_subject(subject: str) -> str:
    """A subject without reply, forward and automatic prefixes or tags, case-folded."""
    return " ".join(_PREFIX.sub("", subject or "").split()).casefold()


def message_ids(value: str | None) -> list[str]:
    """The ``<...>`` Message-IDs in a header value."""
    return _MESSAGE_ID.findall(value or "")


@dataclass
class Match:
    """The outcome: a certain match (``sent``) or the prospects an uncertain one may be."""

    sent: OutboundMessage | None = None
    method: str = ""
    candidates: list[int] = field(default_factory=list)

    @property
    def certain(self) -> bool:
        """Whether the message answers one known sent message."""
        return self.sent is not None


def find_sent(workspace_id: int, ids: list[str]) -> OutboundMessage | None:
    """The latest message we sent among these Message-IDs."""
    if not ids:
        return None
    return db.session.scalar(
        select(OutboundMessage)
        .where(OutboundMessage.workspace_id == workspace_id, OutboundMessage.message_id.in_(ids))
        .order_by(OutboundMessage.id.desc())
        .limit(1)
    )


def _sent_to(workspace_id: int, sender: str) -> list[OutboundMessage]:
    if not sender:
        return []
    return list(
        db.session.scalars(
            select(OutboundMessage)
            .join(Contact, Contact.id == OutboundMessage.contact_id)
            .where(
                OutboundMessage.workspace_id == workspace_id,
                OutboundMessage.status == MessageStatus.SENT,
                OutboundMessage.sent_at >= utcnow() - RECENT,
                func.lower(Contact.email) == sender.lower(),
            )
            .order_by(OutboundMessage.sent_at.desc(), OutboundMessage.id.desc())
            .limit(200)
        )
    )


def _distinct(ids: list[int]) -> list[int]:
    return list(dict.fromkeys(ids))[:MAX_CANDIDATES]


def candidates(workspace_id: int, sender: str, subject: str) -> list[int]:
    """Prospects an inbound message may belong to: sent it, sent that subject, its domain."""
    found = [m.prospect_id for m in _sent_to(workspace_id, sender)]
    key = normalise_subject(subject)
    if key:
        rows = db.session.scalars(
            select(OutboundMessage)
            .where(
                OutboundMessage.workspace_id == workspace_id,
                OutboundMessage.status == MessageStatus.SENT,
                OutboundMessage.sent_at >= utcnow() - RECENT,
                func.lower(OutboundMessage.subject).in_([key, f"re: {key}"]),
            )
            .order_by(OutboundMessage.id.desc())
            .limit(50)
        )
        found += [m.prospect_id for m in rows if normalise_subject(m.subject) == key]
    domain = sender.rpartition("@")[2].lower()
    if domain and domain not in FREEMAIL:
        of_contacts = (
            select(ProspectContact.prospect_id)
            .join(Contact, Contact.id == ProspectContact.contact_id)
            .where(Contact.workspace_id == workspace_id, func.lower(Contact.domain) == domain)
        )
        found += db.session.scalars(
            select(Prospect.id)
            .where(
                Prospect.workspace_id == workspace_id,
                or_(func.lower(Prospect.domain) == domain, Prospect.id.in_(of_contacts)),
                Prospect.id.in_(
                    select(OutboundMessage.prospect_id).where(
                        OutboundMessage.workspace_id == workspace_id,
                        OutboundMessage.status == MessageStatus.SENT,
                    )
                ),
            )
            .order_by(Prospect.id.desc())
            .limit(MAX_CANDIDATES)
        ).all()
    return _distinct(found)


def _receipt_ids(message: Message) -> list[str]:
    """``Original-Message-ID`` of a read receipt's notification part (RFC 8098)."""
    ids: list[str] = []
    for part in message.walk():
        if part.get_content_type() != "message/disposition-notification":
            continue
        blocks = part.get_payload()
        for block in blocks if isinstance(blocks, list) else []:
            if isinstance(block, Message):
                ids += message_ids(str(block.get("Original-Message-ID", "")))
    return ids


def match(workspace_id: int, message: Message, sender: str) -> Match | None:
    """The sent message this answers, or the candidates when unsure; None when not ours."""
    ids = (
        message_ids(str(message.get("In-Reply-To", "")))
        + message_ids(str(message.get("References", "")))
        + _receipt_ids(message)
    )
    sent = find_sent(workspace_id, ids)
    if sent is not None:
        return Match(sent, "headers")
    subject = str(message.get("Subject", "") or "") or str(message.get("Thread-Topic", "") or "")
    key = normalise_subject(subject)
    known = _sent_to(workspace_id, sender)
    same = [m for m in known if key and normalise_subject(m.subject) == key]
    if same and len({m.prospect_id for m in same}) == 1:
        return Match(same[0], "sender and subject")
    found = candidates(workspace_id, sender, subject)
    if same:  # one sender, that subject, several prospects: theirs first
        found = _distinct([m.prospect_id for m in same] + found)
    return Match(None, "", found) if found else None
