"""Where on a page a link sits: content, navigation, header, footer, sidebar or comments.

The judgement reads the page's structure only (no CSS, no rendering), from the root down to the
link, so every ancestor is looked at once per page however many links share it:

* Semantic elements and ARIA roles: ``<nav>``/``role=navigation``, ``<header>``/``role=banner``,
  ``<footer>``/``role=contentinfo``, ``<aside>``/``role=complementary``; ``<main>``/``role=main``
  and the page's own ``<article>`` mark content.
* Class and id names, split into word parts (``site-footer``, ``mainNav``, ``widget_text``,
  ``ls-sidebar__widget``) and matched part by part, never as substrings: ``canvas`` and
  ``unavailable`` are not navigation, ``commentary`` is not comments (``navigation-free`` does
  count as navigation: it has the word).

Rules, and why:

* Content stops the walk: a ``<main>``, the page's article (an ``<article>`` or ``hentry``
  holding the ``<h1>`` or a fifth of the page's text) or a body such as ``entry-content`` or
  ``itemprop=articleBody``. Regions between it and the link still count (comments, an
  ``<aside>`` box, a post navigation); names outside it cannot leak in.
* Page-wide wrappers are not regions: ``<html>``/``<body>`` classes (``has-sidebar``) are
  ignored; names holding a layout word (``has``, ``no``, ``with``, ``layout``...) are ignored
  (``main-content-with-sidebar``); a region holding the ``<main>``, or the ``<h1>`` plus 40% of
  the page's text or 60% of its ``<main>``, is a wrapper (``<div class="container
  right-sidebar">``). Only explicit landmark roles are trusted whatever they hold.
* A header or footer inside an article, aside, nav, main, sidebar or comment is that block's
  own (``<header class="entry-header">`` in an ``<article>`` is content), as in the HTML
  landmark rules; so is one named with a component word (``post-header-image``, ``card-footer``).
* Nested regions: the outer site region decides for lists nested in it, because that is where a
  reader sees the link: footer > sidebar/comments > navigation > header > bare widget. A menu in
  the site footer is ``footer``, a menu widget in the sidebar is ``sidebar``, the main menu in
  the site header is ``navigation`` and the logo beside it ``header``. Between sidebar and
  comments the nearer wins; an "aside" inside a site header or menu is part of it.
* ``widget`` alone is weak (Blogger and page builders call every block a widget): it means
  sidebar only when nothing else applies and never inside content or a listed entry.
"""

from __future__ import annotations

import functools
import re

from lxml import etree

CONTENT = "content"
NAVIGATION = "navigation"
HEADER = "header"
FOOTER = "footer"
SIDEBAR = "sidebar"
COMMENTS = "comments"
PLACEMENTS = (CONTENT, NAVIGATION, HEADER, FOOTER, SIDEBAR, COMMENTS)

