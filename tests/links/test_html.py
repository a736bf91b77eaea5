"""Link, meta and text extraction from real saved pages (tests/links/pages/)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from outreach.links.html import parse_page
from tests.support.shared import require_shared

PAGES = Path(__file__).parent / "pages"
CC = "de.creativecommons.org.endlich.html"
CC_URL = "https://de.creativecommons.org/index.php/2014/03/20/endlich-wird-es-spannend/"


def load(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def plant(html: bytes, after: bytes, link: bytes) -> bytes:
    position = html.index(after) + len(after)
    return html[:position] + link + html[position:]


def in_article(link: bytes) -> bytes:
    return plant(load(CC), b'<div class="entry-content">', link)


def test_relative_links_resolve_against_the_final_url() -> None:
    page = parse_page(in_article(b'<a href="../pricing?plan=pro">p</a>'), CC_URL)
    hrefs = [link.href for link in page.links]
    assert "https://de.creativecommons.org/index.php/2014/03/20/pricing?plan=pro" in hrefs


def test_base_href_is_used_to_resolve_relative_links() -> None:
    # rs-ingenieure.de declares <base href="http://www.rs-ingenieure.de/"> and links "de/..."
    page_url = "https://www.rs-ingenieure.de/de/hochbau/leistungen/tragwerksplanung"
    page = parse_page(load("rs-ingenieure.de.tragwerksplanung.html"), page_url)
    hrefs = {link.href for link in page.links}
    assert page.base_url == "http://www.rs-ingenieure.de/"
    assert "http://www.rs-ingenieure.de/de/unternehmen/aktuell" in hrefs
    assert not any("/leistungen/de/" in href for href in hrefs)


def test_only_http_links_are_kept() -> None:
    planted = (
        b'<a href="javascript:void(0)">js</a><a href="mailto:a@b.example">mail</a>'
        b'<a href="tel:+4930123">tel</a><a href="#top">top</a><a href="">self</a>'
        b'<a href="data:text/html,x">data</a><a href=" HTTPS://Example.COM/x ">ok</a>'
    )
    hrefs = [link.href for link in parse_page(in_article(planted), CC_URL).links]
    assert "HTTPS://Example.COM/x" in hrefs
    assert not [h for h in hrefs if not h.lower().startswith(("http://", "https://"))]
    assert CC_URL not in hrefs and not [h for h in hrefs if h.endswith("#top")]


def test_anchor_is_visible_text_with_whitespace_collapsed() -> None:
    planted = b'<a href="https://t.example/a">  our\n\n  <b>best</b>\tguide </a>'
    [link] = [x for x in parse_page(in_article(planted), CC_URL).links if "t.example" in x.href]
    assert link.anchor == "our best guide"


def test_anchor_keeps_words_split_by_inline_tags_and_separates_blocks() -> None:
    planted = b'<a href="https://t.example/a">Gr<b>\xc3\xb6\xc3\x9f</b>e<br>Liste<div>Neu</div></a>'
    [link] = [x for x in parse_page(in_article(planted), CC_URL).links if "t.example" in x.href]
    assert link.anchor == "Gr\u00f6\u00dfe Liste Neu"


def test_image_link_anchor_is_the_image_alt() -> None:
    planted = b'<a href="https://t.example/a"> <img src="/logo.png" alt="Target Logo"> </a>'
    [link] = [x for x in parse_page(in_article(planted), CC_URL).links if "t.example" in x.href]
    assert link.anchor == "Target Logo"


def test_rel_is_a_sorted_lowercase_token_list_and_decides_follows() -> None:
    planted = (
        b'<a href="https://t.example/1" rel="NoFollow  noopener">1</a>'
        b'<a href="https://t.example/2" rel="sponsored">2</a>'
        b'<a href="https://t.example/3" rel="ugc">3</a>'
        b'<a href="https://t.example/4" rel="noopener noreferrer">4</a>'
    )
    links = [x for x in parse_page(in_article(planted), CC_URL).links if "t.example" in x.href]
    assert [x.rel for x in links] == [
        ["nofollow", "noopener"],
        ["sponsored"],
        ["ugc"],
        ["noopener", "noreferrer"],
    ]
    assert [x.follows for x in links] == [False, False, False, True]


def test_meta_robots_and_googlebot_tokens_are_collected() -> None:
    html = load("wevolver.com.3dprinting.html")  # really carries <meta name="robots" noindex>
    html = html.replace(b"<head>", b'<head><meta name="Googlebot" content="NoFollow">', 1)
    page = parse_page(html, "https://www.wevolver.com/article/3dprinting")
    assert sorted(page.meta_robots) == ["nofollow", "noindex"]
    assert page.noindex and page.nofollow
    assert page.links and not any(link.follows for link in page.links)


def test_title_lang_and_canonical_are_read() -> None:
    page = parse_page(load(CC), CC_URL)
    assert page.title is not None and page.title.startswith("Endlich wird es spannend")
    assert page.lang == "de-DE"
    assert page.canonical == (
        "https://de.creativecommons.org/index.php/2014/03/20/"
        "endlich-wird-es-spannend-die-nc-einschraenkung-nach-deutschem-recht/"
    )


def test_text_is_visible_text_without_scripts_or_styles() -> None:
    page = parse_page(load(CC), CC_URL)
    assert "Jubiläums der für das deutsche Recht portierten CC-Lizenzen" in page.text
    assert "function(" not in page.text and "{display" not in page.text.replace(" ", "")


def test_iso_8859_1_page_is_decoded_from_its_meta_charset() -> None:
    planted = '<a href="https://t.example/g">Größe & Übersicht</a>'.encode("iso-8859-1")
    html = plant(load("next2games.de.anno.html"), b"<body", b">" + planted + b"<span")
    page = parse_page(html, "https://www.next2games.de/vorschau/anno-1800")
    assert "veröffentlichen" in page.text
    assert [x.anchor for x in page.links if "t.example" in x.href] == ["Größe & Übersicht"]


def test_only_keeps_the_wanted_links_with_anchor_and_placement() -> None:
    page = parse_page(load(CC), CC_URL, only=lambda href: "kontakt-2" in href)
    assert [(x.anchor, x.placement) for x in page.links] == [
        ("Kontakt und Spenden", "navigation"),
        ("Kontakt und Spenden", "footer"),
    ]
    assert page.title is not None and "Jubiläums" in page.text


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        codecs.BOM_UTF16_LE + "<html><a href='/x'>x</a></html>".encode("utf-16-le"),
        b"<?xml version='1.0' encoding='utf-8'?><html><body><a href='/x'>x</a></body></html>",
        b"<html><body>" + b"<div>" * 5000 + b"<a href='/deep'>deep</a>",
        b"<a href='http://[::1'>broken ipv6</a><a href='http://exa mple.com/'>space</a>",
        b"<html><head><base href='javascript:alert(1)'></head><a href='/x'>x</a></html>",
    ],
    ids=["empty", "blank", "png", "utf16", "xml-declaration", "deep", "bad-urls", "bad-base"],
)
def test_odd_bodies_never_raise(body: bytes) -> None:
    page = parse_page(body, "https://example.org/page")
    assert all(link.href.startswith(("http://", "https://")) for link in page.links)


@pytest.mark.parametrize(
    "name", [CC, "mix1.de-clio.html", "buchperlen.wordpress.com.html", "incurvy.de.wellness.html"]
)
def test_truncated_and_odd_real_pages_never_raise(name: str) -> None:
    html = load(name)
    for cut in (len(html) // 3, len(html) // 2 + 7, len(html) - 11):
        parse_page(html[:cut], "https://example.org/page")
    assert parse_page(html, "https://example.org/page").links


def test_str_body_with_xml_encoding_declaration_is_parsed() -> None:
    body = "<?xml version='1.0' encoding='utf-8'?><html><body><a href='/x'>x</a></body></html>"
    assert [x.href for x in parse_page(body, "https://example.org/p").links] == [
        "https://example.org/x"
    ]


def test_non_html_content_type_gives_an_empty_page() -> None:
    page = parse_page(load(CC), CC_URL, content_type="application/pdf")
    assert page.links == [] and page.title is None


def test_every_corpus_page_parses_without_raising() -> None:
    files = sorted(require_shared("corpus", "web-pages").glob("*.html"))
    with_links = sum(1 for f in files if parse_page(f.read_bytes(), "https://e.example/").links)
    assert with_links >= len(files) - 5
