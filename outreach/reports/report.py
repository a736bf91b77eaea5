"""Assembling a report: one month for ``flask report``, a range of months for the dashboard."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy import text

from outreach.extensions import db
from outreach.reports.competitors import CompetitorDomains, Gap, competitor_domains, gap
from outreach.reports.funnel import Funnels, funnels
from outreach.reports.periods import add_months, month_label, months_between, start_of
from outreach.reports.placements import Placement, placements
from outreach.reports.referring import DomainHistory, MonthFigures, domain_history
from outreach.reports.scope import Scope
from outreach.reports.targets import target_by_month
from outreach.reports.team import TeammateRow, teammates

VELOCITY_MONTHS = 3
TREND_MONTHS = 12
MAX_MONTHS = 36


@dataclass
class Report:
    """Every figure of a scope over consecutive months ending with ``last``."""

    scope: Scope
    months: list[MonthFigures]
    history: DomainHistory
    targets: dict[date, int | None]
    competitors: list[CompetitorDomains]
    gap: Gap
    funnels: Funnels
    teammates: list[TeammateRow]
    placement_mix: dict[str, int]

    @property
    def last(self) -> MonthFigures:
        """The last month shown."""
        return self.history.last


def velocity_of(history: DomainHistory) -> Fraction:
    """Mean of new minus lost over the last three months of the history."""
    recent = history.months[-VELOCITY_MONTHS:]
    return Fraction(sum(m.new - m.lost for m in recent), VELOCITY_MONTHS)


def _placement_mix(placed: list[Placement], end: Any) -> dict[str, int]:
    live = [
        p
        for p in placed
        if p.first_seen < end and (p.lost_at is None or p.lost_at >= end) and p.placement
    ]
    return dict(Counter(p.placement or "" for p in live).most_common())


def build(scope: Scope, first: date, last: date) -> Report:
    """The report for months ``first`` to ``last`` (at most 36, velocity from the last 3)."""
    first = max(first, add_months(last, -(MAX_MONTHS - 1)))
    if db.session.get_bind().dialect.name == "postgresql":
        # JIT compiling the big aggregates took three seconds (its cost model is fooled by
        # the many CASE columns) to save a few milliseconds.
        db.session.execute(text("SET LOCAL jit = off"))
    computed = months_between(min(first, add_months(last, 1 - VELOCITY_MONTHS)), last)
    placed = placements(scope)
    history = domain_history(scope, computed, placed)
    shown = [m for m in history.months if m.month >= first]
    velocity = velocity_of(history)
    rivals = competitor_domains(scope)
    end = start_of(add_months(last, 1))
    return Report(
        scope=scope,
        months=shown,
        history=history,
        targets=target_by_month(scope, [m.month for m in shown]),
        competitors=rivals,
        gap=gap(rivals, history.last.live, velocity),
        funnels=funnels(scope, end, placed),
        teammates=teammates(scope, start_of(first), end, placed),
        placement_mix=_placement_mix(placed, end),
    )


def monthly_json(scope: Scope, month: date) -> dict[str, Any]:
    """The object ``flask report --json`` prints (see issue 11 for the exact contract)."""
    report = build(scope, add_months(month, 1 - TREND_MONTHS), month)
    last, history = report.last, report.history
    return {
        "month": month_label(month),
        "referring_domains": {
            "live": last.live,
            "new": last.new,
            "lost": last.lost,
            "target": report.targets.get(month) or 0,
        },
        "trend": [
            {"month": month_label(m.month), "live": m.live, "new": m.new, "lost": m.lost}
            for m in report.months
        ],
        "authority": {
            "average_new": last.average_new_authority,
            "high_share": history.high_share,
            "buckets": dict(history.buckets),
        },
        "links": {"followed": history.followed, "not_followed": history.not_followed},
        "competitors": [
            {"domain": c.domain, "referring_domains": c.referring_domains}
            for c in report.competitors
        ],
        "gap": report.gap.as_json(),
        "funnel": report.funnels.total.counts(),
    }
