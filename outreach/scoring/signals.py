"""The values scoring exchanges with the modules that feed it (relevance, page fetching),
and the signal that pages were fetched."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from blinker import Namespace

# Sent with a campaign id when a fetch of its pages finished (in the job's transaction):
# scoring queues the campaign's rescoring.
pages_fetched = Namespace().signal("pages-fetched")


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