_WIDGET = "widget"  # weak sidebar signal, internal only
_HARD = "hard-content"  # internal marker: content region that stops the walk
_ENTRY = "entry"  # internal marker: a teaser/listed entry; scopes header/footer, voids widgets
_ENTRY_CLASSES = frozenset({"hentry", "h-entry"})
_PRIORITY = (FOOTER, SIDEBAR, COMMENTS, NAVIGATION, HEADER, _WIDGET)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_FOOTER_WORDS = _words("footer colophon contentinfo")
_HEADER_WORDS = _words("header masthead")
_SIDEBAR_WORDS = _words("sidebar aside rail sidecol complementary")
_WIDGET_WORDS = _words("widget widgets")
_AREA_WORDS = _words("area areas column columns")  # "widget-area" is WordPress's sidebar
_NAV_WORDS = _words(
    "nav navbar navigation menu menubar megamenu submenu mainnav topnav subnav sidenav navlist"
    " breadcrumb breadcrumbs pagination pager"
)
_TAB_WORDS = _words("tab tabs")  # a "tab-menu" holds the tabs' content panels
_COMMENT_WORDS = _words("comment comments commentlist respond disqus discussion")
# A comment word next to these names a widget or a link to the comments, not the thread.
_NOT_COMMENTS = _words("recent latest count counter number link links")
# Words of layout switches and page-wide wrappers: "has-sidebar", "content-with-sidebar".
_LAYOUT_WORDS = _words(
    "has no with without none included layout position on off enabled disabled show hide"
    " hidden visible for after before under toggle toggler"
)
# A header/footer qualified by one of these is a component's, not the site's.
_COMPONENT_WORDS = _words(
    "entry post article comment comments card item widget story single media panel modal table"
    " news teaser list hero product title paywall meta author blog body bio review gallery video"
    " slider tab dialog popup form image img"
)
_CONTENT_HEADS = _words("entry post article story blog single")
_CONTENT_TAILS = _words("content body text")
_BUILDERS = _words("elementor wpb vc fl et pb")  # page builders call every block a widget
_ROLE_SIGNALS = {
    "navigation": NAVIGATION,
    "menu": NAVIGATION,
    "menubar": NAVIGATION,
    "banner": HEADER,
    "contentinfo": FOOTER,
    "complementary": SIDEBAR,
    "main": _HARD,
}
_TAG_SIGNALS = {
    "nav": NAVIGATION,
    "aside": SIDEBAR,
    "header": HEADER,
    "footer": FOOTER,
    "main": _HARD,
}
_SCOPING_TAGS = frozenset({"article", "aside", "nav", "main"})
_SCOPING_ROLES = frozenset({"article", "complementary", "navigation", "main"})
_SCOPING_SIGNALS = frozenset({SIDEBAR, COMMENTS, NAVIGATION})
_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")

_Element = etree._Element
# (region signals from the outside in, inside a block that scopes header/footer, inside an entry)
_Context = tuple[frozenset[str], bool, bool]
_ROOT_CONTEXT: _Context = (frozenset(), False, False)


@functools.lru_cache(maxsize=8192)
def _name_signal(name: str) -> str | None:
    """The region one class or id names, judged on its word parts."""
    parts = _parts(name)
    if not parts or parts & _LAYOUT_WORDS:
        return None
    found: set[str] = set()
    if parts & _FOOTER_WORDS and not parts & _COMPONENT_WORDS:
        found.add(FOOTER)
    if parts & _HEADER_WORDS and not parts & _COMPONENT_WORDS:
        found.add(HEADER)
    if parts & _SIDEBAR_WORDS or (parts & _WIDGET_WORDS and parts & _AREA_WORDS):
        found.add(SIDEBAR)
    if parts & _COMMENT_WORDS and not parts & (_NOT_COMMENTS | _WIDGET_WORDS):
        found.add(COMMENTS)
    if parts & _NAV_WORDS and not parts & _TAB_WORDS:
        found.add(NAVIGATION)
    if parts & _WIDGET_WORDS and not parts & _BUILDERS:
        found.add(_WIDGET)
    if not found and parts & _CONTENT_HEADS and parts & _CONTENT_TAILS:
        return _HARD
    return next((signal for signal in _PRIORITY if signal in found), None)


def _names_signal(names: str) -> str | None:
    signals = {_name_signal(name) for name in names.split()}
    best = next((signal for signal in _PRIORITY if signal in signals), None)
    return best or (_HARD if _HARD in signals else None)


