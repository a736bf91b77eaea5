"""Header rows: which tool wrote a file, and which column holds which field.

Header names are compared normalised (case-folded, without spaces or punctuation), so
"Dofollow ref. domains", "Traffic " and "SourceURL" / "Source url" all match, in any
column order and among any number of unknown columns.
"""

from __future__ import annotations

import hashlib
import re

from outreach.backlinks.formats.model import FIELDS, ExportFormat, ImportFileError

_F = ExportFormat
_PUNCT = re.compile(r"[\W_]+")


def norm(name: str) -> str:
    """The form header names are compared in: "Dofollow ref. domains" -> "dofollowrefdomains"."""
    return _PUNCT.sub("", name.casefold())


# field -> header names, most usual first (the first one names a missing column).
_COLUMNS: dict[ExportFormat, dict[str, tuple[str, ...]]] = {
    _F.AHREFS_BACKLINKS: {
        "source_url": ("Referring page URL", "Referring page", "Ref. page URL"),
        "title": ("Referring page title",),
        "target_url": ("Target URL", "Link URL"),
        "anchor": ("Anchor",),
        "nofollow": ("Nofollow",),
        "ugc": ("UGC",),
        "sponsored": ("Sponsored",),
        "authority": ("Domain rating", "DR"),
        "page_authority": ("UR", "URL rating"),
        "traffic": ("Domain traffic",),
        "first_seen": ("First seen",),
        "last_seen": ("Last seen", "Last check", "Last visited"),
        "lost": ("Lost status",),
        "lost_at": ("Lost",),
        "language": ("Language",),
        "in_content": ("Content",),
        "link_type": ("Type",),
        "is_spam": ("Is spam",),
    },
    _F.AHREFS_REFERRING_DOMAINS: {
        "source_domain": ("Domain", "Referring domain"),
        "is_spam": ("Is spam",),
        "authority": ("DR", "Domain rating"),
        "traffic": ("Traffic", "Domain traffic"),
        "first_seen": ("First seen",),
        "last_seen": ("Last seen",),
        "lost_at": ("Lost",),
    },
    _F.SEMRUSH_BACKLINKS: {
        "source_url": ("Source url",),
        "title": ("Source title",),
        "target_url": ("Target url",),
        "anchor": ("Anchor",),
        "nofollow": ("Nofollow",),
        "ugc": ("Ugc",),
        "sponsored": ("Sponsored",),
        "authority": ("Domain ascore",),
        "page_authority": ("Page ascore",),
        "first_seen": ("First seen",),
        "last_seen": ("Last seen",),
        "lost": ("Lost link",),
        "sitewide": ("Sitewide",),
        "text_flag": ("Text",),
        "image_flag": ("Image",),
        "frame_flag": ("Frame",),
        "form_flag": ("Form",),
    },
    _F.SEMRUSH_REFERRING_DOMAINS: {
        "source_domain": ("Domain",),
        "authority": ("Domain ascore",),
        "first_seen": ("First seen",),
        "last_seen": ("Last seen",),
    },
    _F.MOZ_INBOUND_LINKS: {
        "source_url": ("URL", "Source URL"),
        "title": ("Title", "Source Title"),
        "target_url": ("Target URL",),
        "anchor": ("Anchor Text",),
        "rel": ("Link Type",),
        "nofollow": ("Nofollow",),
        "authority": ("Domain Authority", "DA"),
        "page_authority": ("Page Authority", "PA"),
        "first_seen": ("Date First Seen", "First Seen"),
        "last_seen": ("Date Last Seen", "Last Seen"),
        "lost_at": ("Date Lost",),
        "spam_score": ("Spam Score",),
    },
    _F.MOZ_LINKING_DOMAINS: {
        "source_domain": ("Root Domain",),
        "spam_score": ("Spam Score",),
        "authority": ("Domain Authority", "DA"),
        "first_seen": ("Date First Seen", "First Seen"),
        "last_seen": ("Date Last Seen", "Last Seen"),
        "lost_at": ("Date Lost",),
    },
    # Majestic's flows are figures of the source URL: Trust Flow stands in for authority
    # (what link builders filter on), Citation Flow goes to page_authority.
    _F.MAJESTIC_BACKLINKS: {
        "source_url": ("SourceURL",),
        "title": ("SourceTitle", "Title"),
        "target_url": ("TargetURL",),
        "anchor": ("AnchorText",),
        "nofollow": ("FlagNoFollow",),
        "lost": ("FlagDeleted",),
        "authority": ("SourceTrustFlow",),
        "page_authority": ("SourceCitationFlow",),
        "first_seen": ("FirstIndexedDate", "SourceFirstFoundDate", "FirstFoundDate"),
        "last_seen": ("LastSeenDate", "SourceCrawlDate", "LastCrawlDate"),
        "lost_at": ("DateLost",),
        "image_flag": ("FlagImageLink", "FlagImages"),
        "redirect_flag": ("FlagRedirect",),
        "frame_flag": ("FlagFrame",),
        "ttf_topic": ("SourceTopicalTrustFlow_Topic_0",),
        "ttf_value": ("SourceTopicalTrustFlow_Value_0",),
    },
    _F.SEARCH_CONSOLE_LINKS: {
        "source_url": ("Linking page", "Latest links", "Sample links"),
        "last_seen": ("Last crawled",),
    },
    _F.SEARCH_CONSOLE_SITES: {
        "source_domain": ("Site", "Top linking sites", "Linking site"),
    },
}

