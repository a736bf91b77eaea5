"""``flask report --json`` on a workspace with a known history: every figure, exactly."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner

from outreach.extensions import db
from outreach.reports.periods import add_months, start_of
from outreach.reports.report import build
from outreach.reports.scope import scope_for
from outreach.reports.targets import set_target
from tests.factories import Factory
from tests.reports.history import History, build_history

QUIET = [{"live": 2, "new": 0, "lost": 0}] * 7
GROWTH = [
    {"live": 3, "new": 1, "lost": 0},
    {"live": 4, "new": 1, "lost": 0},
    {"live": 5, "new": 1, "lost": 0},
    {"live": 5, "new": 1, "lost": 1},
]
MONTHS = [f"2025-{m:02d}" for m in range(7, 13)] + [f"2026-{m:02d}" for m in range(1, 7)]


@pytest.fixture
def history(factory: Factory, runner: FlaskCliRunner, tmp_path: Path) -> History:
    return build_history(factory, runner, tmp_path)


def _report(runner: FlaskCliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(args=["report", *args, "--json"])
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.output)
    return report


def test_campaign_report_gives_every_figure_of_the_known_history(
    runner: FlaskCliRunner, history: History
) -> None:
    data = _report(runner, "Acme", "--month", "2026-06", "--campaign", str(history.campaign.id))
    june = {"live": 6, "new": 3, "lost": 2}
    assert data == {
        "month": "2026-06",
        "referring_domains": {**june, "target": 0},
        "trend": [
            {"month": month, **figures}
            for month, figures in zip(MONTHS, [*QUIET, *GROWTH, june], strict=True)
        ],
        "authority": {
            "average_new": (85 + 20 + 20) / 3,
            "high_share": 2 / 6,
            "buckets": {"0-19": 0, "20-39": 3, "40-59": 0, "60-79": 1, "80-100": 1, "unknown": 1},
        },
        "links": {"followed": 5, "not_followed": 2},
        "competitors": [
            {"domain": "rival-one.com", "referring_domains": 2},
            {"domain": "rival-two.com", "referring_domains": 14},
        ],
        "gap": {
            "competitor_average": 8.0,
            "ours": 6,
            "to_close": 2.0,
            "velocity": 2 / 3,
            "months_to_close": 3,
        },
        "funnel": {"prospects": 6, "contacted": 5, "replied": 2, "won": 4, "live": 2},
    }


def test_workspace_report_adds_other_campaigns_and_takes_the_workspace_by_name_or_id(
    runner: FlaskCliRunner, history: History
) -> None:
    by_name = _report(runner, "Acme", "--month", "2026-06")
    assert by_name == _report(runner, str(history.workspace.id), "--month", "2026-06")
    assert by_name["referring_domains"] == {"live": 7, "new": 4, "lost": 2, "target": 0}
    assert by_name["authority"]["buckets"]["unknown"] == 2
    assert by_name["authority"]["average_new"] == (85 + 20 + 20) / 3
    assert by_name["authority"]["high_share"] == 2 / 7
    assert by_name["links"] == {"followed": 6, "not_followed": 2}
    assert by_name["gap"] == {
        "competitor_average": 8.0,
        "ours": 7,
        "to_close": 1.0,
        "velocity": 1.0,
        "months_to_close": 1,
    }
    assert by_name["funnel"] == {"prospects": 7, "contacted": 5, "replied": 2, "won": 5, "live": 3}


def test_a_month_before_the_losses_counts_them_live(
    runner: FlaskCliRunner, history: History
) -> None:
    data = _report(runner, "Acme", "--month", "2026-04", "--campaign", str(history.campaign.id))
    assert data["referring_domains"] == {"live": 5, "new": 1, "lost": 0, "target": 0}
    assert data["trend"][-1] == {"month": "2026-04", "live": 5, "new": 1, "lost": 0}
    assert data["gap"]["velocity"] == 1.0
    assert data["gap"]["months_to_close"] == 3  # 8 - 5 = 3 at one domain a month
    assert data["funnel"]["live"] == 2  # news.site and other.org; a.com is found in June


def test_no_velocity_leaves_the_months_to_close_unknown_and_no_gap_needs_none(
    runner: FlaskCliRunner, history: History
) -> None:
    data = _report(runner, "Acme", "--month", "2025-12", "--campaign", str(history.campaign.id))
    assert data["gap"]["velocity"] == 0.0
    assert data["gap"]["to_close"] == 6.0
    assert data["gap"]["months_to_close"] is None
    assert data["authority"]["average_new"] is None


def test_the_target_in_force_is_the_latest_one_starting_by_the_month(
    runner: FlaskCliRunner, history: History
) -> None:
    scope = scope_for(history.workspace, history.campaign)
    set_target(scope, date(2026, 4, 1), 10)
    set_target(scope, date(2026, 7, 1), 20)
    set_target(scope_for(history.workspace), date(2026, 1, 1), 99)
    db.session.commit()
    campaign = str(history.campaign.id)
    assert (
        _report(runner, "Acme", "--month", "2026-06", "--campaign", campaign)["referring_domains"][
            "target"
        ]
        == 10
    )
    assert (
        _report(runner, "Acme", "--month", "2026-03", "--campaign", campaign)["referring_domains"][
            "target"
        ]
        == 0
    )
    assert _report(runner, "Acme", "--month", "2026-06")["referring_domains"]["target"] == 99


def test_funnel_by_step_credits_the_step_last_sent_before_the_reply(history: History) -> None:
    report = build(
        scope_for(history.workspace, history.campaign), date(2026, 1, 1), date(2026, 6, 1)
    )
    steps = [
        (r.label, r.prospects, r.contacted, r.replied, r.won, r.live) for r in report.funnels.steps
    ]
    assert steps == [("Step 1", 5, 5, 1, 3, 2), ("Step 2", 1, 1, 1, 1, 0)]
    first = report.funnels.steps[0]
    assert first.median_days_to_live == 24.5  # news.site 18 days, a.com 31 days
    assert first.reply_rate == 1 / 5 and first.win_rate == 3 / 5
    templates = [(r.label, r.contacted, r.replied) for r in report.funnels.templates]
    assert templates == [("First pitch", 5, 1), ("Nudge", 1, 1)]
    assert [(r.label, r.prospects, r.won, r.live) for r in report.funnels.campaigns] == [
        ("Guides", 6, 4, 2)
    ]
    assert report.placement_mix == {"content": 2}
    team = [(r.name, r.links_won, r.messages_sent) for r in report.teammates]
    assert team == [("Owner", 3, 6)]  # news.site, other.org, a.com first found in the range


def test_unknown_workspace_campaign_or_month_is_a_clear_error(
    runner: FlaskCliRunner, history: History
) -> None:
    for args, message in (
        (["Nobody", "--month", "2026-06"], "No workspace"),
        (["Acme", "--month", "2026-13"], "YYYY-MM"),
        (["Acme", "--month", "2026-06", "--campaign", "999999"], "No campaign"),
    ):
        result = runner.invoke(args=["report", *args, "--json"])
        assert result.exit_code != 0
        assert message in result.output


def test_month_boundaries_are_midnight_utc() -> None:
    assert start_of(add_months(date(2026, 12, 1), 1)).isoformat() == "2027-01-01T00:00:00+00:00"
