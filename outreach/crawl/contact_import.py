"""Saving contacts: found by a crawl, typed in by hand, or imported from CSV. Callers commit.

A contact is one per address per workspace, whatever the campaign: every path here
finds the existing row first and only fills in what it lacks.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from outreach.crawl.contacts import FoundEmail, clean_email, name_for
from outreach.extensions import db
from outreach.prospects.models import Contact, Prospect, ProspectContact
from outreach.urls import MAX_DOMAIN_LENGTH, InvalidURL, registrable_domain
from outreach.web import shorten

MAX_CSV_ROWS = 20_000
MAX_CSV_BYTES = 10 * 1024 * 1024
MAX_ERRORS = 100  # row errors kept for the result page; the rest are only counted
PROGRESS_EVERY = 200
MAX_EMAIL_LENGTH = 320  # RFC 3696's longest address


class ContactError(ValueError):
    """Contact input that cannot be used, with a message for the user."""


def _same_address(workspace_id: int, email: str) -> Contact | None:
    """The workspace's contact of this address, whatever the case it was first written in."""
    return db.session.scalars(
        select(Contact)
        .where(Contact.workspace_id == workspace_id, func.lower(Contact.email) == email.lower())
        .order_by(Contact.id)
    ).first()


def _get_or_create(workspace_id: int, email: str) -> tuple[Contact, bool]:
    contact = _same_address(workspace_id, email)
    if contact is not None:
        return contact, False
    contact = Contact(workspace_id=workspace_id, email=email, social_profiles=[])
    try:
        with db.session.begin_nested():  # another job may add the same address at the same time
            db.session.add(contact)
    except IntegrityError:
        existing = _same_address(workspace_id, email)
        if existing is None:
            raise
        return existing, False
    return contact, True


def _fill(contact: Contact, first: str, last: str, domain: str) -> None:
    if first and not contact.first_name:
        contact.first_name = first[:120]
    if last and not contact.last_name:
        contact.last_name = last[:120]
    if domain and not contact.domain:
        contact.domain = domain[:255]


def link_to_prospect(contact: Contact, prospect: Prospect, primary: bool = False) -> bool:
    """Attach a contact to a prospect once; returns True when a new link was made."""
    exists = db.session.get(ProspectContact, (prospect.id, contact.id))
    if exists is not None:
        return False
    has_primary = db.session.scalar(
        select(ProspectContact.contact_id).where(
            ProspectContact.prospect_id == prospect.id, ProspectContact.is_primary.is_(True)
        )
    )
    db.session.add(
        ProspectContact(
            prospect_id=prospect.id, contact_id=contact.id, is_primary=primary and not has_primary
        )
    )
    db.session.flush()
    return True


def _prospect(workspace_id: int, campaign_id: int | None, domain: str) -> Prospect | None:
    if campaign_id is None or not domain:
        return None
    return db.session.scalar(
        select(Prospect).where(
            Prospect.workspace_id == workspace_id,
            Prospect.campaign_id == campaign_id,
            Prospect.domain == domain,
        )
    )


def save_found_contacts(
    workspace_id: int,
    campaign_id: int,
    domain: str,
    ranked: Sequence[FoundEmail],
    authors: Iterable[str],
    social: Sequence[str],
) -> int:
    """Store a site's addresses (best first) and link them to its prospect; returns new ones."""
    prospect = _prospect(workspace_id, campaign_id, domain)
    authors = list(authors)
    created = 0
    for index, found in enumerate(ranked):
        contact, new = _get_or_create(workspace_id, found.email)
        created += new
        if new:
            contact.source, contact.source_url = "crawl", found.source_url
            contact.role_address = found.role
        first, last = name_for(found, authors)
        _fill(contact, first, last, domain)
        merged = list(contact.social_profiles or [])
        merged += [s for s in social if s not in merged]
        contact.social_profiles = merged[:20]
        if prospect is not None:
            link_to_prospect(contact, prospect, primary=index == 0)
    return created


