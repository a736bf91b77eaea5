"""The shapes of a backlink export: its format, what sniffing found, and the rows it yields."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, NamedTuple

from outreach.backlinks.models import DataSource


class _Meta(NamedTuple):
    source: DataSource
    label: str
    has_target: bool
    authority_metric: str | None
    page_authority_metric: str | None


class ExportFormat(enum.Enum):
    """A kind of backlink export file, told apart by its header row."""

    AHREFS_BACKLINKS = "ahrefs_backlinks"
    AHREFS_REFERRING_DOMAINS = "ahrefs_referring_domains"
    SEMRUSH_BACKLINKS = "semrush_backlinks"
    SEMRUSH_REFERRING_DOMAINS = "semrush_referring_domains"
    MOZ_INBOUND_LINKS = "moz_inbound_links"
    MOZ_LINKING_DOMAINS = "moz_linking_domains"
    MAJESTIC_BACKLINKS = "majestic_backlinks"
    SEARCH_CONSOLE_LINKS = "search_console_links"  # "Latest links" / "Sample links": pages
    SEARCH_CONSOLE_SITES = "search_console_sites"  # "Top linking sites": sites only
    GENERIC = "generic"  # any other table; needs a column mapping

    @property
    def source(self) -> DataSource:
        """The data source rows of this format come from."""
        return _META[self].source

    @property
    def label(self) -> str:
        """A human name for the format, for the import screen."""
        return _META[self].label

    @property
    def has_target(self) -> bool:
        """False for files that list who links without saying to what (the caller supplies it)."""
        return _META[self].has_target

    @property
    def authority_metric(self) -> str | None:
        """The name of the domain-level figure in ``LinkRow.authority``."""
        return _META[self].authority_metric

    @property
    def page_authority_metric(self) -> str | None:
        """The name of the page-level figure in ``LinkRow.page_authority``."""
        return _META[self].page_authority_metric


_F = ExportFormat
_META: dict[ExportFormat, _Meta] = {
    _F.AHREFS_BACKLINKS: _Meta(
        DataSource.AHREFS, "Ahrefs backlinks", True, "ahrefs_dr", "ahrefs_ur"
    ),
    _F.AHREFS_REFERRING_DOMAINS: _Meta(
        DataSource.AHREFS, "Ahrefs referring domains", False, "ahrefs_dr", None
    ),
    _F.SEMRUSH_BACKLINKS: _Meta(
        DataSource.SEMRUSH, "Semrush backlinks", True, "semrush_as", "semrush_page_as"
    ),
    _F.SEMRUSH_REFERRING_DOMAINS: _Meta(
        DataSource.SEMRUSH, "Semrush referring domains", False, "semrush_as", None
    ),
    _F.MOZ_INBOUND_LINKS: _Meta(DataSource.MOZ, "Moz inbound links", True, "moz_da", "moz_pa"),
    _F.MOZ_LINKING_DOMAINS: _Meta(DataSource.MOZ, "Moz linking domains", False, "moz_da", None),
    _F.MAJESTIC_BACKLINKS: _Meta(
        DataSource.MAJESTIC, "Majestic backlinks", True, "majestic_tf", "majestic_cf"
    ),
    _F.SEARCH_CONSOLE_LINKS: _Meta(
        DataSource.SEARCH_CONSOLE, "Search Console linking pages", False, None, None
    ),
    _F.SEARCH_CONSOLE_SITES: _Meta(
        DataSource.SEARCH_CONSOLE, "Search Console top linking sites", False, None, None
    ),
    _F.GENERIC: _Meta(DataSource.CSV, "Other CSV or TSV file", True, "custom", "custom_page"),
}

# The fields a column mapping can assign. ``source_url`` (or, for lists of sites,
# ``source_domain``) is required; ``rel`` is a text column such as "nofollow, ugc";
# ``lost`` is a flag or status text, ``lost_at`` the date a link was lost.
FIELDS = (
    "source_url", "source_domain", "target_url", "anchor", "title", "link_type", "rel",
    "nofollow", "dofollow", "ugc", "sponsored", "authority", "page_authority", "traffic",
    "first_seen", "last_seen", "lost", "lost_at", "language", "in_content", "sitewide",
    "text_flag", "image_flag", "redirect_flag", "frame_flag", "form_flag", "is_spam",
    "spam_score", "ttf_topic", "ttf_value",
)  # fmt: skip
# ``dofollow`` is a flag whose true means followed (API dumps' ``is_dofollow``);
# ``in_content`` (Ahrefs "Content") and ``sitewide`` (Semrush) give the placement;
# ``link_type`` is a type text (Ahrefs "Type"), the ``*_flag`` fields are the per-type
# flags of Semrush and Majestic; ``ttf_topic`` and ``ttf_value`` are Majestic's first
# topical Trust Flow.


class ImportFileError(ValueError):
    """A problem with the whole file (empty, binary, wrong encoding, missing column...)."""


@dataclass(frozen=True, slots=True)
class Sniffed:
    """What the first bytes of an export say about the whole file.

    ``mapping`` maps fields to header names: the columns a known format is read
    from, or a suggestion for GENERIC files. ``missing`` names required columns a
    recognised format lacks; reading such a file needs a mapping that supplies them.
    A file whose first row is data has no header: it is GENERIC, ``has_header`` is False.
    """

    format: ExportFormat
    encoding: str
    delimiter: str
    headers: list[str]
    header_signature: str
    mapping: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    has_header: bool = True  # False: the first row is data, columns go by "Column N"


@dataclass(slots=True)
class LinkRow:
    """One backlink (or, for referring-domain files, one linking site) read from an export.

    ``row`` is the 1-based number of the data record: the header is not counted, and a
    record with line breaks inside a quoted field counts once. ``source_url`` and
    ``target_url`` are normalised with :func:`outreach.urls.normalize_url` (the form links
    are matched by); ``source_text`` and ``target_text`` are the same URLs as the export
    wrote them (what is stored and shown). ``source_url`` is None for files that list sites.
    ``authority`` is a domain-level figure (Ahrefs DR, Semrush Authority Score, Moz DA,
    Majestic Trust Flow), named by ``authority_metric``; ``page_authority`` a page-level
    one (Ahrefs UR, Semrush page score, Moz PA, Majestic Citation Flow); ``traffic`` is the
    domain's estimated traffic. Dates are aware UTC datetimes. ``placement`` is "content",
    "boilerplate" (outside the main content) or "sitewide" when the export says;
    ``link_type`` one of "text", "image", "redirect", "frame", "form"; ``is_spam`` (Ahrefs),
    ``spam_score`` (Moz, 0-100) and ``topical_trust_flow`` (Majestic, "Topic:Value") are kept
    as the tools give them.
    """

    row: int
    source_url: str | None
    source_domain: str
    source_title: str | None
    target_url: str | None
    target_domain: str | None
    anchor: str | None
    nofollow: bool
    ugc: bool
    sponsored: bool
    authority: float | None
    authority_metric: str | None
    page_authority: float | None
    traffic: float | None
    first_seen: datetime | None
    last_seen: datetime | None
    lost: bool
    lost_at: datetime | None
    language: str | None
    source_text: str | None = None
    target_text: str | None = None
    placement: str | None = None
    link_type: str | None = None
    is_spam: bool | None = None
    spam_score: float | None = None
    topical_trust_flow: str | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    """A data record that could not be read; the rest of the file goes on.

    ``row`` counts like :attr:`LinkRow.row`; ``column`` is a header name, or None when the
    problem is the record as a whole.
    """

    row: int
    column: str | None
    error: str


# LinkRow's fields after ``row``, in order: the keys of ``RowBlock.fields``.
ROW_FIELDS = tuple(f.name for f in fields(LinkRow))[1:]


@dataclass(slots=True)
class RowBlock:
    """Records read together, held field by field: the fast path of a big import.

    ``fields[name][n]`` is field ``name`` (see ``ROW_FIELDS``) of record ``rows[n]``.
    Positions listed in ``errors`` hold no usable record; their RowError says why.
    """

    rows: Sequence[int]
    fields: dict[str, Sequence[Any]]
    errors: dict[int, RowError] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)
