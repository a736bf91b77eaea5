"""Sitemaps: real sitemap files, indexes, gzip, and gzip bombs."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from outreach.crawl.sitemaps import SitemapError, gunzip_limited, parse_sitemap, urls_in_text

MISC = Path(__file__).parent / "files"  # real sitemaps, copied from the shared corpus


def test_a_real_sitemap_lists_its_pages() -> None:
    found = parse_sitemap((MISC / "sitemap.xml").read_bytes())
    assert found.pages[:2] == [
        "https://www.sitemaps.org/",
        "https://www.sitemaps.org/protocol.html",
    ]
    assert not found.sitemaps


def test_a_sitemap_index_lists_sitemaps_even_in_cdata() -> None:
    found = parse_sitemap((MISC / "sitemap2.xml").read_bytes())
    assert found.sitemaps == [
        "http://www.example.com/sitemap1.xml.gz",
        "http://www.example.com/sitemap2.xml.gz",
    ]


def test_hreflang_alternates_are_not_taken_for_pages() -> None:
    found = parse_sitemap((MISC / "sitemap-hreflang.xml").read_bytes())
    assert "http://www.example.com/schweiz-deutsch/page.html" not in found.pages[:1]
    assert all(url.startswith("http://www.example.com/") for url in found.pages)


def test_gzip_sitemaps_are_read() -> None:
    data = gzip.compress((MISC / "sitemap.xml").read_bytes())
    assert parse_sitemap(data).pages[0] == "https://www.sitemaps.org/"


def test_a_gzip_bomb_is_refused_in_bounded_memory() -> None:
    bomb = gzip.compress(b"<" + b" " * 20_000_000)
    with pytest.raises(SitemapError, match="expands beyond"):
        gunzip_limited(bomb, limit=1_000_000)


def test_xml_entities_are_not_expanded() -> None:
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<urlset><url><loc>http://x.example/&b;</loc></url></urlset>"
    )
    assert all(len(u) < 100 for u in parse_sitemap(evil).pages)


def test_urls_are_taken_from_pasted_search_results() -> None:
    text = "1. Best tools (https://a.example/tools). 2. https://b.example/x?y=1, 3. no url"
    assert urls_in_text(text) == ["https://a.example/tools", "https://b.example/x?y=1"]
