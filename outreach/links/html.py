"""Read a fetched HTML page once with lxml: its links, title, robots meta, canonical and text.

Shared by backlink verification and the crawler. Nothing here raises on what the web serves:
empty or binary bodies, broken markup and odd encodings give an empty or partial page.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from outreach.links.placement import PlacementClassifier
from outreach.net.charset import decode_body

NOFOLLOW_RELS = frozenset({"nofollow", "sponsored", "ugc"})
ROBOTS_META_NAMES = frozenset({"robots", "googlebot"})

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_URL_WHITESPACE = re.compile(r"[\t\r\n]")
_TOKEN_SPLIT = re.compile(r"[\s,]+")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
_BLOCKS = (
    "address article aside blockquote br dd details div dl dt fieldset figcaption figure footer"
    " form h1 h2 h3 h4 h5 h6 header hr li main nav ol option p pre section summary table td th"
    " tr ul"
)
_BLOCK_TAGS = frozenset(_BLOCKS.split())  # elements whose edges separate words
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_Element = etree._Element


@dataclass
class PageLink:
    """One http(s) link of a page, as a search engine would read it."""

    href: str
    anchor: str
    rel: list[str] = field(default_factory=list)
    follows: bool = True
    placement: str = ""

    def as_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "href": self.href,
            "anchor": self.anchor,
            "rel": list(self.rel),
            "follows": self.follows,
            "placement": self.placement,
        }


@dataclass
class ParsedPage:
    """What one HTML page shows; ``links`` are in document order."""

    url: str
    base_url: str
    title: str | None = None
    lang: str | None = None
    meta_robots: list[str] = field(default_factory=list)
    canonical: str | None = None
    links: list[PageLink] = field(default_factory=list)
    _body: _Element | None = field(default=None, repr=False, compare=False)

    @property
    def noindex(self) -> bool:
        """True when the robots or googlebot meta tag says noindex (or none)."""
        return bool({"noindex", "none"} & set(self.meta_robots))

    @property
    def nofollow(self) -> bool:
        """True when the robots or googlebot meta tag says nofollow (or none)."""
        return bool({"nofollow", "none"} & set(self.meta_robots))

    @functools.cached_property
    def text(self) -> str:
        """Visible text of the body (no scripts or styles), whitespace-collapsed; built on use."""
        return visible_text(self._body) if self._body is not None else ""


def parse_page(
    body: bytes | str,
    url: str,
    content_type: str | None = None,
    *,
    only: Callable[[str], bool] | None = None,
) -> ParsedPage:
    """Parse a page fetched from ``url`` (its final URL); never raises.

    ``only``, given an absolute href, says whether to keep that link: anchors and placements are
    then worked out for the kept links alone, which is what makes checking one backlink cheap.
    """
    page = ParsedPage(url=url, base_url=url)
    if not _is_html(content_type):
        return page
    text = body if isinstance(body, str) else decode_body(body, content_type)
    root = _parse(text)
    if root is None:
        return page
    etree.strip_elements(root, "script", "style", "template", with_tail=False)
    page.base_url = _base_url(root, url)
    page.title = _title(root)
    page.lang = _lang(root)
    page.meta_robots = _meta_robots(root)
    page.canonical = _canonical(root, page.base_url)
    body_element = root.find("body")
    page._body = body_element if body_element is not None else root
    classifier: PlacementClassifier | None = None
    page_nofollow = page.nofollow
    for element in root.iter("a", "area"):
        href = element.get("href")
        absolute = resolve_href(href, page.base_url) if href is not None else None
        if absolute is None or (only is not None and not only(absolute)):
            continue
        classifier = classifier or PlacementClassifier(root)
        rel = sorted(set((element.get("rel") or "").lower().split()))
        page.links.append(
            PageLink(
                href=absolute,
                anchor=_anchor(element),
                rel=rel,
                follows=not page_nofollow and not NOFOLLOW_RELS.intersection(rel),
                placement=classifier.classify(element),
            )
        )
    return page


def resolve_href(href: str, base: str) -> str | None:
    """``href`` made absolute against ``base``; None unless it is an http(s) URL of another page."""
    cleaned = _URL_WHITESPACE.sub("", href.strip())
    if not cleaned or cleaned.startswith("#"):
        return None
    head = cleaned[:8].lower()
    if head.startswith(("http://", "https://")):
        return cleaned
    try:
        absolute = urljoin(base, cleaned)
    except ValueError:
        return None
    return absolute if absolute[:8].lower().startswith(("http://", "https://")) else None


def visible_text(element: _Element) -> str:
    """Text of an element as a reader sees it: block boundaries and ``<br>`` separate words."""
    chunks: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        if node.tag in _BLOCK_TAGS:
            chunks.append(" ")
        if event == "start":
            chunks.append(node.text or "")
        elif node is not element:
            chunks.append(node.tail or "")
    return _collapse("".join(chunks))


def _is_html(content_type: str | None) -> bool:
    if not content_type:
        return True
    mime = content_type.split(";", 1)[0].strip().lower()
    return not mime or mime in _HTML_TYPES or mime.endswith("+xml")


def _parse(text: str) -> _Element | None:
    text = text.replace("\x00", "")
    if text.lstrip()[:5].lower() == "<?xml":
        text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        return None
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        root = etree.fromstring(text, parser)
    except (etree.LxmlError, ValueError):
        return None
    return root if isinstance(root, _Element) else None


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _base_url(root: _Element, url: str) -> str:
    for element in root.iter("base"):
        href = element.get("href")
        if href and href.strip():
            return resolve_href(href, url) or url
    return url


def _title(root: _Element) -> str | None:
    head = root.find("head")
    element = head.find("title") if head is not None else None
    if element is None:
        element = next(root.iter("title"), None)
    title = _collapse("".join(element.itertext())) if element is not None else ""
    return title or None


def _lang(root: _Element) -> str | None:
    lang = root.get("lang") or root.get(_XML_LANG) or root.get("xml:lang")
    if not (lang and lang.strip()):
        for meta in root.iter("meta"):
            if (meta.get("http-equiv") or "").strip().lower() == "content-language":
                lang = meta.get("content")
                break
    return lang.strip() if lang and lang.strip() else None


def _meta_robots(root: _Element) -> list[str]:
    tokens: list[str] = []
    for meta in root.iter("meta"):
        if (meta.get("name") or "").strip().lower() in ROBOTS_META_NAMES:
            for token in _TOKEN_SPLIT.split((meta.get("content") or "").lower()):
                if token and token not in tokens:
                    tokens.append(token)
    return tokens


def _canonical(root: _Element, base_url: str) -> str | None:
    for element in root.iter("link"):
        if "canonical" in (element.get("rel") or "").lower().split():
            href = element.get("href")
            if href and href.strip():
                return resolve_href(href, base_url)
    return None


def _anchor(element: _Element) -> str:
    if element.tag == "area":
        return _collapse(element.get("alt") or "")
    text = visible_text(element)
    if text:
        return text
    alts = (image.get("alt") or "" for image in element.iter("img"))
    return _collapse(" ".join(alts))
