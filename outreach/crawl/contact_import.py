"""Saving contacts: found by a crawl, typed in by hand, or imported from CSV. Callers commit.

A contact is one per address per workspace, whatever the campaign: every path here
finds the existing row first and only fills in what it lacks.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from outreach.crawl.contacts import FoundEmail, clean_email, name_for
from outreach.extensions import db
from outreach.prospects.models import Contact, Prospect, ProspectContact
from outreach.urls import InvalidURL, registrable_domain

MAX_CSV_ROWS = 20_000


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
    found = clean_email(email)
    if found is None:
        raise ContactError(f"{email!r} is not a valid e-mail address.")
    try:
        site = registrable_domain(domain.strip()) if domain.strip() else found.domain
    except InvalidURL as exc:
        raise ContactError(f"{domain!r} is not a domain.") from exc
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
    """What a CSV import did."""

    created: int = 0
    existing: int = 0
    errors: list[str] = field(default_factory=list)


def import_csv(workspace_id: int, stream: IO[bytes], campaign_id: int | None = None) -> CsvResult:
    """Import contacts from CSV with columns email, first_name, last_name, domain."""
    raw = stream.read(10 * 1024 * 1024 + 1)
    if len(raw) > 10 * 1024 * 1024:
        raise ContactError("The file is larger than 10 MB; split it.")
    text = raw.decode("utf-8-sig", errors="replace")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    fields = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
    if "email" not in fields:
        raise ContactError(
            "The file needs an 'email' column (and optionally first_name, last_name, domain)."
        )
    result = CsvResult()
    for number, row in enumerate(reader, start=2):
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
            if len(result.errors) < 100:
                result.errors.append(f"Row {number}: {exc}")
            continue
        if created:
            result.created += 1
        else:
            result.existing += 1
    return result
