"""A line of the outreach funnel and the median time it took its prospects to go live."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FunnelRow:
    """One line of the funnel."""

    label: str
    prospects: int
    contacted: int
    replied: int
    won: int
    live: int
    median_days_to_live: float | None

    @property
    def reply_rate(self) -> float:
        """Replied over contacted (0 when nobody was contacted)."""
        return self.replied / self.contacted if self.contacted else 0.0

    @property
    def win_rate(self) -> float:
        """Won over contacted (0 when nobody was contacted)."""
        return self.won / self.contacted if self.contacted else 0.0

    def counts(self) -> dict[str, int]:
        """The ``funnel`` object of ``flask report --json``."""
        return {
            "prospects": self.prospects,
            "contacted": self.contacted,
            "replied": self.replied,
            "won": self.won,
            "live": self.live,
        }


def median_days(pairs: Iterable[tuple[datetime | None, datetime]]) -> float | None:
    """The median days from first send to live over (sent, live) pairs, to one decimal."""
    days = [(live - sent).total_seconds() / 86400 for sent, live in pairs if sent and live >= sent]
    return round(statistics.median(days), 1) if days else None
