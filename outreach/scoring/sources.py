"""The one place scoring takes relevance and fetched pages from (see ``relevance_stub``)."""

from outreach.scoring.relevance_stub import (
    fetch_pages_for_campaign,
    page_facts,
    relevance_by_domain,
)

__all__ = ["fetch_pages_for_campaign", "page_facts", "relevance_by_domain"]
