"""Competitors' referring domains and our gap to them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import select

from outreach.backlinks.models import TargetSummary
from outreach.extensions import db
from outreach.reports.scope import Scope


@dataclass(frozen=True)
class CompetitorDomains:
    """A competitor and the distinct referring domains of its links that are not lost."""

    domain: str
    referring_domains: int


@dataclass(frozen=True)
class Gap:
    """How far behind the competitors' average we are, and how long closing it takes."""

    competitor_average: float
    ours: int
    to_close: float
    velocity: float
    months_to_close: int | None

    def as_json(self) -> dict[str, float | int | None]:
        """The ``gap`` object of ``flask report --json``."""
        return {
            "competitor_average": self.competitor_average,
            "ours": self.ours,
            "to_close": self.to_close,
            "velocity": self.velocity,
            "months_to_close": self.months_to_close,
        }


def competitor_domains(scope: Scope) -> list[CompetitorDomains]:
    """Each competitor with imported links, by its referring domains (lost links left out).

    A competitor nobody imported links for yet is left out: it has no figure, not zero.
    The counts are the ones every write of backlinks keeps (``backlinks.summary``).
    """
    if not scope.competitors:
        return []
    counts = {
        target: referring
        for target, links, referring in db.session.execute(
            select(
                TargetSummary.target_domain, TargetSummary.links, TargetSummary.referring_domains
            ).where(
                TargetSummary.workspace_id == scope.workspace_id,
                TargetSummary.target_domain.in_(scope.competitors),
            )
        )
        if links
    }
    return [
        CompetitorDomains(domain, counts[domain])
        for domain in scope.competitors
        if domain in counts
    ]


def gap(competitors: list[CompetitorDomains], ours: int, velocity: Fraction) -> Gap:
    """The gap to the competitors' average at a velocity (domains gained per month), worked
    out in exact fractions so that, say, 2 / (2/3) is 3 months and not 4."""
    total = sum(c.referring_domains for c in competitors)
    average = Fraction(total, len(competitors)) if competitors else Fraction(0)
    to_close = max(Fraction(0), average - ours)
    return Gap(
        float(average), ours, float(to_close), float(velocity), months_to_close(to_close, velocity)
    )


def months_to_close(to_close: Fraction, velocity: Fraction) -> int | None:
    """0 with nothing to close, the months it takes at a positive velocity, else None."""
    if to_close <= 0:
        return 0
    if velocity > 0:
        return math.ceil(to_close / velocity)
    return None
