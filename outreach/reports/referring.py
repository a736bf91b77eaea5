"""Referring domains month by month, their authority, and the rel of live links, in one query.

A domain is live on a day when one of our links to it is (see ``sources.our_links``). Each
month boundary is midnight UTC of a month's first day: a link is live on the day before a
boundary when it was first seen before the boundary and not lost before it. Each domain's
history is a bit mask (bit k: live at boundary k); the query groups domains by mask, with
their authority, and the months are counted from those groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, and_, bindparam, case, func, literal, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from outreach.backlinks.models import Domain
from outreach.extensions import db
from outreach.reports.periods import add_months, start_of
from outreach.reports.placements import Placement
from outreach.reports.scope import Scope
from outreach.reports.sources import domain_authority, imported_links, our_links, placed_links

BUCKETS = (("0-19", 0, 20), ("20-39", 20, 40), ("40-59", 40, 60), ("60-79", 60, 80))
TOP_BUCKET = ("80-100", 80)
HIGH_AUTHORITY = 60
MASK_BITS = 63  # a domain's history is a bit mask of its month boundaries, in a bigint


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


def _masks_by_comparing(
    scope: Scope, placed: Sequence[Placement], boundaries: Sequence[datetime]
) -> Any:
    """Per domain: ``mask`` (bit k set when live at boundary k), ``followed`` and
    ``live_links`` (its links live at the last boundary), comparing each link with each
    boundary: the way every database can."""
    links = our_links(scope, placed)
    end = boundaries[-1]
    bits = [func.max(case((_live_at(links, b), 1 << k), else_=0)) for k, b in enumerate(boundaries)]
    return (
        select(
            links.c.domain,
            sum(bits[1:], bits[0]).label("mask"),
            _count(and_(_live_at(links, end), links.c.followed)).label("followed"),
            _count(_live_at(links, end)).label("live_links"),
        )
        .group_by(links.c.domain)
        .subquery("per_domain")
    )


def _masks_by_buckets(
    scope: Scope, placed: Sequence[Placement], boundaries: Sequence[datetime]
) -> Any:
    """The same columns, the PostgreSQL way: a link is live at the boundaries from the one
    after its first-seen date (``width_bucket`` in the sorted boundaries) to the one after
    it was lost, so its mask is two shifts; a domain's is the OR of its links'. Imported
    links are grouped by domain straight from the intersect index, in its order; the few
    placements join them afterwards."""
    bounds = bindparam("bounds", list(boundaries), type_=ARRAY(DateTime(timezone=True)))
    one = literal(1, BigInteger)

    def per_domain(links: Any, name: str) -> Any:
        first = func.width_bucket(links.c.first_seen, bounds)
        until = func.coalesce(func.width_bucket(links.c.lost_at, bounds), len(boundaries))
        mask = case((until > first, one.op("<<")(until) - one.op("<<")(first)), else_=0)
        live = _live_at(links, boundaries[-1])
        return (
            select(
                links.c.domain,
                func.coalesce(func.bit_or(mask), 0).label("mask"),
                _count(and_(live, links.c.followed)).label("followed"),
                _count(live).label("live_links"),
            )
            .group_by(links.c.domain)
            .subquery(name)
        )

    imported = per_domain(imported_links(scope).subquery("imported_links"), "imported")
    if not placed:
        return imported
    # A full join, not a union grouped again: the planner then knows how many domains
    # there are, and joins them to their authority by hashing instead of one by one.
    won = per_domain(placed_links(placed).subquery("placed_links"), "placed")
    return (
        select(
            func.coalesce(imported.c.domain, won.c.domain).label("domain"),
            (func.coalesce(imported.c.mask, 0).op("|")(func.coalesce(won.c.mask, 0))).label("mask"),
            (func.coalesce(imported.c.followed, 0) + func.coalesce(won.c.followed, 0)).label(
                "followed"
            ),
            (func.coalesce(imported.c.live_links, 0) + func.coalesce(won.c.live_links, 0)).label(
                "live_links"
            ),
        )
        .select_from(imported.outerjoin(won, won.c.domain == imported.c.domain, full=True))
        .subquery("per_domain")
    )


def domain_history(
    scope: Scope, months: Sequence[date], placed: Sequence[Placement], *, portable: bool = False
) -> DomainHistory:
    """Live, new and lost referring domains for each month (consecutive, oldest first).

    SQL groups the domains by their mask of boundaries (a few hundred kinds of history);
    the months are counted from those groups here. ``portable`` makes the masks the way
    every database can, even on PostgreSQL (the tests check that both ways agree).
    """
    boundaries = [start_of(months[0])] + [start_of(add_months(m, 1)) for m in months]
    if len(boundaries) > MASK_BITS:
        raise ValueError(f"A history spans at most {MASK_BITS - 1} months.")
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if postgres and not portable:
        per_domain = _masks_by_buckets(scope, placed, boundaries)
    else:
        per_domain = _masks_by_comparing(scope, placed, boundaries)
    authority = domain_authority(scope.workspace_id)
    score = authority.c.authority
    query = (
        select(
            per_domain.c.mask,
            func.count(),
            func.sum(score),
            func.count(score),
            *(_count(and_(score >= low, score < high)) for _, low, high in BUCKETS),
            _count(score >= TOP_BUCKET[1]),
            _count(score.is_(None)),
            _count(score >= HIGH_AUTHORITY),
            func.sum(per_domain.c.followed),
            func.sum(per_domain.c.live_links),
        )
        .select_from(
            per_domain.outerjoin(Domain, Domain.name == per_domain.c.domain).outerjoin(
                authority, authority.c.domain_id == Domain.id
            )
        )
        .group_by(per_domain.c.mask)
    )
    if postgres:  # group our links in memory rather than sort them on disk
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))
    groups = db.session.execute(query).all()
    if postgres:  # other queries stream better with the default (it keeps index order)
        db.session.execute(text("SET LOCAL work_mem TO DEFAULT"))
    return _fold(months, groups)


def _fold(months: Sequence[date], groups: Sequence[Any]) -> DomainHistory:
    """Month figures from the domains grouped by mask (bit k: live at boundary k, where
    boundary 0 is the first month's start and boundary k the end of month k)."""
    totals = [[0, 0, 0, 0.0, 0] for _ in months]
    names = [name for name, _, _ in BUCKETS] + [TOP_BUCKET[0], "unknown"]
    history = DomainHistory([], dict.fromkeys(names, 0))
    end = len(months)
    for mask, domains, score_sum, scored, *rest in groups:
        mask, domains, scored = int(mask or 0), int(domains), int(scored or 0)
        for k in range(1, end + 1):
            now, before = mask >> k & 1, mask >> (k - 1) & 1
            month = totals[k - 1]
            if now:
                month[0] += domains
                if not before:
                    month[1] += domains
                    month[3] += float(score_sum or 0.0)
                    month[4] += scored
            elif before:
                month[2] += domains
        if mask >> end & 1:
            counts = [int(v or 0) for v in rest]
            for name, count in zip(names, counts[:6], strict=True):
                history.buckets[name] += count
            history.high += counts[6]
            history.followed += counts[7]
            history.not_followed += counts[8] - counts[7]
    history.months = [
        MonthFigures(month, int(t[0]), int(t[1]), int(t[2]), float(t[3]), int(t[4]))
        for month, t in zip(months, totals, strict=True)
    ]
    return history
