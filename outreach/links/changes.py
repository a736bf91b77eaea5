"""What changed between two checks of a placed link, as alerts a person should read.

Pure functions of two stored check results (``LinkCheckResult.as_json()`` dicts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from outreach.urls import InvalidURL, same_target

HAS_LINK = frozenset({"live", "nofollow", "not_indexable"})
GONE_STATUSES = frozenset({404, 410})
NOINDEX = frozenset({"meta_robots_noindex", "x_robots_tag_noindex"})
PAID_RELS = ("nofollow", "sponsored", "ugc")


@dataclass(frozen=True)
class Change:
    """One alert-worthy difference; ``lost`` means the link no longer exists for us."""

    kind: str
    message: str
    lost: bool = False


def is_lost(result: dict[str, Any]) -> bool:
    """True when the page no longer links to us: link removed, or page gone (404/410)."""
    if result.get("verdict") == "missing":
        return True
    return result.get("verdict") == "page_error" and result.get("http_status") in GONE_STATUSES


def _anchors(result: dict[str, Any]) -> list[str]:
    return [str(link.get("anchor", "")) for link in result.get("links", [])]


def _rels(result: dict[str, Any]) -> set[str]:
    rels: set[str] = set()
    for link in result.get("links", []):
        rels.update(r for r in link.get("rel", []) if r in PAID_RELS)
    return rels


def _redirected_away(before: dict[str, Any] | None, after: dict[str, Any]) -> bool:
    if not after.get("redirects"):
        return False
    previous = (before or {}).get("final_url") or after.get("page_url", "")
    try:
        return not same_target(str(after.get("final_url", "")), str(previous))
    except (InvalidURL, ValueError):
        return True


def diff(
    before: dict[str, Any] | None, after: dict[str, Any], expected_anchor: str | None = None
) -> list[Change]:
    """Alerts for going from ``before`` (None on a first check) to ``after``."""
    changes: list[Change] = []
    page = after.get("page_url", "")
    had_link = before is not None and before.get("verdict") in HAS_LINK
    if before is not None and _redirected_away(before, after):
        changes.append(Change("redirected", f"{page} now redirects to {after.get('final_url')}."))
    if is_lost(after) and before is None:
        changes.append(Change("not_found", f"No link to the target was found on {page}."))
        return changes
    if is_lost(after) and had_link:
        if after.get("verdict") == "missing":
            changes.append(Change("link_removed", f"The link on {page} is gone.", lost=True))
        else:
            status = after.get("http_status")
            changes.append(Change("page_gone", f"{page} answers HTTP {status}.", lost=True))
        return changes
    verdict = after.get("verdict")
    if verdict == "page_error" and (before is None or before.get("verdict") != "page_error"):
        changes.append(Change("page_error", f"{page} could not be read: {after.get('error')}."))
    if verdict == "blocked" and (before is None or before.get("verdict") != "blocked"):
        changes.append(Change("blocked", f"Checking {page} was refused: {after.get('error')}."))
    if verdict not in HAS_LINK:
        return changes
    if before is not None and before.get("verdict") not in HAS_LINK and is_lost(before):
        changes.append(Change("link_restored", f"The link on {page} is back."))
    new_rels = _rels(after) - (_rels(before) if before else set())
    if verdict == "nofollow" and new_rels:
        rels = ", ".join(sorted(new_rels))
        changes.append(Change("nofollow", f"The link on {page} became {rels}."))
    old_blockers = set((before or {}).get("index_blockers", []))
    blockers = set(after.get("index_blockers", [])) - old_blockers
    if blockers & NOINDEX:
        changes.append(Change("noindex", f"{page} is now marked noindex."))
    if "canonical_elsewhere" in blockers:
        changes.append(Change("canonical", f"{page} is now canonicalised to another URL."))
    anchors = _anchors(after)
    if before is not None and before.get("verdict") in HAS_LINK:
        if sorted(_anchors(before)) != sorted(anchors):
            old, new = ", ".join(_anchors(before)), ", ".join(anchors)
            changes.append(Change("anchor_changed", f"Anchor on {page}: “{old}” → “{new}”."))
    elif expected_anchor and expected_anchor.strip().lower() not in (a.lower() for a in anchors):
        found = ", ".join(anchors)
        changes.append(
            Change("anchor_changed", f"Anchor on {page} is “{found}”, not “{expected_anchor}”.")
        )
    return changes
