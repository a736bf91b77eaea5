"""The dashboard's tables, built from a report: one under each chart, each a CSV download."""

from __future__ import annotations

from fractions import Fraction

from outreach.reports.competitors import months_to_close
from outreach.reports.exports import Cell, Table
from outreach.reports.funnel_rows import FunnelRow
from outreach.reports.periods import month_label
from outreach.reports.referring import BUCKETS, TOP_BUCKET
from outreach.reports.report import Report, velocity_of

FUNNEL_HEADERS = (
    "Prospects", "Contacted", "Replied", "Won", "Live",
    "Reply rate (%)", "Win rate (%)", "Median days from first send to live",
)  # fmt: skip


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _funnel_row(row: FunnelRow) -> list[Cell]:
    return [
        row.label, row.prospects, row.contacted, row.replied, row.won, row.live,
        round(100 * row.reply_rate, 1), round(100 * row.win_rate, 1), row.median_days_to_live,
    ]  # fmt: skip


def _gap_rows(report: Report) -> list[list[Cell]]:
    velocity = velocity_of(report.history)
    ours = report.gap.ours
    rows: list[list[Cell]] = []
    for rival in report.competitors:
        behind = max(Fraction(0), Fraction(rival.referring_domains - ours))
        rows.append(
            [
                rival.domain,
                rival.referring_domains,
                float(behind),
                months_to_close(behind, velocity),
            ]
        )
    if report.competitors:
        gap = report.gap
        rows.append(
            ["Competitor average", gap.competitor_average, gap.to_close, gap.months_to_close]
        )
    rows.append(["Us", ours, None, None])
    return rows


def report_tables(report: Report) -> dict[str, Table]:
    """Every table of the dashboard, by key."""
    months = report.months
    history = report.history
    live = history.last.live
    names = [name for name, _, _ in BUCKETS] + [TOP_BUCKET[0], "unknown"]
    tables = [
        Table(
            "referring-domains", "Referring domains by month",
            ("Month", "Live referring domains", "Target"),
            [[month_label(m.month), m.live, report.targets.get(m.month)] for m in months],
        ),
        Table(
            "new-lost", "New and lost referring domains",
            ("Month", "New", "Lost", "Net"),
            [[month_label(m.month), m.new, m.lost, m.new - m.lost] for m in months],
        ),
        Table(
            "authority-new", "Average authority of new referring domains",
            ("Month", "New domains", "With a known authority", "Average authority"),
            [
                [month_label(m.month), m.new, m.new_authority_count,
                 None if m.average_new_authority is None else round(m.average_new_authority, 1)]
                for m in months
            ],
        ),
        Table(
            "authority-buckets", "Authority of live referring domains",
            ("Authority", "Live domains", "Share (%)"),
            [[n, history.buckets[n], _percent(history.buckets[n], live)] for n in names],
        ),
        Table(
            "follow", "Live links, followed or not",
            ("Links", "Count"),
            [
                ["Followed", history.followed],
                ["Not followed (nofollow, ugc, sponsored)", history.not_followed],
            ],
        ),
        Table(
            "placement", "Where live placements sit on the page",
            ("Placement", "Live placements"),
            [[place.capitalize(), count] for place, count in report.placement_mix.items()],
        ),
        Table(
            "gap", "Gap to competitors",
            ("Site", "Referring domains", "Ahead of us by", "Months to close at today's velocity"),
            _gap_rows(report),
        ),
        Table("funnel-campaigns", "Funnel by campaign", ("Campaign", *FUNNEL_HEADERS),
              [_funnel_row(r) for r in report.funnels.campaigns]),
        Table("funnel-templates", "Funnel by template", ("Template", *FUNNEL_HEADERS),
              [_funnel_row(r) for r in report.funnels.templates]),
        Table("funnel-steps", "Funnel by sequence step", ("Step", *FUNNEL_HEADERS),
              [_funnel_row(r) for r in report.funnels.steps]),
        Table(
            "team", "Links won and messages sent per teammate",
            ("Teammate", "Links won", "Messages sent"),
            [[r.name, r.links_won, r.messages_sent] for r in report.teammates],
        ),
    ]  # fmt: skip
    return {table.key: table for table in tables}
