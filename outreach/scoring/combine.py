"""One 0-100 score from normalised signals and weights, and the breakdown that explains it.

Each signal has a raw value (what was measured, as a person reads it), a normalised value
(0-1) and a weight. A signal that is unknown (relevance before the page is fetched, an
authority no source gives) is left out and its weight is shared among the known signals in
proportion to theirs, so a missing figure neither sinks nor lifts a domain; the breakdown
lists it as missing, with the reason. The score is ``100 * sum(w * n) / sum(w)`` over the
known signals, and each signal's contribution is its share of that sum, so the
contributions add up to the score. A domain with a risk flag is capped at :data:`RISK_CAP`:
a last breakdown entry takes off what the cap removed, so the entries still add up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

RISK_CAP = 20.0
SIGNALS = ("authority", "relevance", "link_quality", "overlap", "contact")
LABELS = {
    "authority": "Authority",
    "relevance": "Relevance",
    "link_quality": "Link quality",
    "overlap": "Competitor overlap",
    "contact": "Contact",
    "risk": "Risk cap",
}


@dataclass(frozen=True)
class Signal:
    """One measured signal: ``raw`` as shown, ``normalised`` 0-1 (None when missing)."""

    name: str
    raw: Any
    normalised: float | None
    source: str

    @property
    def missing(self) -> bool:
        """True when the signal is unknown for this domain."""
        return self.normalised is None


@dataclass(frozen=True)
class Scored:
    """A domain's score (None when no signal is known) and its breakdown entries."""

    score: float | None
    breakdown: list[dict[str, Any]]


def combine(
    signals: Sequence[Signal], weights: Mapping[str, int], flags: Sequence[str] = ()
) -> Scored:
    """The score of one domain and its breakdown (see the module)."""
    known_weight = sum(weights.get(s.name, 0) for s in signals if not s.missing)
    entries: list[dict[str, Any]] = []
    total = 0.0
    for signal in signals:
        weight = weights.get(signal.name, 0)
        contribution = 0.0
        if not signal.missing and known_weight > 0:
            assert signal.normalised is not None
            contribution = 100.0 * weight * min(max(signal.normalised, 0.0), 1.0) / known_weight
        total += contribution
        entries.append(
            {
                "signal": signal.name,
                "value": signal.raw,
                "normalised": None if signal.missing else round(signal.normalised or 0.0, 4),
                "weight": weight,
                "contribution": round(contribution, 2),
                "source": signal.source,
                "missing": signal.missing,
            }
        )
    if known_weight <= 0:
        return Scored(None, entries)
    score = round(total, 2)
    # Rounding each entry must not break the sum: the last known entry takes the remainder.
    rounded = round(sum(e["contribution"] for e in entries), 2)
    if rounded != score:
        last = next(e for e in reversed(entries) if not e["missing"])
        last["contribution"] = round(last["contribution"] + score - rounded, 2)
    if flags and score > RISK_CAP:
        entries.append(
            {
                "signal": "risk",
                "value": list(flags),
                "normalised": None,
                "weight": 0,
                "contribution": round(RISK_CAP - score, 2),
                "source": f"flagged domains are capped at {RISK_CAP:g}",
                "missing": False,
            }
        )
        score = RISK_CAP
    return Scored(score, entries)
