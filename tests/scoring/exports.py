"""Small vendor exports in the shapes the tools write (see FIELD-NOTES), for scoring tests."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from flask.testing import FlaskCliRunner

MOZ = ["URL", "Title", "Anchor Text", "Link Type", "Target URL", "Domain Authority",
       "Page Authority", "Spam Score", "Date First Seen", "Date Last Seen",
       "Date Lost"]  # fmt: skip
MAJESTIC = ["SourceURL", "TargetURL", "AnchorText", "FlagNoFollow", "FlagImages", "FlagDeleted",
            "FlagRedirect", "FlagFrame", "SourceTrustFlow", "SourceCitationFlow",
            "TargetTrustFlow", "TargetCitationFlow", "FirstIndexedDate", "LastSeenDate",
            "DateLost"]  # fmt: skip
SEMRUSH = ["Page ascore", "Source title", "Source url", "Target url", "Anchor", "External links",
           "Internal links", "Nofollow", "Sponsored", "Ugc", "Text", "Frame", "Form", "Image",
           "Sitewide", "First seen", "Last seen", "New link", "Lost link"]  # fmt: skip


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    """A UTF-8 CSV with a header row."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([[str(cell) for cell in row] for row in rows])
    return path


def moz_row(page: str, target: str, da: float, pa: float, spam: str = "1%") -> list[object]:
    """A followed Moz inbound link."""
    return [
        page,
        "A page",
        "anchor",
        "follow",
        target,
        da,
        pa,
        spam,
        "2024-01-01",
        "2024-06-01",
        "",
    ]


def majestic_row(page: str, target: str, tf: float, cf: float) -> list[object]:
    """A followed, live Majestic backlink."""
    return [page, target, "anchor", "-", "-", "-", "-", "-", tf, cf, 40, 38,
            "2024-01-01", "2024-06-01", ""]  # fmt: skip


def semrush_row(page: str, target: str, page_as: float) -> list[object]:
    """A followed Semrush backlink (Semrush gives only the page's Authority Score)."""
    flags = ["false", "false", "false", "true", "false", "false", "false", "false"]
    return [page_as, "A page", page, target, "anchor", 10, 5, *flags,
            "2024-01-01", "2024-06-01", "false", "false"]  # fmt: skip


def load(runner: FlaskCliRunner, path: Path, campaign_id: int) -> None:
    """Import a file through ``flask import-backlinks``, as a user would."""
    result = runner.invoke(args=["import-backlinks", str(path), "--campaign", str(campaign_id)])
    assert result.exit_code == 0, result.output
