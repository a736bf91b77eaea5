"""Reading sitemaps and sitemap indexes (plain or gzip), bounded in size and count."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

from lxml import etree

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit, uncompressed
MAX_URLS = 50_000

_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)


class SitemapError(ValueError):
    """A sitemap that cannot be read, with a readable reason."""


@dataclass
class Sitemap:
    """What one sitemap file lists: page URLs, or (an index) further sitemaps."""

    pages: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


def gunzip_limited(data: bytes, limit: int = MAX_SITEMAP_BYTES) -> bytes:
    """Decompress gzip ``data`` to at most ``limit`` bytes; a bigger result is a gzip bomb."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise SitemapError(f"broken gzip data: {exc}") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise SitemapError(f"gzip data expands beyond {limit // (1024 * 1024)} MB")
    return out


def parse_sitemap(data: bytes, limit: int = MAX_URLS) -> Sitemap:
    """Parse sitemap XML (gzip-compressed or not); text files list one URL a line."""
    if data[:2] == b"\x1f\x8b":
        data = gunzip_limited(data)
    head = data.lstrip()[:200].lower()
    found = Sitemap()
    if not head.startswith(b"<"):
        text = data.decode("utf-8", "replace")
        found.pages = _URL_IN_TEXT.findall(text)[:limit]
        return found
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, recover=True, huge_tree=False, load_dtd=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.LxmlError as exc:
        raise SitemapError(f"not a readable sitemap: {exc}") from exc
    if root is None:
        raise SitemapError("not a readable sitemap: empty document")
    index = etree.QName(root).localname.lower() == "sitemapindex"
    target = found.sitemaps if index else found.pages
    for element in root.iter("{*}loc"):
        url = (element.text or "").strip()
        if url:
            target.append(url)
            if len(target) >= limit:
                break
    return found


def urls_in_text(text: str) -> list[str]:
    """Every http(s) URL in pasted text (search results, lists), in order, without repeats."""
    seen: dict[str, None] = {}
    for match in _URL_IN_TEXT.findall(text):
        seen.setdefault(match.rstrip(".,;:)]}>"), None)
    return list(seen)
