"""Reading the board's filters from a query string."""

from __future__ import annotations

from outreach.pipeline.queries import Filters, filters_from_args
from outreach.prospects.models import OpportunityKind


def test_filters_from_args_ignore_values_that_make_no_sense() -> None:
    parsed = filters_from_args(
        {"owner": "drop table", "min_score": "inf", "due": "soon", "stage": "x", "page": "-3"}
    )
    assert parsed == Filters()
    assert filters_from_args({"min_score": "40", "q": " Blog.COM "}).args() == {
        "min_score": "40",
        "q": "blog.com",
    }


def test_opportunity_filter_keeps_the_crawlers_kinds_and_drops_other_words() -> None:
    for kind in OpportunityKind:
        assert filters_from_args({"opportunity": kind.value}).opportunity == kind.value
    assert filters_from_args({"opportunity": "guest_post"}) == Filters()
