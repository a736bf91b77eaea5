"""What a file is: a list of links *to* a target in a known format, a file without a header
row, or a report that only looks like one (outbound domains, indexed or top pages, backlink
gaps), which is refused with the export to use instead."""

from __future__ import annotations

import re

from outreach.backlinks.formats.columns import (
    COLUMNS,
    MARKERS,
    REQUIRED,
    SYNONYMS,
    header_index,
    mapping_of,
    norm,
    suggest_mapping,
)
from outreach.backlinks.formats.model import ExportFormat, ImportFileError

_F = ExportFormat
_LOOKS_LIKE_DATA = re.compile(r"(?i)^(https?://|www\.)|^[a-z0-9-]+(\.[a-z0-9-]+)+/")
_DOMAIN_NAME = re.compile(r"(?i)[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}")

# Formats whose rows are pages linking to the target, by a column no other report has:
# their direction is settled, whatever other columns they carry.
_PAGE_LINK_FORMATS = (
    _F.AHREFS_BACKLINKS, _F.SEMRUSH_BACKLINKS, _F.MOZ_INBOUND_LINKS, _F.MAJESTIC_BACKLINKS,
)  # fmt: skip
# A list of domains is a list of *referring* domains only with one of these beside it
# (Semrush's Outbound domains export has the same Domain and Domain ascore columns).
_INBOUND_DOMAIN_SIGNS: dict[ExportFormat, tuple[str, ...]] = {
    _F.SEMRUSH_REFERRING_DOMAINS: ("First seen", "Last seen", "IP", "Country"),
}
_USE_BACKLINKS = (
    "Export the Backlinks report (or Referring domains) of the competitor instead: "
    "it lists the pages and sites that link to it."
)
_GAP_NAMES = frozenset({"matches", "intersect", "linkintersect", "intersection"})
_OUTBOUND_WORDS = ("outbound", "outgoing", "linkingto")
_TOP_PAGE_NAMES = frozenset({"topkeyword", "topkeywords", "currenttraffic", "trafficvalue"})
_PAGE_NAMES = frozenset({"url", "page", "pageurl", "targeturl", "targetpage", "title"})
_COUNT_NAMES = frozenset(
    {"backlinks", "domains", "referringdomains", "refdomains", "dofollowrefdomains", "links"}
)
_SOURCE_NAMES = frozenset(norm(n) for n in SYNONYMS["source_url"] if n not in ("URL",))


def _refused_report(headers: list[str], index: dict[str, str]) -> str | None:
    """Why a header row is not a list of links *to* a target, naming what it looks like and
    the export to use instead; None when it may be one."""
    names = set(index)
    domains = [h for h in headers if _DOMAIN_NAME.fullmatch(h.strip())]
    if names & _GAP_NAMES or len(domains) >= 2:
        return (
            "This file looks like a backlink gap comparison (Semrush Backlink Gap or Ahrefs "
            "Link intersect): it compares several sites instead of listing the links to one. "
            "Export the Backlinks (or Referring domains) report of each competitor, one file "
            "per competitor: Outreach works out the gap itself."
        )
    if any(word in name for name in names for word in _OUTBOUND_WORDS):
        return (
            "This file looks like an Outbound (linked) domains report: the sites the target "
            f"links to, not the sites that link to it. {_USE_BACKLINKS}"
        )
    if names & _SOURCE_NAMES:
        return None
    by_traffic = any("traffic" in n for n in names) and any("keyword" in n for n in names)
    if names & _TOP_PAGE_NAMES or (by_traffic and names & _PAGE_NAMES):
        return (
            "This file looks like a Top pages report: the target's own pages and their search "
            f"traffic, not links to them. {_USE_BACKLINKS}"
        )
    if names & _PAGE_NAMES and names & _COUNT_NAMES:
        return (
            "This file looks like an Indexed pages report: the target's own pages and how "
            f"many links each gets, not the links themselves. {_USE_BACKLINKS}"
        )
    return None


def headerless(first_row: list[str]) -> bool:
    """True when a file's first row holds data (a URL) rather than column names."""
    return any(_LOOKS_LIKE_DATA.match(cell.strip()) for cell in first_row)


def column_names(count: int) -> list[str]:
    """The names the columns of a file without a header row go by: "Column 1", ..."""
    return [f"Column {n}" for n in range(1, count + 1)]


def detect(headers: list[str]) -> tuple[ExportFormat, dict[str, str], list[str]]:
    """The format of a header row, its field -> header mapping and its missing columns.

    Raises ImportFileError for reports that are not lists of links to the target (outbound
    domains, indexed or top pages, backlink gaps), saying which export to use instead.
    """
    index = header_index(headers)
    best: tuple[int, ExportFormat] | None = None
    for fmt, markers in MARKERS.items():
        score = sum(norm(m) in index for m in markers)
        columns = COLUMNS[fmt]
        required = next(f for f in REQUIRED if f in columns)
        has_required = any(norm(o) in index for o in columns[required])
        if (score >= 1 and has_required) or score >= 2:
            score = score * 2 + has_required
            if best is None or score > best[0]:
                best = (score, fmt)
    settled = best is not None and best[1] in _PAGE_LINK_FORMATS and best[0] % 2 == 1
    if not settled:
        refusal = _refused_report(headers, index)
        if best is not None and best[1] in _INBOUND_DOMAIN_SIGNS:
            signs = _INBOUND_DOMAIN_SIGNS[best[1]]
            if not any(norm(sign) in index for sign in signs):
                refusal = refusal or (
                    f"This file looks like an Outbound domains report: it has the columns of "
                    f"a {best[1].label} export but none of {', '.join(signs)}, which only a "
                    f"list of sites linking to the target carries. {_USE_BACKLINKS}"
                )
        if refusal:
            raise ImportFileError(refusal)
    if best is None:
        return _F.GENERIC, suggest_mapping(headers), []
    fmt = best[1]
    mapping = mapping_of(index, COLUMNS[fmt])
    required = next(f for f in REQUIRED if f in COLUMNS[fmt])
    missing = [] if required in mapping else [COLUMNS[fmt][required][0]]
    return fmt, mapping, missing
