"""Writing what a crawl found, in batches: pages, opportunities, crawl backlinks, sites.

Runs inside the job's transaction (the caller commits). Every write is an upsert, so a
re-run of the same crawl (RQ delivers at least once) updates rows instead of doubling them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from outreach.backlinks.batches import LoadTarget
from outreach.backlinks.models import DataSource, Domain
from outreach.backlinks.records import link_key, rank, record
from outreach.backlinks.writers import writer_for
from outreach.crawl import contacts as found_contacts
from outreach.crawl.contact_import import save_found_contacts
from outreach.crawl.models import CrawlPage, CrawlRun, CrawlSite, Opportunity
from outreach.crawl.outcome import PageOutcome
from outreach.db import utcnow
from outreach.extensions import db
from outreach.prospects.models import OpportunityKind
from outreach.urls import InvalidURL, registrable_domain


def url_key(url: str) -> str:
    """A fixed-width key of a URL, for the unique index of pages within a run."""
    return hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()


def _insert(table: Any) -> Any:
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table.__table__)


@dataclass
class SiteTally:
    pages: int = 0
    kinds: set[str] = field(default_factory=set)
    emails: dict[str, found_contacts.FoundEmail] = field(default_factory=dict)
    authors: list[str] = field(default_factory=list)
    social: list[str] = field(default_factory=list)


class CrawlStore:
    """Collects page outcomes from the crawler and writes them on :meth:`flush`."""

    def __init__(self, run: CrawlRun, *, check_mx: bool = False) -> None:
        self.run_id = run.id
        self.workspace_id = run.workspace_id
        self.campaign_id = run.campaign_id
        self.check_mx = check_mx
        self.buffer: list[PageOutcome] = []
        self.sites: dict[str, SiteTally] = {}
        self.link_keys: set[int] = set()
        self._mx: dict[str, bool] = {}

    def add(self, outcome: PageOutcome) -> None:
        """Keep one outcome for the next flush (the crawler's sink)."""
        self.buffer.append(outcome)

    def flush(self) -> int:
        """Write the buffered outcomes; returns how many pages were written."""
        batch, self.buffer = self.buffer, []
        if not batch:
            return 0
        ids = self._pages(batch)
        self._opportunities(batch, ids)
        self._backlinks(batch)
        touched = self._collect_sites(batch)
        self._sites(touched)
        return len(batch)

    def counters(self) -> dict[str, int]:
        """Opportunities, backlinks and contacts found so far by this run."""
        opportunities = db.session.scalar(
            select(func.count(Opportunity.id)).where(Opportunity.run_id == self.run_id)
        )
        emails = sum(len(s.emails) for s in self.sites.values())
        return {
            "opportunities_found": int(opportunities or 0),
            "backlinks_found": len(self.link_keys),
            "contacts_found": emails,
        }

    def _pages(self, batch: Sequence[PageOutcome]) -> dict[str, int]:
        now = utcnow()
        rows = {}
        for o in batch:
            rows[url_key(o.url)] = {
                "run_id": self.run_id,
                "workspace_id": self.workspace_id,
                "url": o.url,
                "url_key": url_key(o.url),
                "final_url": o.final_url,
                "domain": o.domain[:255],
                "depth": o.depth,
                "http_status": o.status,
                "error_kind": o.error_kind,
                "error": o.error,
                "title": o.title,
                "outbound_links": o.outbound_links,
                "competitor_links": len(o.target_links),
                "opportunity_types": sorted({f.kind.value for f in o.findings}),
                "fetched_at": now,
            }
        stmt = _insert(CrawlPage)
        updated = {c: stmt.excluded[c] for c in next(iter(rows.values())) if c != "url_key"}
        db.session.execute(
            stmt.on_conflict_do_update(index_elements=["run_id", "url_key"], set_=updated),
            list(rows.values()),
        )
        found = db.session.execute(
            select(CrawlPage.url_key, CrawlPage.id).where(
                CrawlPage.run_id == self.run_id, CrawlPage.url_key.in_(list(rows))
            )
        )
        return {key: page_id for key, page_id in found}

    def _opportunities(self, batch: Sequence[PageOutcome], ids: dict[str, int]) -> None:
        rows = [
            {
                "run_id": self.run_id,
                "page_id": ids[url_key(o.url)],
                "workspace_id": self.workspace_id,
                "campaign_id": self.campaign_id,
                "domain": o.domain,
                "page_url": o.final_url or o.url,
                "kind": finding.kind,
                "detail": finding.detail,
            }
            for o in batch
            for finding in o.findings
        ]
        if o_links := [o for o in batch if o.target_links]:
            rows += [
                {
                    "run_id": self.run_id,
                    "page_id": ids[url_key(o.url)],
                    "workspace_id": self.workspace_id,
                    "campaign_id": self.campaign_id,
                    "domain": o.domain,
                    "page_url": o.final_url or o.url,
                    "kind": OpportunityKind.COMPETITOR_LINK,
                    "detail": {"links": [link.as_json() for link in o.target_links[:20]]},
                }
                for o in o_links
            ]
        if rows:
            stmt = _insert(Opportunity)
            db.session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["run_id", "page_id", "kind"],
                    set_={"detail": stmt.excluded.detail, "page_url": stmt.excluded.page_url},
                ),
                rows,
            )

    def _backlinks(self, batch: Sequence[PageOutcome]) -> None:
        """Write the links to competitors through the backlink writer, as imports do."""
        now = utcnow()
        conn = db.session.connection()
        for_sqlite = conn.dialect.name == "sqlite"
        rows: dict[int, tuple[Any, ...]] = {}
        best: dict[int, dict[str, Any]] = {}
        domains: set[str] = set()
        for o in batch:
            source = o.final_url or o.url
            for link in o.target_links:
                try:
                    target_domain = registrable_domain(link.href)
                except InvalidURL:
                    continue
                key = link_key(source, link.href)
                fields = {
                    "link_key": key, "source_url": source, "source_domain": o.domain,
                    "source_title": o.title, "target_url": link.href,
                    "target_domain": target_domain, "anchor": link.anchor,
                    "nofollow": "nofollow" in link.rel, "ugc": "ugc" in link.rel,
                    "sponsored": "sponsored" in link.rel,
                    "language": (o.lang or "")[:16] or None,
                    "placement": link.placement[:16] or None,
                    "first_seen": now, "last_seen": now,
                }  # fmt: skip
                if key in best and rank(best[key]) > rank(fields):
                    continue  # the page links there twice: keep the better link
                best[key] = fields
                rows[key] = record(fields, for_sqlite)
                domains.add(o.domain)
        if not rows:
            return
        self.link_keys.update(rows)
        writer = writer_for(conn, LoadTarget(self.workspace_id, None, DataSource.CRAWL))
        try:
            writer.write(list(rows.values()))
            writer.finish()
        finally:
            writer.close()
        stmt = _insert(Domain)
        db.session.execute(
            stmt.on_conflict_do_nothing(index_elements=["name"]),
            [
                {"name": n, "tld": n.rsplit(".", 1)[-1][:63], "created_at": now, "updated_at": now}
                for n in sorted(domains)
            ],
        )

    def _collect_sites(self, batch: Sequence[PageOutcome]) -> set[str]:
        touched: set[str] = set()
        for o in batch:
            if not o.domain or o.title == "(sitemap)":
                continue
            state = self.sites.setdefault(o.domain, SiteTally())
            touched.add(o.domain)
            state.pages += 1
            state.kinds.update(f.kind.value for f in o.findings)
            if o.target_links:
                state.kinds.add(OpportunityKind.COMPETITOR_LINK.value)
            if o.contacts is None:
                continue
            for email in o.contacts.emails:
                if email.email not in state.emails and self._deliverable(email.domain):
                    state.emails[email.email] = email
            state.authors += [a for a in o.contacts.authors if a not in state.authors][:20]
            state.social += [s for s in o.contacts.social_profiles if s not in state.social][:20]
        return touched

    def _deliverable(self, domain: str) -> bool:
        if not self.check_mx:
            return True
        if domain not in self._mx:
            self._mx[domain] = found_contacts.has_mx(domain)
        return self._mx[domain]

    def _sites(self, touched: set[str]) -> None:
        if not touched:
            return
        rows = []
        for domain in sorted(touched):
            state = self.sites[domain]
            ranked = found_contacts.rank_emails(state.emails.values(), domain)
            rows.append(
                {
                    "run_id": self.run_id,
                    "workspace_id": self.workspace_id,
                    "domain": domain,
                    "pages": state.pages,
                    "opportunity_types": sorted(state.kinds),
                    "emails": [e.email for e in ranked],
                    "authors": state.authors,
                    "social_profiles": state.social,
                }
            )
            if ranked:
                save_found_contacts(
                    self.workspace_id, self.campaign_id, domain, ranked, state.authors, state.social
                )
        stmt = _insert(CrawlSite)
        db.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["run_id", "domain"],
                set_={c: stmt.excluded[c] for c in rows[0] if c not in ("run_id", "domain")},
            ),
            rows,
        )
