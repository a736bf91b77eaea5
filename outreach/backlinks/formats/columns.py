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
COLUMNS: dict[ExportFormat, dict[str, tuple[str, ...]]] = {
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
MARKERS: dict[ExportFormat, tuple[str, ...]] = {
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
SYNONYMS: dict[str, tuple[str, ...]] = {
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

REQUIRED = ("source_url", "source_domain")


def header_signature(headers: list[str]) -> str:
    """A stable sha1 of a header row's normalised names, whatever their order."""
    names = sorted({norm(h) for h in headers} - {""})
    return hashlib.sha1("\x1f".join(names).encode("utf-8")).hexdigest()


def header_index(headers: list[str]) -> dict[str, str]:
    """Normalised name -> header as written (the first of duplicates)."""
    found: dict[str, str] = {}
    for header in headers:
        found.setdefault(norm(header), header)
    found.pop("", None)
    return found


def mapping_of(index: dict[str, str], columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Field -> header: for each field, the first of its names the header row has."""
    mapping: dict[str, str] = {}
    for name, options in columns.items():
        for option in options:
            header = index.get(norm(option))
            if header is not None and header not in mapping.values():
                mapping[name] = header
                break
    return mapping


def suggest_mapping(headers: list[str]) -> dict[str, str]:
    """The best guess of field -> header for the column-mapping step of an import."""
    index = header_index(headers)
    columns = {f: SYNONYMS.get(f, ()) for f in FIELDS}
    for fmt_columns in COLUMNS.values():
        for name, options in fmt_columns.items():
            columns[name] = columns[name] + options
    mapping = mapping_of(index, columns)
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
