"""Reply and bounce detection: polling a mailbox over IMAP.

Each poll fetches the INBOX messages with a UID above the last one seen and hands each to
:func:`outreach.pitches.inbound.process`, which decides what it is. UIDs only hold within
one UIDVALIDITY (RFC 3501 2.3.1.1): it is stored with the last UID, and when the server
changes it (a restored or migrated mailbox numbers its messages from 1 again) the poll
rescans by date, from the day of the last poll less a margin, and the Message-IDs already
stored keep anything from being recorded twice. One poll reads at most
:data:`MAX_MESSAGES_PER_POLL` messages, oldest first, so a full mailbox is read over a few
polls instead of holding a mail worker for minutes.

The connection obeys the mail policy (:mod:`outreach.net.mail`): a refused or failed one
raises :class:`~outreach.net.mail.MailRefused` with a plain reason.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from imapclient import IMAPClient

from outreach.db import utcnow
from outreach.extensions import db
from outreach.net.mail_imap import open_imap
from outreach.net.settings import mail_policy_from_config
from outreach.pitches import inbound
from outreach.pitches.mailboxes import decrypt_password
from outreach.pitches.models import Mailbox

FETCH_CHUNK = 100
MAX_MESSAGES_PER_POLL = 300  # a poll stops here; the next one reads on from the last UID
RESCAN_MARGIN = timedelta(days=2)


def _new_uids(client: IMAPClient, mailbox: Mailbox, validity: int | None) -> list[int]:
    """UIDs to read: above the last one seen, or since the last poll when UIDs were renewed."""
    if validity is not None and mailbox.imap_uidvalidity not in (None, validity):
        since = (mailbox.last_imap_poll_at or utcnow()) - RESCAN_MARGIN
        mailbox.last_imap_uid = 0
        return sorted(client.search(["SINCE", since.date()]))
    last = mailbox.last_imap_uid
    return sorted(u for u in client.search(["UID", f"{last + 1}:*"]) if u > last)


def poll(mailbox: Mailbox, timeout: float | None = None) -> dict[str, int]:
    """Read new messages; returns counts of what was found ('replies', 'bounces' and
    'unmatched' always, others such as 'auto_replies' or 'needs_look' when they occur)."""
    counts = {"replies": 0, "bounces": 0, "unmatched": 0}
    started = utcnow()
    overrides = {} if timeout is None else {"timeout": timeout}
    policy = mail_policy_from_config(current_app.config, **overrides)
    with open_imap(
        mailbox.imap_host,
        mailbox.imap_port,
        mailbox.imap_tls,
        mailbox.smtp_username or mailbox.from_email,
        lambda: decrypt_password(mailbox),
        policy,
    ) as client:
        selected = client.select_folder("INBOX", readonly=True)
        validity = int(selected.get(b"UIDVALIDITY", 0) or 0) or None
        uids = _new_uids(client, mailbox, validity)[:MAX_MESSAGES_PER_POLL]
        mailbox.imap_uidvalidity = validity
        db.session.commit()
        for start in range(0, len(uids), FETCH_CHUNK):
            chunk = uids[start : start + FETCH_CHUNK]
            fetched = client.fetch(chunk, ["BODY.PEEK[]"])
            for uid in chunk:
                raw = fetched.get(uid, {}).get(b"BODY[]")
                if isinstance(raw, bytes):
                    found = inbound.process(mailbox, raw)
                    counts[found] = counts.get(found, 0) + 1
                mailbox.last_imap_uid = max(mailbox.last_imap_uid, uid)
                db.session.commit()
    mailbox.last_imap_poll_at = started
    db.session.commit()
    return counts
