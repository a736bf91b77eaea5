"""Referring domains month by month, their authority, and the rel of live links, in one query.

A domain is live on a day when one of our links to it is (see ``sources.our_links``). Each
month boundary is midnight UTC of a month's first day: a link is live on the day before a
boundary when it was first seen before the boundary and not lost before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select, text

from outreach.backlinks.models import Domain
from outreach.extensions import db
from outreach.reports.periods import add_months, start_of
from outreach.reports.placements import Placement
from outreach.reports.scope import Scope
from outreach.reports.sources import domain_authority, our_links

BUCKETS = (("0-19", 0, 20), ("20-39", 20, 40), ("40-59", 40, 60), ("60-79", 60, 80))
TOP_BUCKET = ("80-100", 80)
HIGH_AUTHORITY = 60


@dataclass(frozen=True)
class MonthFigures:
    """Referring domains of one month: live at its end, new and lost during it."""

    month: date
    live: int
    new: int
    lost: int
    new_authority_sum: float
    new_authority_count: int

    @property
    def average_new_authority(self) -> float | None:
        """Mean authority of the month's new domains that have one; None when none has."""
        if not self.new_authority_count:
            return None
        return self.new_authority_sum / self.new_authority_count


@dataclass
class DomainHistory:
    """Months oldest first, and the authority and rel picture at the end of the last one."""

    months: list[MonthFigures]
    buckets: dict[str, int] = field(default_factory=dict)
    high: int = 0
    followed: int = 0
    not_followed: int = 0

    @property
    def last(self) -> MonthFigures:
        """The last month."""
        return self.months[-1]

    @property
    def high_share(self) -> float:
        """Live domains at authority 60 or more over all live domains; 0 when none is live."""
        return self.high / self.last.live if self.last.live else 0.0


def _live_at(links: Any, boundary: Any) -> Any:
    return and_(
        links.c.first_seen < boundary,
        or_(links.c.lost_at.is_(None), links.c.lost_at >= boundary),
    )


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def domain_history(
    scope: Scope, months: Sequence[date], placed: Sequence[Placement]
) -> DomainHistory:
    """Live, new and lost referring domains for each month (consecutive, oldest first)."""
    boundaries = [start_of(months[0])] + [start_of(add_months(m, 1)) for m in months]
    links = our_links(scope, placed)
    end = boundaries[-1]
    per_domain = (
        select(
            links.c.domain,
            *(
                func.max(case((_live_at(links, b), 1), else_=0)).label(f"l{k}")
                for k, b in enumerate(boundaries)
            ),
            _count(and_(_live_at(links, end), links.c.followed)).label("followed"),
            _count(_live_at(links, end)).label("live_links"),
        )
        .group_by(links.c.domain)
        .subquery("per_domain")
    )
    authority = domain_authority(scope.workspace_id)
    rated = (
        select(per_domain, authority.c.authority)
        .select_from(
            per_domain.outerjoin(Domain, Domain.name == per_domain.c.domain).outerjoin(
                authority, authority.c.domain_id == Domain.id
            )
        )
        .subquery("rated")
    )
    score = rated.c.authority
    flag = [rated.c[f"l{k}"] for k in range(len(boundaries))]
    columns: list[Any] = []
    for k in range(1, len(boundaries)):
        new = and_(flag[k] == 1, flag[k - 1] == 0)
        columns += [
            _count(flag[k] == 1),
            _count(new),
            _count(and_(flag[k - 1] == 1, flag[k] == 0)),
            func.coalesce(func.sum(case((new, score))), literal(0.0)),
            _count(and_(new, score.is_not(None))),
        ]
    live = flag[-1] == 1
    columns += [_count(and_(live, score >= low, score < high)) for _, low, high in BUCKETS]
    columns += [
        _count(and_(live, score >= TOP_BUCKET[1])),
        _count(and_(live, score.is_(None))),
        _count(and_(live, score >= HIGH_AUTHORITY)),
        func.coalesce(func.sum(rated.c.followed), 0),
        func.coalesce(func.sum(rated.c.live_links), 0),
    ]
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if postgres:  # group our links in memory rather than sort them on disk
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))
    row = db.session.execute(select(*columns).select_from(rated)).one()
    if postgres:  # other queries stream better with the default (it keeps index order)
        db.session.execute(text("SET LOCAL work_mem TO DEFAULT"))
    figures = [int(v) if i % 5 != 3 else float(v) for i, v in enumerate(row[: 5 * len(months)])]
    history = DomainHistory(
        [
            MonthFigures(month, *figures[5 * i : 5 * i + 5])  # type: ignore[arg-type]
            for i, month in enumerate(months)
        ]
    )
    rest = [int(v) for v in row[5 * len(months) :]]
    names = [name for name, _, _ in BUCKETS] + [TOP_BUCKET[0], "unknown"]
    history.buckets = dict(zip(names, rest[:6], strict=True))
    history.high, history.followed = rest[6], rest[7]
    history.not_followed = rest[8] - rest[7]
    return history
