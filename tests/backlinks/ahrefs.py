"""Writing small Ahrefs-shaped exports with exactly the rows a test wants."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HEADER = [
    "Referring page title",
    "Referring page URL",
    "Language",
    "Platform",
    "Referring domains",
    "Linked domains",
    "External links",
    "Page traffic",
    "Keywords",
    "Domain rating",
    "UR",
    "Domain traffic",
    "Target URL",
    "Anchor",
    "Left context",
    "Right context",
    "Type",
    "Content",
    "Nofollow",
    "UGC",
    "Sponsored",
    "Rendered",
    "Raw",
    "First seen",
    "Last seen",
    "Lost",
]


@dataclass
class Link:
    """One backlink row; only what the tests vary."""

    page: str
    target: str
    dr: float = 40
    anchor: str = "great guide"
    nofollow: bool = False
    ugc: bool = False
    sponsored: bool = False
    first_seen: str = "2024-01-10 08:00:00"
    last_seen: str = "2024-06-01 09:30:00"
    lost: bool = False
    language: str = "en"


def _flag(value: bool) -> str:
    return "true" if value else "false"


def write_ahrefs(path: Path, links: list[Link], *, utf16: bool = True) -> Path:
    """An Ahrefs Backlinks export: UTF-16LE with BOM and tabs (Ahrefs' default) or UTF-8 CSV."""
    rows = []
    for link in links:
        values = {
            "Referring page title": f"Page on {link.page.split('/')[-1] or 'home'}",
            "Referring page URL": link.page,
            "Language": link.language,
            "Platform": "Blogs",
            "Referring domains": "12",
            "Linked domains": "30",
            "External links": "45",
            "Page traffic": "120",
            "Keywords": "8",
            "Domain rating": str(link.dr),
            "UR": "12",
            "Domain traffic": "5400",
            "Target URL": link.target,
            "Anchor": link.anchor,
            "Left context": "see",
            "Right context": "for more",
            "Type": "text",
            "Content": "true",
            "Nofollow": _flag(link.nofollow),
            "UGC": _flag(link.ugc),
            "Sponsored": _flag(link.sponsored),
            "Rendered": "false",
            "Raw": "true",
            "First seen": link.first_seen,
            "Last seen": link.last_seen,
            "Lost": link.last_seen if link.lost else "",
        }
        rows.append([values[h] for h in HEADER])
    if utf16:
        text = "\n".join("\t".join(r) for r in [HEADER, *rows]) + "\n"
        path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    else:

        def quote(cell: str) -> str:
            return '"' + cell.replace('"', '""') + '"'

        text = "\n".join(",".join(quote(c) for c in r) for r in [HEADER, *rows]) + "\n"
        path.write_text(text, encoding="utf-8")
    return path
