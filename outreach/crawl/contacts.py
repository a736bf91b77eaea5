"""Finding contacts on a prospect's pages: e-mail addresses, author names, social profiles."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from email_validator import EmailNotValidError, validate_email
from lxml import etree

from outreach.links.html import ParsedPage, visible_text
from outreach.urls import InvalidURL, ascii_email, registrable_domain

_ROLE_WORDS = (
    "info contact contacts hello hi editor editors editorial admin administrator support office"
    " team press media marketing sales webmaster mail enquiries enquiry inquiries inquiry"
    " redaktion kontakt news newsletter help feedback ads advertising partnerships partners"
    " submissions submit jobs careers hr billing service privacy legal abuse postmaster"
    " hostmaster guestpost guestposts write writers contributors pr events booking bookings"
    " general redaccion contacto"
)
ROLE_LOCALS = frozenset(_ROLE_WORDS.split())
NO_REPLY = re.compile(r"^(no-?reply|do-?not-?reply|mailer-daemon|bounce)", re.I)
NOT_A_MAILBOX_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".css", ".js")
SOCIAL_HOSTS = {
    "twitter.com": "twitter",
    "x.com": "twitter",
    "linkedin.com": "linkedin",
    "facebook.com": "facebook",
    "instagram.com": "instagram",
    "youtube.com": "youtube",
    "pinterest.com": "pinterest",
    "tiktok.com": "tiktok",
    "github.com": "github",
    "mastodon.social": "mastodon",
    "threads.net": "threads",
    "bsky.app": "bluesky",
}
_SOCIAL_SKIP = re.compile(r"/(share|sharer|intent|hashtag|home|search|login|dialog)\b", re.I)
CONTACT_PATH = re.compile(
    r"(contact|kontakt|contacto|about|ueber-uns|uber-uns|impressum|imprint|team|staff"
    r"|author|authors|write-for-us|contribute|guest-post|masthead|redaktion)",
    re.I,
)

_AT = r"\s*(?:@|\[\s*at\s*\]|\(\s*at\s*\)|\{\s*at\s*\}|\s+at\s+(?=\S+\s+(?:dot|\[dot\])))\s*"
_DOT = r"(?:\.|\s*\[\s*dot\s*\]\s*|\s*\(\s*dot\s*\)\s*|\s*\{\s*dot\s*\}\s*|\s+dot\s+)"
_EMAIL = re.compile(
    r"(?<![\w.+-])([A-Za-z0-9][\w.+-]{0,63})"
    + _AT
    + r"((?:[A-Za-z0-9-]{1,63}"
    + _DOT
    + r")+[A-Za-z]{2,24})(?![\w-])",
    re.I,
)
_DOT_SPLIT = re.compile(_DOT, re.I)
_BYLINE = re.compile(r"^\s*(?:by|von|por|par|di|door)\s+([A-Z][\w'.-]+(?:\s+[A-Z][\w'.-]+){0,3})")
_Element = etree._Element


@dataclass
class FoundEmail:
    """One address found on a page, validated and normalised."""

    email: str
    domain: str
    role: bool
    source_url: str
    name: str = ""


@dataclass
class PageContacts:
    """Everything contact-like on one page."""

    emails: list[FoundEmail] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    social_profiles: list[str] = field(default_factory=list)


def is_contact_page(url: str, depth: int) -> bool:
    """True for a homepage or a contact, about, author or write-for-us page."""
    path = urlsplit(url).path
    return (depth == 0 and path in ("", "/")) or bool(CONTACT_PATH.search(path))


def clean_email(raw: str, source_url: str = "") -> FoundEmail | None:
    """A validated address (domain in ASCII), or None for junk, images and no-reply addresses."""
    text = unquote(raw).strip().strip(".,;:<>()[]\"'").split("?", 1)[0]
    if not text or text.lower().endswith(NOT_A_MAILBOX_SUFFIXES) or NO_REPLY.match(text):
        return None
    try:
        valid = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return None
    local, domain = valid.local_part, valid.domain.lower()
    # Stored with the local part as given (it may be case-sensitive, RFC 5321) and the domain in
    # ASCII (punycode); pages show the domain in Unicode again.
    email = ascii_email(f"{local}@{domain}")
    return FoundEmail(email, domain, is_role_address(local), source_url)


def is_role_address(local: str) -> bool:
    """True for shared mailboxes such as info@, editor@, contact@, hello@."""
    base = re.split(r"[+._-]", local.lower(), maxsplit=1)[0]
    return local.lower() in ROLE_LOCALS or base in ROLE_LOCALS


def emails_in_text(text: str) -> Iterator[str]:
    """Addresses in text, including "name [at] site [dot] com" and "name(at)site.com"."""
    for match in _EMAIL.finditer(text):
        host = ".".join(part for part in _DOT_SPLIT.split(match.group(2)) if part)
        yield f"{match.group(1)}@{host}"


def _json_ld_authors(data: Any) -> Iterator[str]:
    if isinstance(data, list):
        for item in data:
            yield from _json_ld_authors(item)
    elif isinstance(data, dict):
        for key, value in data.items():
            if key in ("author", "creator"):
                for person in value if isinstance(value, list) else [value]:
                    if isinstance(person, dict) and isinstance(person.get("name"), str):
                        yield person["name"]
                    elif isinstance(person, str):
                        yield person
            elif isinstance(value, dict | list):
                yield from _json_ld_authors(value)


def _authors(root: _Element) -> Iterator[str]:
    for script in root.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json" and script.text:
            try:
                yield from _json_ld_authors(json.loads(script.text))
            except ValueError:
                continue
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if "author" in (element.get("itemprop") or "").split():
            named = element.find(".//*[@itemprop='name']")
            yield (
                (named.get("content") or visible_text(named))
                if named is not None
                else (element.get("content") or visible_text(element))
            )
        elif element.tag == "a" and "author" in (element.get("rel") or "").lower().split():
            yield visible_text(element)
        elif element.tag == "meta" and (element.get("name") or "").lower() == "author":
            yield element.get("content") or ""
        elif "byline" in (element.get("class") or "").lower():
            found = _BYLINE.match(visible_text(element))
            if found:
                yield found.group(1)


def _social(links: Iterable[str]) -> Iterator[str]:
    for href in links:
        parts = urlsplit(href)
        host = (parts.hostname or "").lower().removeprefix("www.")
        host = host.removeprefix("m.").removeprefix("de.").removeprefix("uk.")
        if host in SOCIAL_HOSTS and parts.path.strip("/") and not _SOCIAL_SKIP.search(parts.path):
            yield f"https://{host}{parts.path.rstrip('/')}"


def _unique(values: Iterable[str], limit: int = 20) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        value = " ".join(value.split())
        if value and len(value) <= 120 and len(seen) < limit:
            seen.setdefault(value, None)
    return list(seen)


def extract_contacts(html: str, page: ParsedPage) -> PageContacts:
    """Addresses (mailto and text, obfuscated forms too), authors and social links of a page."""
    found = PageContacts()
    parser = etree.HTMLParser(remove_comments=True, huge_tree=False)
    try:
        root = etree.fromstring(html, parser) if html.strip() else None
    except (etree.LxmlError, ValueError):
        root = None
    raw: list[str] = []
    if root is not None:
        raw += [
            a.get("href", "")[7:]
            for a in root.iter("a")
            if a.get("href", "").lower().startswith("mailto:")
        ]
        found.authors = _unique(_authors(root))
    raw += list(emails_in_text(page.text))
    seen: set[str] = set()
    for candidate in raw:
        for part in candidate.split(","):
            email = clean_email(part, page.url)
            if email and email.email not in seen:
                seen.add(email.email)
                found.emails.append(email)
    found.social_profiles = _unique(_social(link.href for link in page.links))
    return found


def rank_emails(emails: Iterable[FoundEmail], site_domain: str) -> list[FoundEmail]:
    """Best first: addresses on the prospect's own domain, people before shared mailboxes."""

    def on_site(email: FoundEmail) -> bool:
        try:
            return registrable_domain(email.domain) == site_domain
        except InvalidURL:
            return False

    return sorted(emails, key=lambda e: (not on_site(e), e.role, e.email))


def name_for(email: FoundEmail, authors: Iterable[str]) -> tuple[str, str]:
    """(first, last) of the author whose name the address's local part spells, else blanks."""
    local = re.sub(r"[^a-z]", "", email.email.split("@", 1)[0].lower())
    for author in authors:
        parts = [p for p in re.split(r"\s+", author.strip()) if p]
        if not parts or email.role:
            continue
        first, last = parts[0], " ".join(parts[1:])
        words = [re.sub(r"[^a-z]", "", p.lower()) for p in parts]
        if any(len(w) >= 3 and w in local for w in words):
            return first, last
    return "", ""


MxCheck = Callable[[str], bool]


def has_mx(domain: str) -> bool:
    """Whether ``domain`` accepts mail (MX, or A fallback) according to DNS; True if unsure."""
    try:
        validate_email(f"postmaster@{domain}", check_deliverability=True, timeout=5)
    except EmailNotValidError:
        return False
    except Exception:  # DNS unreachable: do not throw addresses away for that
        return True
    return True
