"""The dashboard's charts, drawn from a report."""

from __future__ import annotations

import calendar
from datetime import date

from markupsafe import Markup

from outreach.reports import charts
from outreach.reports.charts import Series
from outreach.reports.report import Report
from outreach.reports.tables import report_tables


def axis_label(month: date, first: bool) -> str:
    """``Jul 2025`` for the first month and each January, else ``Aug``."""
    name = calendar.month_abbr[month.month]
    return f"{name} {month.year}" if first or month.month == 1 else name


def report_charts(report: Report) -> dict[str, Markup]:
    """One chart per table key (tables without a chart are left out)."""
    months = report.months
    labels = [axis_label(m.month, n == 0) for n, m in enumerate(months)]
    history = report.history
    trend_lines = [Series("Live referring domains", [m.live for m in months], "primary")]
    targets = [report.targets.get(m.month) for m in months]
    if any(t is not None for t in targets):
        trend_lines.append(
            Series("Target", [float(t) if t is not None else None for t in targets], "target")
        )
    tables = report_tables(report)
    funnel = report.funnels.total
    return {
        "referring-domains": charts.trend(
            "Live referring domains at each month's end, against the target", labels, trend_lines
        ),
        "new-lost": charts.columns(
            "New and lost referring domains per month",
            labels,
            [
                Series("New", [m.new for m in months], "good"),
                Series("Lost", [-m.lost for m in months], "bad"),
            ],
        ),
        "authority-new": charts.columns(
            "Average authority of each month's new referring domains",
            labels,
            [Series("Average authority", [m.average_new_authority for m in months], "primary")],
        ),
        "authority-buckets": charts.bars(
            "Live referring domains by authority",
            [(str(row[0]), float(row[1] or 0)) for row in tables["authority-buckets"].rows],
        ),
        "follow": charts.bars(
            "Live links: followed and not followed",
            [("Followed", history.followed), ("Not followed", history.not_followed)],
        ),
        "placement": charts.bars(
            "Live placements by where the link sits",
            [(place.capitalize(), count) for place, count in report.placement_mix.items()],
        ),
        "gap": charts.bars(
            "Referring domains: competitors and us",
            [(c.domain, c.referring_domains) for c in report.competitors]
            + [("Us", report.gap.ours)],
        ),
        "funnel-campaigns": charts.bars(
            f"Outreach funnel of {report.scope.title}",
            [(k.capitalize(), v) for k, v in funnel.counts().items()],
        ),
        "team": charts.columns(
            "Links won and messages sent per teammate",
            [r.name for r in report.teammates],
            [
                Series("Links won", [r.links_won for r in report.teammates], "good"),
                Series("Messages sent", [r.messages_sent for r in report.teammates], "primary"),
            ],
        ),
    }
