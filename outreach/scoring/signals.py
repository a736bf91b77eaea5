"""The values scoring exchanges with the modules that feed it (relevance, page fetching)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class Relevance(Protocol):
    """What scoring reads of a relevance figure (any object with these, such as
    :class:`RelevanceSignal`)."""

    @property
    def value(self) -> float | None:
        """0-1, or None while unknown."""

    @property
    def reason(self) -> str:
        """Why it is unknown, or what it was measured on."""

    @property
    def top_terms(self) -> list[str]:
        """The matching terms shown as evidence."""


@dataclass(frozen=True)
class RelevanceSignal:
    """How close a domain's linking pages are to the campaign's topic.

    ``value`` is 0-1, or None while unknown; ``reason`` says why it is unknown ("not fetched
    yet", "failed: 404", "not HTML"...) or, when known, what it was measured on;
    ``top_terms`` are the matching terms shown as evidence.
    """

    value: float | None
    reason: str
    top_terms: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FetchCounts:
    """What a fetch of a campaign's linking and target pages did."""

    fetched: int = 0
    failed: int = 0
