"""TEMPORARY stand-in for the relevance module and its page fetching (issue 10).

Scoring calls exactly three functions of the module that measures relevance; until that
module lands, these stand-ins keep their signatures and answer "unknown":

* :func:`relevance_by_domain` — each domain's relevance: here always unknown, "not fetched yet"
  (unknown is never 0: the score leaves the signal out, see ``combine``);
* :func:`fetch_pages_for_campaign` — fetch the campaign's linking and target pages inline
  (``flask score --fetch``): here nothing is fetched;
* :func:`page_facts` — what each domain's fetched linking pages say, as
  ``risk.analyse_page(html, url, competitors)`` worked it out when the page was fetched
  (analysing at fetch time keeps rescoring 100,000 domains fast): the page risk flags (link
  farm, link selling, thin page, vocabulary), placement and outbound link counts read it.
  Here there are none: those flags are not raised and the breakdown says why.

The relevance module replaces this file: it defines the same three functions, and
``outreach/scoring/sources.py`` imports them from it instead of from here.
"""

from __future__ import annotations

from collections.abc import Sequence

from outreach.scoring.risk import PageFacts
from outreach.scoring.signals import FetchCounts, RelevanceSignal

NOT_FETCHED = "not fetched yet"


def relevance_by_domain(campaign_id: int, domains: Sequence[str]) -> dict[str, RelevanceSignal]:
    """Each domain's relevance to the campaign's topic: unknown until pages are fetched."""
    return {domain: RelevanceSignal(None, NOT_FETCHED) for domain in domains}


def fetch_pages_for_campaign(campaign_id: int) -> FetchCounts:
    """Fetch the campaign's linking and target pages now: nothing yet."""
    return FetchCounts(0, 0)


def page_facts(campaign_id: int, domains: Sequence[str]) -> dict[str, list[PageFacts]]:
    """The analysed linking pages of each domain (domains without any are left out): none yet."""
    return {}
