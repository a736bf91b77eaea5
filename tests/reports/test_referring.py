"""Referring domains by month: the PostgreSQL way (bit masks from ``width_bucket``) and the
portable way agree on every figure, and competitor figures follow each import."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

from outreach.reports.competitors import competitor_domains
from outreach.reports.periods import add_months, months_between
from outreach.reports.placements import placements
from outreach.reports.referring import domain_history
from outreach.reports.scope import scope_for
from tests.backlinks.ahrefs import Link, write_ahrefs
from tests.factories import Factory
from tests.reports.history import RIVAL_ONE, RIVAL_TWO, History, build_history


@pytest.fixture
def history(factory: Factory, runner: FlaskCliRunner, tmp_path: Path) -> History:
    return build_history(factory, runner, tmp_path)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2025, 7, 1), date(2026, 6, 1)),  # the report's year
        (date(2023, 7, 1), date(2026, 6, 1)),  # 36 months, most before any link
        (date(2026, 5, 1), date(2026, 7, 1)),  # around the losses and the midnight links
        (date(2026, 8, 1), date(2026, 12, 1)),  # after every change
    ],
)
def test_both_ways_of_counting_agree_on_every_month(
    history: History, first: date, last: date
) -> None:
    months = months_between(first, last)
    for campaign in (history.campaign, None):
        scope = scope_for(history.workspace, campaign)
        placed = placements(scope)
        fast = domain_history(scope, months, placed)
        portable = domain_history(scope, months, placed, portable=True)
        assert asdict(fast) == asdict(portable)
        assert fast.months[-1].month == last


def test_a_history_longer_than_a_mask_holds_is_refused(history: History) -> None:
    scope = scope_for(history.workspace, history.campaign)
    months = months_between(date(2020, 1, 1), add_months(date(2020, 1, 1), 62))
    with pytest.raises(ValueError, match="at most"):
        domain_history(scope, months, [])


def test_competitor_figures_follow_the_latest_import(
    history: History, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    scope = scope_for(history.workspace, history.campaign)
    before = {c.domain: c.referring_domains for c in competitor_domains(scope)}
    assert before == {"rival-one.com": 2, "rival-two.com": 14}
    newer = [Link(f"https://site{n}.net/p", "https://rival-two.com/") for n in range(14, 17)]
    path = write_ahrefs(tmp_path / "rivals-later.tsv", RIVAL_ONE[1:] + RIVAL_TWO + newer)
    result = runner.invoke(
        args=["import-backlinks", str(path), "--campaign", str(history.campaign.id), "--json"]
    )
    assert result.exit_code == 0, result.output
    after = {c.domain: c.referring_domains for c in competitor_domains(scope)}
    assert after == {"rival-one.com": 1, "rival-two.com": 17}  # x1.com was marked lost