# Columns that point to one tool's export. A format is recognised when its required
# column and one of these are present; two of these without the required column still
# name the format, and reading it reports the missing column.
_MARKERS: dict[ExportFormat, tuple[str, ...]] = {
    _F.AHREFS_BACKLINKS: (
        "Referring page URL", "Referring page title", "Domain rating", "UR", "URL rating",
        "Left context", "Right context", "Lost status", "Domain traffic", "Page traffic",
        "Referring page HTTP code", "Drop reason", "Discovered status", "Linked domains",
    ),
    _F.AHREFS_REFERRING_DOMAINS: (
        "Dofollow ref. domains", "Dofollow linked domains", "Links to target", "Dofollow links",
        "New links", "Lost links",
    ),
    _F.SEMRUSH_BACKLINKS: (
        "Page ascore", "Source title", "Source url", "New link", "Lost link", "Sitewide",
        "Internal links",
    ),
    _F.SEMRUSH_REFERRING_DOMAINS: ("Domain ascore", "IP", "Country"),
    _F.MOZ_INBOUND_LINKS: (
        "Domain Authority", "Page Authority", "DA", "PA", "Spam Score", "Date First Seen",
        "Date Last Seen", "Date Lost",
    ),
    _F.MOZ_LINKING_DOMAINS: (
        "Root Domain", "Domain Authority", "DA", "Spam Score", "Linking Domains to Root Domain",
    ),
    _F.MAJESTIC_BACKLINKS: (
        "FlagNoFollow", "FlagImages", "FlagImageLink", "FlagDeleted", "FlagRedirect", "FlagFrame",
        "FlagAltText", "FlagMention", "SourceTrustFlow", "SourceCitationFlow", "TargetTrustFlow",
        "TargetCitationFlow", "FirstIndexedDate", "LastSeenDate", "DateLost", "SourceCrawlDate",
        "SourceFirstFoundDate", "ReasonLost", "LinkSubType",
    ),
    _F.SEARCH_CONSOLE_LINKS: ("Linking page", "Last crawled"),
    _F.SEARCH_CONSOLE_SITES: ("Linking pages", "Target pages", "Top linking sites"),
}  # fmt: skip