class PlacementClassifier:
    """Classifies links of one parsed document, caching the context of every ancestor."""

    def __init__(self, root: _Element) -> None:
        """Prepare for ``root`` (the ``<html>`` element): find the main and h1 elements."""
        self._contexts: dict[_Element, _Context] = {}
        self._holds_main: set[_Element] = set()
        self._holds_h1: set[_Element] = set()
        self._lengths: dict[_Element, int] = {}
        self._root = root
        for element in root.iter("h1", "main"):
            target = self._holds_h1 if element.tag == "h1" else self._holds_main
            target.update(element.iterancestors())
        for element in root.xpath("//*[@role]"):
            if isinstance(element, _Element) and _is_main(element):
                self._holds_main.update(element.iterancestors())

    def classify(self, element: _Element) -> str:
        """The placement of ``element`` (a link), from its ancestors."""
        parent = element.getparent() if element.tag in ("a", "area") else element
        if parent is None:
            return CONTENT
        signals = self._context(parent)[0]
        best = next((signal for signal in _PRIORITY if signal in signals), None)
        if best is None:
            return CONTENT
        return SIDEBAR if best == _WIDGET else best

    def _context(self, element: _Element) -> _Context:
        chain: list[_Element] = []
        node: _Element | None = element
        while node is not None and node not in self._contexts:
            chain.append(node)
            node = node.getparent()
        context = self._contexts[node] if node is not None else _ROOT_CONTEXT
        for node in reversed(chain):
            context = self._step(context, node)
            self._contexts[node] = context
        return context

    def _step(self, context: _Context, element: _Element) -> _Context:
        signals, scoped, in_entry = context
        tag = element.tag
        if not isinstance(tag, str) or tag in ("html", "body"):
            return context
        role = (element.get("role") or "").strip().lower()
        signal = self._signal(element, tag, role)
        if signal == _HARD:
            return (frozenset(), True, True)
        if signal == _ENTRY:
            return (signals - {_WIDGET}, True, True)
        if (signal in (HEADER, FOOTER) and scoped) or (signal == _WIDGET and in_entry):
            signal = None
        elif signal == SIDEBAR and signals & {HEADER, NAVIGATION}:
            signal = None  # the "aside" part of a site header or menu
        if signal in (SIDEBAR, COMMENTS):
            signals = (signals - {SIDEBAR, COMMENTS}) | {signal}  # the nearer one wins
        elif signal is not None:
            signals = signals | {signal}
        scoping = tag in _SCOPING_TAGS or role in _SCOPING_ROLES or signal in _SCOPING_SIGNALS
        return (signals, scoped or scoping, in_entry)

    def _signal(self, element: _Element, tag: str, role: str) -> str | None:
        if tag == "main" or role == "main":
            return _HARD
        names = f"{element.get('class') or ''} {element.get('id') or ''}"
        by_name = _names_signal(names) if names.strip() else None
        if tag == "article" or role == "article" or _ENTRY_CLASSES & set(names.split()):
            if by_name in (COMMENTS, SIDEBAR):
                return by_name
            return _HARD if self._is_page_article(element) else _ENTRY
        if (element.get("itemprop") or "").lower() == "articlebody":
            return _HARD
        signal = _TAG_SIGNALS.get(tag) or _ROLE_SIGNALS.get(role)
        if signal in (HEADER, FOOTER):
            signal = by_name if by_name == COMMENTS else _site_part(names, signal)
        if signal is None:
            signal = by_name
        if signal is None or signal == _HARD:
            return signal
        return None if self._is_wrapper(element, role in _ROLE_SIGNALS) else signal

    def _is_page_article(self, element: _Element) -> bool:
        return element in self._holds_h1 or self._share(element) >= 0.2

    def _is_wrapper(self, element: _Element, landmark: bool) -> bool:
        """True for a region that holds the page's main content (explicit roles are trusted)."""
        if element in self._holds_main:
            return True
        if landmark or element not in self._holds_h1:
            return False
        if self._share(element) >= 0.4:
            return True
        main = next((a for a in element.iterancestors() if _is_main(a)), None)
        return main is not None and self._length(element) >= 0.6 * self._length(main)

    def _share(self, element: _Element) -> float:
        body = self._root.find("body")
        page = self._length(body if body is not None else self._root)
        return self._length(element) / max(page, 1)

    def _length(self, element: _Element) -> int:
        length = self._lengths.get(element)
        if length is None:
            length = self._lengths[element] = sum(len(text) for text in element.itertext())
        return length


def _parts(name: str) -> frozenset[str]:
    return frozenset(p for p in _SPLIT.split(_CAMEL.sub(r"\1-\2", name).lower()) if p)


def _site_part(names: str, signal: str) -> str | None:
    """None when a <header>/<footer> is named as a component's (``entry-header``)."""
    for name in names.split():
        parts = _parts(name)
        if parts & _COMPONENT_WORDS and parts & (_HEADER_WORDS | _FOOTER_WORDS):
            return None
    return signal


def _is_main(element: _Element) -> bool:
    return element.tag == "main" or (element.get("role") or "").strip().lower() == "main"


def classify_placement(element: _Element) -> str:
    """Placement of one link element: content, navigation, header, footer, sidebar or comments."""
    return PlacementClassifier(element.getroottree().getroot()).classify(element)
