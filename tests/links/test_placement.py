"""Placement of links planted into real saved pages (tests/links/pages/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from outreach.links.html import parse_page
from outreach.links.placement import PLACEMENTS, classify_placement

PAGES = Path(__file__).parent / "pages"
TARGET = "https://target.example/guide"
LINK = b'<a href="https://target.example/guide">our guide</a>'

# A WordPress (Twenty Sixteen) post: site header + menu, article with entry header/footer,
# comment list, sidebar widget area and a site footer holding a menu.
CC = "de.creativecommons.org.endlich.html"
CC_URL = "https://de.creativecommons.org/index.php/2014/03/20/endlich-wird-es-spannend/"


def load(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def plant(html: bytes, after: bytes, link: bytes = LINK) -> bytes:
    """Insert ``link`` right after the first occurrence of ``after``."""
    position = html.index(after) + len(after)
    return html[:position] + link + html[position:]


def placement(html: bytes, url: str = CC_URL) -> str:
    [link] = [link for link in parse_page(html, url).links if link.href == TARGET]
    return link.placement


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (b'<div class="entry-content">', "content"),
        (b'<div class="site-branding">', "header"),
        (b'<ul id="menu-seiten-navigation" class="primary-menu">', "navigation"),
        (b'<section id="categories-2" class="widget widget_categories">', "sidebar"),
        (b'<div class="comment-content">', "comments"),
        (b'<div class="site-info">', "footer"),
    ],
)
def test_each_region_of_a_wordpress_post_is_told_apart(after: bytes, expected: str) -> None:
    assert placement(plant(load(CC), after)) == expected


def test_article_header_is_content_not_the_site_header() -> None:
    assert placement(plant(load(CC), b'<header class="entry-header">')) == "content"


def test_article_footer_is_content_not_the_site_footer() -> None:
    assert placement(plant(load(CC), b'<footer class="entry-footer">')) == "content"


def test_comment_meta_footer_inside_a_comment_is_comments() -> None:
    assert placement(plant(load(CC), b'<footer class="comment-meta">')) == "comments"


def test_menu_inside_the_site_footer_counts_as_footer() -> None:
    html = plant(load(CC), b'<ul id="menu-seiten-navigation-1" class="primary-menu">')
    assert placement(html) == "footer"


def test_post_navigation_inside_main_is_navigation() -> None:
    assert placement(plant(load(CC), b'<div class="nav-links">')) == "navigation"


def test_comments_area_is_comments_even_outside_the_comment_list() -> None:
    assert placement(plant(load(CC), b'<div id="comments" class="comments-area">')) == "comments"


def test_page_wide_wrapper_named_with_sidebar_does_not_make_content_sidebar() -> None:
    wrapped = load(CC).replace(
        b'<div id="page" class="site">',
        b'<div class="container main-content-with-sidebar"><div id="page" class="site-wrapper">',
    )
    assert placement(plant(wrapped, b'<div class="entry-content">')) == "content"
    assert placement(plant(wrapped, b'<div class="site-info">')) == "footer"
    widget = b'<section id="archives-2" class="widget widget_archive">'
    assert placement(plant(wrapped, widget)) == "sidebar"


def test_body_class_has_sidebar_does_not_make_content_sidebar() -> None:
    html = load("geschichtedergegenwart.ch.foucault.html")
    assert b"has-sidebar" in html
    url = "https://geschichtedergegenwart.ch/mit-foucault-die-pandemie-verstehen/"
    assert placement(plant(html, b'<div class="entry-content">'), url) == "content"
    widget = b'<aside id="category-posts-3" class="widget cat-post-widget">'
    assert placement(plant(html, widget), url) == "sidebar"


def test_layout_wrapper_with_double_sidebar_keeps_its_main_column_content() -> None:
    html = load("schweizerjaeger.ch-steinkauz.html")
    url = "https://schweizerjaeger.ch/aktuell/vogeldesjahres2021.html"
    assert placement(plant(html, b'<div class="main-content">'), url) == "content"
    assert placement(plant(html, b'<aside class="small-sidebar">'), url) == "sidebar"
    assert placement(plant(html, b'<div class="footer-widgets">'), url) == "footer"
    assert placement(plant(html, b'<header class="header">'), url) == "header"


def test_theme_wrapper_named_right_sidebar_around_the_article_is_not_a_sidebar() -> None:
    # incurvy.de wraps the post column in <div class="container ... right-sidebar"> and
    # <div class="theiaStickySidebar">; a link beside the article there is still content.
    html = load("incurvy.de.wellness.html")
    url = "https://www.incurvy.de/trends-grosse-groessen/wellness-gesichtsbehandlung/"
    assert placement(plant(html, b'<div id="main">', b"<p>" + LINK + b"</p>"), url) == "content"
    assert placement(plant(html, b'<div class="theiaStickySidebar">'), url) == "content"
    assert placement(plant(html, b'<div class="inner-post-entry">'), url) == "content"


@pytest.mark.parametrize(
    "wrapper",
    [
        b'<div class="canvas-wrap">',  # "nav" inside "canvas"
        b'<div class="unavailable-note">',  # "nav" inside "unavailable"
        b'<div class="commentary">',  # "comment" inside "commentary"
        b'<div class="subheadline-footerless">',  # no word part is "footer"
        b'<div class="post-header-image">',  # a header word, but a post's own header
        b'<div class="card-footer">',  # a card's footer, not the site's
    ],
)
def test_class_names_match_as_word_parts_not_substrings(wrapper: bytes) -> None:
    # planted straight under the page wrapper, outside every region of the theme
    html = plant(load(CC), b'<div id="page" class="site">', wrapper + LINK + b"</div>")
    assert placement(html) == "content"


@pytest.mark.parametrize(
    "wrapper",
    [
        b'<div class="has-sidebar">',
        b'<div class="no-sidebar">',
        b'<div class="content-with-sidebar">',
        b'<div class="Layout--sidebarPosition-end">',
        b'<div class="sidebar-included">',
        b'<div class="st_menu_under">',
    ],
)
def test_layout_switch_classes_are_not_regions(wrapper: bytes) -> None:
    html = plant(load(CC), b'<div id="page" class="site">', wrapper + LINK + b"</div>")
    assert placement(html) == "content"


def test_body_classes_never_decide_placement() -> None:
    # no <main> and no <h1> here, so only the rule about <body> keeps this content
    html = load("rs-ingenieure.de.tragwerksplanung.html").replace(b"<h1", b"<h2")
    html = html.replace(b'<body  id="top" class="de', b'<body class="sidebar footer de')
    html = plant(html, b'<div class="first content">')
    assert placement(html, "https://www.rs-ingenieure.de/de/hochbau") == "content"


def test_the_page_article_is_content_even_inside_a_region_named_like_a_sidebar() -> None:
    # pcgamer.com-style: the post sits in a "widget-area" column that holds only ~a quarter
    # of the text, so only the <article> holding the <h1> tells that it is the content
    html = load(CC).replace(b"<article id=", b'<div class="widget-area"><article id=', 1)
    html = html.replace(b"</article>", b"</article></div>", 1)
    assert placement(plant(html, b'<footer class="entry-footer">')) == "content"


def test_the_nearer_of_comments_and_sidebar_wins() -> None:
    # theverge.com-style: the comment section sits in a sticky "l-sidebar-fixed" column
    html = load(CC).replace(
        b'<div id="comments" class="comments-area">',
        b'<div class="l-sidebar-fixed"><div id="comments" class="comments-area">',
    )
    assert placement(plant(html, b'<div class="comment-content">')) == "comments"


@pytest.mark.parametrize(
    ("wrapper", "expected"),
    [
        (b'<div class="mainNav">', "navigation"),  # camelCase
        (b'<div class="c-site-footer__links">', "footer"),  # BEM
        (b'<div class="right-rail">', "sidebar"),
        (b'<div role="complementary">', "sidebar"),  # ARIA roles
        (b'<div role="contentinfo">', "footer"),
        (b'<div role="banner">', "header"),
        (b'<div id="disqus_thread">', "comments"),
        (b'<ol class="commentlist">', "comments"),
        (b'<div class="widget_text">', "sidebar"),  # a bare widget outside any other region
    ],
)
def test_regions_are_recognised_from_names_and_roles(wrapper: bytes, expected: str) -> None:
    # planted straight under the page wrapper, outside every region of the theme
    html = plant(load(CC), b'<div id="page" class="site">', wrapper + LINK + b"</div>")
    assert placement(html) == expected


def test_aside_inside_the_article_is_sidebar_while_a_widget_there_is_content() -> None:
    body = b'<div class="entry-content">'
    assert placement(plant(load(CC), body, b"<aside>" + LINK + b"</aside>")) == "sidebar"
    shares = b'<div class="shariff-widget">' + LINK + b"</div>"
    assert placement(plant(load(CC), body, shares)) == "content"


def test_site_footer_nested_in_the_main_content_is_that_content_footer() -> None:
    footer = b'<footer class="c-site-footer">' + LINK + b"</footer>"
    assert placement(plant(load(CC), b'<div class="entry-content">', footer)) == "content"


def test_classify_placement_works_on_a_bare_lxml_element() -> None:
    root = etree.fromstring(
        b"<html><body><footer><p><a href='/x'>x</a></p></footer></body></html>",
        etree.HTMLParser(),
    )
    [anchor] = root.iter("a")
    assert classify_placement(anchor) == "footer"


def test_every_link_of_a_real_page_gets_a_known_placement() -> None:
    links = parse_page(load(CC), CC_URL).links
    assert links
    assert {link.placement for link in links} <= set(PLACEMENTS)
    assert {link.placement for link in links} == set(PLACEMENTS)  # this page has all six
