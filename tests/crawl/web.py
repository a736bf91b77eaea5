"""A small simulated web built from real corpus pages, with planted links, for crawl tests."""

from __future__ import annotations

import functools
import gzip
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

from tests.support.simweb import Reply, Response, redirect

PAGES = Path(__file__).parent / "pages"
HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(name: str) -> str:
    """A stored page's text."""
    return (PAGES / name).read_text(encoding="utf-8", errors="replace")


def plant(html: str, snippet: str) -> str:
    """Insert ``snippet`` after the first paragraph of the page's body text."""
    body = max(html.find("<body"), 0)
    found = re.compile(r"</p>(?!\s*-->)").search(html, body)
    at = found.end() if found else html.rfind("</body>")
    return html[:at] + snippet + html[at:]


def resources_page() -> str:
    """A links page: twenty outbound links in its content, two of them dead."""
    items = "".join(
        f'<li><a href="http://tool-{n}.test/">Python tool number {n}</a></li>' for n in range(18)
    )
    items += '<li><a href="http://dead-links.test/gone">A guide that vanished</a></li>'
    items += '<li><a href="http://dead-links.test/removed">An old list</a></li>'
    return (
        "<html><head><title>Useful links and resources for Python developers</title></head>"
        f"<body><main><article><h1>Resources</h1><p>Our picks.</p><ul>{items}</ul>"
        "</article></main></body></html>"
    )


def blog_home() -> str:
    """A real blog page with a competitor link and links to the site's other pages."""
    links = (
        ' <a href="https://rival-one.com/guide" rel="nofollow">the best guide to profiling</a>'
        ' <a href="/resources">resources</a> <a href="/contact">contact</a>'
        ' <a href="/about">about</a> <a href="/write-for-us">write for us</a>'
        ' <a href="/deep/1">more</a>'
    )
    return plant(page("strangemachines.io.performant.html"), f"<p>{links}</p>")


@functools.cache
def _bomb() -> bytes:
    return gzip.compress(b"<html><body>" + b" " * 50_000_000, compresslevel=9)


def _endless() -> Iterator[bytes]:
    for _ in itertools.count():
        yield b"<p>still sending</p>"


def handler(host: str, path: str) -> Reply:
    """The simulated web: a blog with contacts, a mention page and every kind of bad input."""
    if path == "/robots.txt":
        return 404, HTML, b""
    if host == "strangemachines.example":
        routes = {
            "/": blog_home(),
            "/resources": resources_page(),
            "/contact": page("contact.html"),
            "/about": page("about.html"),
            "/write-for-us": page("write-for-us.html"),
            "/deep/1": plant(page("flowfx.de.tmux.html"), '<p><a href="/deep/2">deeper</a></p>'),
            "/deep/2": plant(page("flowfx.de.tmux.html"), '<p><a href="/deep/3">deeper</a></p>'),
            "/deep/3": page("flowfx.de.tmux.html"),
        }
        if path in routes:
            return 200, HTML, routes[path].encode()
    if host == "mentions.test" and path == "/tmux":
        text = plant(
            page("flowfx.de.tmux.html"), "<p>We copy snippets with Acme Widgets daily.</p>"
        )
        return 200, HTML, text.encode()
    if host == "latin1.test":  # ISO-8859-1 bytes, a header that says nothing of the charset
        body = (PAGES / "cdu-fraktion-erfurt.de.waldorfschule.html").read_bytes()
        return 200, {"Content-Type": "text/html"}, body
    if host == "loop.test":
        return redirect("/b" if path == "/a" else "/a")
    if host == "huge.test":
        return 200, HTML, b"<html><body>" + b"<p>big</p>" * 200_000 + b"</body></html>"
    if host == "bomb.test":
        return 200, {**HTML, "Content-Encoding": "gzip"}, _bomb()
    if host == "slow.test":
        return Response(200, HTML, b"<html><body>", chunks=_endless(), interval=0.3)
    if host.startswith("tool-"):
        return 200, HTML, b"<html><body><p>a tool</p></body></html>"
    return 404, HTML, b"<h1>not found</h1>"