def link_domain_contacts(workspace_id: int, campaign_id: int, domains: Iterable[str]) -> int:
    """Link the workspace's contacts of each domain to that domain's prospect; returns links."""
    linked = 0
    for domain in domains:
        prospect = _prospect(workspace_id, campaign_id, domain)
        if prospect is None:
            continue
        contacts = db.session.scalars(
            select(Contact)
            .where(Contact.workspace_id == workspace_id, Contact.domain == domain)
            .order_by(Contact.role_address, Contact.id)
        )
        for index, contact in enumerate(contacts):
            linked += link_to_prospect(contact, prospect, primary=index == 0)
    return linked


def add_contact(
    workspace_id: int,
    email: str,
    first_name: str = "",
    last_name: str = "",
    domain: str = "",
    campaign_id: int | None = None,
    source: str = "manual",
) -> tuple[Contact, bool]:
    """Add (or complete) one contact by hand; returns it and whether it is new."""
    found = clean_email(email) if len(email) <= MAX_EMAIL_LENGTH else None
    if found is None:
        raise ContactError(f"{shorten(email, 80)!r} is not a valid e-mail address.")
    try:
        if len(domain) > MAX_DOMAIN_LENGTH:
            raise InvalidURL("too long")
        site = registrable_domain(domain.strip()) if domain.strip() else found.domain
    except InvalidURL as exc:
        raise ContactError(f"{shorten(domain, 80)!r} is not a domain.") from exc
    contact, created = _get_or_create(workspace_id, found.email)
    if created:
        contact.source, contact.role_address = source, found.role
    _fill(contact, first_name.strip(), last_name.strip(), site)
    prospect = _prospect(workspace_id, campaign_id, contact.domain)
    if prospect is not None:
        link_to_prospect(contact, prospect, primary=True)
    return contact, created


@dataclass
class CsvResult:
    """What a CSV import did: counts, and the first ``MAX_ERRORS`` row errors."""

    created: int = 0
    existing: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)

    def reject(self, message: str) -> None:
        """Count a row that could not be used, keeping its message while there is room."""
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(shorten(message, 300))


def _decode(raw: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without a BOM) or UTF-16 with a BOM."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise ContactError(
            f"Row {row}: this is not UTF-8 text (byte {exc.start + 1:,}). Save the file as "
            "“CSV UTF-8” and import it again; nothing was imported."
        ) from exc
    if "\x00" in text:
        row = text[: text.index("\x00")].count("\n") + 1
        raise ContactError(f"Row {row}: this is not a text file (it holds NUL characters).")
    return text


def _rows(reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """``(row number, row)`` pairs, the header being row 1; a broken row is a ContactError."""
    number = 1
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            reason = str(exc)
            if "field limit" in reason:
                reason = f"a field is longer than {csv.field_size_limit():,} characters"
            raise ContactError(f"Row {number}: {reason}; nothing was imported.") from exc
        yield number, row


def import_csv(
    workspace_id: int,
    stream: IO[bytes],
    campaign_id: int | None = None,
    progress: Callable[[int, CsvResult], None] | None = None,
) -> CsvResult:
    """Import contacts from CSV with columns email, first_name, last_name, domain.

    Bad rows are counted and described; a file that cannot be read as CSV at all (not
    text, a field over the csv module's limit) raises :class:`ContactError` naming the
    row, and the caller rolls back.
    """
    raw = stream.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        raise ContactError("The file is larger than 10 MB; split it.")
    text = _decode(raw)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        raise ContactError(f"Row 1: {exc}; nothing was imported.") from exc
    fields = {(name or "").strip().lower(): name for name in fieldnames}
    if "email" not in fields:
        raise ContactError(
            "The file needs an 'email' column (and optionally first_name, last_name, domain)."
        )
    result = CsvResult()
    for number, row in _rows(reader):
        if number > MAX_CSV_ROWS + 1:
            result.errors.append(f"Stopped after {MAX_CSV_ROWS:,} rows.")
            break
        value = {key: (row.get(name) or "").strip() for key, name in fields.items()}
        try:
            _, created = add_contact(
                workspace_id,
                value.get("email", ""),
                value.get("first_name", ""),
                value.get("last_name", ""),
                value.get("domain", ""),
                campaign_id,
                source="csv",
            )
        except ContactError as exc:
            result.reject(f"Row {number}: {exc}")
        else:
            result.created += created
            result.existing += not created
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number - 1, result)
    return result
