"""The one place scoring takes relevance, analysed linking pages and page fetching from."""

from __future__ import annotations

from collections.abc import Sequence

from outreach.scoring.jobs_fetch import fetch_pages_for_campaign
from outreach.scoring.page_facts import PageFacts
from outreach.scoring.relevance import relevance_by_domain, stored_page_facts


def page_facts(campaign_id: int, domains: Sequence[str]) -> dict[str, list[PageFacts]]:
    """What each domain's fetched linking pages say (``page_facts.analyse_page`` at fetch time);
    domains without an analysed page are left out."""
    found: dict[str, list[PageFacts]] = {}
    for domain, stored in stored_page_facts(campaign_id, domains).items():
        pages = [facts for item in stored if (facts := PageFacts.from_json(item)) is not None]
        if pages:
            found[domain] = pages
    return found


__all__ = ["fetch_pages_for_campaign", "page_facts", "relevance_by_domain"]