# Extra names for the mapping suggested for files of no known format, spreadsheet style
# and snake_case as the tools' APIs write them (``src_url``, ``url_from``, ``is_nofollow``).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "source_url": (
        "Source URL", "URL", "Source", "Page URL", "Referring URL", "Referring page URL",
        "From URL", "URL from", "Link from", "Backlink", "Backlink URL", "Linking page",
        "src_url", "src", "source_page", "referring_page", "ref_page_url", "page_from",
        "from", "linking_url",
    ),
    "source_domain": (
        "Domain", "Referring domain", "Root domain", "Site", "Website", "src_domain",
        "ref_domain", "domain_from", "linking_domain",
    ),
    "target_url": (
        "Target URL", "Target", "Link URL", "URL to", "To URL", "Destination", "dst_url",
        "target_page", "to", "href", "destination_url",
    ),
    "anchor": ("Anchor", "Anchor text", "Link text", "anchor_text"),
    "title": ("Title", "Page title", "Source title", "Referring page title", "src_title"),
    "rel": ("Rel", "Link rel", "Attributes", "rel_attributes"),
    "nofollow": ("Nofollow", "No follow", "Is nofollow", "is_nofollow"),
    "dofollow": ("Dofollow", "Is dofollow", "is_dofollow", "follow"),
    "ugc": ("UGC", "is_ugc"),
    "sponsored": ("Sponsored", "is_sponsored"),
    "authority": (
        "DR", "DA", "Domain rating", "Domain authority", "Authority", "Authority score",
        "Trust flow", "TF", "domain_rating", "src_domain_dr", "src_dr", "domain_ascore",
    ),
    "page_authority": (
        "UR", "PA", "URL rating", "Page authority", "Citation flow", "CF", "src_page_ur",
        "url_rating", "page_ascore",
    ),
    "traffic": ("Traffic", "Domain traffic", "Organic traffic", "src_traffic"),
    "first_seen": (
        "First seen", "Date first seen", "First found", "Discovered", "first_seen_date",
        "found_date",
    ),
    "last_seen": (
        "Last seen", "Date last seen", "Last crawled", "Last checked", "last_seen_date",
        "last_visited", "last_check",
    ),
    "lost": ("Lost status", "Lost link", "is_lost", "lost_reason"),
    "lost_at": ("Lost", "Date lost", "Lost date", "lost_at", "lost_date"),
    "language": ("Language", "Lang"),
    "in_content": ("Content", "is_content", "in_content"),
    "link_type": ("Link type", "link_type"),
    "is_spam": ("Is spam", "is_spam_domain", "is_spam"),
    "spam_score": ("Spam score", "spam_score"),
}  # fmt: skip

_REQUIRED = ("source_url", "source_domain")
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
_SOURCE_NAMES = frozenset(norm(n) for n in _SYNONYMS["source_url"] if n not in ("URL",))


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


def header_signature(headers: list[str]) -> str:
    """A stable sha1 of a header row's normalised names, whatever their order."""
    names = sorted({norm(h) for h in headers} - {""})
    return hashlib.sha1("\x1f".join(names).encode("utf-8")).hexdigest()


def _index(headers: list[str]) -> dict[str, str]:
    """Normalised name -> header as written (the first of duplicates)."""
    found: dict[str, str] = {}
    for header in headers:
        found.setdefault(norm(header), header)
    found.pop("", None)
    return found


def _mapping(index: dict[str, str], columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for name, options in columns.items():
        for option in options:
            header = index.get(norm(option))
            if header is not None and header not in mapping.values():
                mapping[name] = header
                break
    return mapping


def detect(headers: list[str]) -> tuple[ExportFormat, dict[str, str], list[str]]:
    """The format of a header row, its field -> header mapping and its missing columns.

    Raises ImportFileError for reports that are not lists of links to the target (outbound
    domains, indexed or top pages, backlink gaps), saying which export to use instead.
    """
    index = _index(headers)
    best: tuple[int, ExportFormat] | None = None
    for fmt, markers in _MARKERS.items():
        score = sum(norm(m) in index for m in markers)
        columns = _COLUMNS[fmt]
        required = next(f for f in _REQUIRED if f in columns)
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
    mapping = _mapping(index, _COLUMNS[fmt])
    required = next(f for f in _REQUIRED if f in _COLUMNS[fmt])
    missing = [] if required in mapping else [_COLUMNS[fmt][required][0]]
    return fmt, mapping, missing


def suggest_mapping(headers: list[str]) -> dict[str, str]:
    """The best guess of field -> header for the column-mapping step of an import."""
    index = _index(headers)
    columns = {f: _SYNONYMS.get(f, ()) for f in FIELDS}
    for fmt_columns in _COLUMNS.values():
        for name, options in fmt_columns.items():
            columns[name] = columns[name] + options
    mapping = _mapping(index, columns)
    if "source_url" in mapping:
        mapping.pop("source_domain", None)
    return mapping


def resolve(headers: list[str], mapping: dict[str, str]) -> dict[str, int]:
    """Column index of each mapped field; raises ImportFileError for unknown fields or columns."""
    exact = {h: i for i, h in reversed(list(enumerate(headers)))}
    loose = {norm(h): i for i, h in reversed(list(enumerate(headers)))}
    found: dict[str, int] = {}
    for name, header in mapping.items():
        if name not in FIELDS:
            raise ImportFileError(f"unknown field {name!r} in the column mapping")
        if not header:
            continue
        index = exact.get(header, loose.get(norm(header)))
        if index is None:
            raise ImportFileError(f"missing column {header!r}")
        found[name] = index
    return found
