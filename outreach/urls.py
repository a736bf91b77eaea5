"""URL normalisation and registrable domains, shared by imports, crawling and verification."""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import re
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

import idna
import tldextract

# The Public Suffix List snapshot bundled with tldextract; never fetched at run time.
# Private suffixes (blogspot.com, github.io, ...) count as suffixes, so each blog on
# a hosting platform is its own prospect, as link builders treat them.
_extract = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
)

# Blog platforms the bundled Public Suffix List leaves out of its private section: each
# subdomain is its own blog (its own prospect), as on blogspot.com and github.io, which the
# list covers. Checked against tldextract 5.4's snapshot; "www." is the platform itself.
HOSTED_BLOG_PLATFORMS = frozenset(
    {
        "wordpress.com",
        "tumblr.com",
        "medium.com",
        "substack.com",
        "weebly.com",
        "livejournal.com",
    }
)
# Blogger serves each blog under country domains too (x.blogspot.in, x.blogspot.co.uk) and
# redirects them to x.blogspot.com: one blog, one registrable domain.
_BLOGSPOT = re.compile(r"(?:.+\.)?([^.]+)\.blogspot\.(?:[a-z]{2,3}|com?\.[a-z]{2})")

TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMS = frozenset({"gclid", "fbclid", "msclkid", "mc_cid", "mc_eid"})


class InvalidURL(ValueError):
    """A string that cannot be read as an http(s) URL."""


def ensure_scheme(raw: str) -> str:
    """Add ``http://`` to a bare host or path such as ``example.com/page``."""
    text = raw.strip()
    if "://" not in text and not text.startswith("//"):
        return "http://" + text
    if text.startswith("//"):
        return "http:" + text
    return text


def host_of(url: str) -> str:
    """The lower-case host of a URL, without port or trailing dot."""
    try:
        host = urlsplit(ensure_scheme(url)).hostname or ""
    except ValueError as exc:
        raise InvalidURL(f"malformed URL {url!r}") from exc
    return host.rstrip(".").lower()


@functools.lru_cache(maxsize=65536)
def registrable_domain(host_or_url: str) -> str:
    """The registrable domain (eTLD+1) of a host or URL: ``a.example.co.uk`` -> ``example.co.uk``.

    Each blog on a hosting platform is its own registrable domain (``x.wordpress.com``,
    ``x.github.io``), and Blogger's country domains fold into ``x.blogspot.com``.
    IP addresses and single-label hosts come back unchanged.
    """
    if _PLAIN_HOST(host_or_url) and not host_or_url.replace(".", "").isdigit():
        return _plain_registrable(host_or_url)
    host = host_of(host_or_url) if ("/" in host_or_url or ":" in host_or_url) else host_or_url
    host = host.strip().rstrip(".").lower()
    if not host:
        raise InvalidURL(f"no host in {host_or_url!r}")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    blogger = _BLOGSPOT.fullmatch(host)
    if blogger:
        return f"{blogger[1]}.blogspot.com"
    parts = _extract(host)
    if parts.domain and parts.suffix:
        domain = f"{parts.domain}.{parts.suffix}"
        if domain in HOSTED_BLOG_PLATFORMS and parts.subdomain:
            blog = parts.subdomain.rsplit(".", 1)[-1]
            return domain if blog == "www" else f"{blog}.{domain}"
        return domain
    return host


# Lower-case ASCII names of dotted labels, none of them punycode: what almost every host of
# an export is. For them the checks above change nothing (not an IP address, IDNA leaves
# ASCII as it is), and the suffix is looked up in tldextract's own trie directly.
_PLAIN_HOST = re.compile(r"(?!xn--)[a-z0-9-]+(?:\.(?!xn--)[a-z0-9-]+)+").fullmatch


@functools.cache
def _suffix_trie() -> object:
    """The root of tldextract's suffix trie, private suffixes included (as ``_extract`` uses)."""
    return _extract._get_tld_extractor().tlds_incl_private_trie


def _plain_registrable(host: str) -> str:
    """:func:`registrable_domain` of a host matching ``_PLAIN_HOST``, the same result as
    tldextract's ``suffix_index`` walk without its per-call overhead (tests compare the two
    over every rule of the bundled list)."""
    blogger = _BLOGSPOT.fullmatch(host)
    if blogger:
        return f"{blogger[1]}.blogspot.com"
    labels = host.split(".")
    node: Any = _suffix_trie()
    count = suffix = at = len(labels)
    for label in reversed(labels):
        child = node.matches.get(label)
        if child is not None:
            at -= 1
            node = child
            if node.end:
                suffix = at
            continue
        if "*" in node.matches:
            suffix = at if "!" + label in node.matches else at - 1
        break
    if suffix == count or suffix <= 0:
        return host  # no known suffix, or the host is a suffix itself: as tldextract's path
    domain = f"{labels[suffix - 1]}.{'.'.join(labels[suffix:])}"
    if domain in HOSTED_BLOG_PLATFORMS and suffix >= 2:
        blog = labels[suffix - 2]
        return domain if blog == "www" else f"{blog}.{domain}"
    return domain


MAX_DOMAIN_LENGTH = 253  # RFC 1035, in its ASCII (IDNA) form
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def clean_domain(raw: str) -> str:
    """A domain name typed or posted by a user, lower-cased and in ASCII (IDNA) form.

    Accepts ``Example.COM``, ``blog.example.org.`` and ``bücher.de``; raises
    :class:`InvalidURL` for anything else: URLs, IP addresses, single labels, spaces,
    labels over 63 characters and names over 253. Hosts are kept as they are (not
    reduced to their registrable domain): a prospect may be one blog of a platform.
    """
    text = raw.strip().rstrip(".").lower()
    if not text or len(text) > MAX_DOMAIN_LENGTH * 4:
        raise InvalidURL("not a domain name")
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise InvalidURL("not a domain name") from exc
    labels = text.split(".")
    if (
        len(text) > MAX_DOMAIN_LENGTH
        or len(labels) < 2
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise InvalidURL("not a domain name")
    return text


def normalize_url(raw: str, base: str | None = None) -> str:
    """Canonical form of a URL for matching.

    Lower-cases scheme and host, drops default ports, ``www.``, the fragment,
    tracking parameters (``utm_*``, ``gclid``...) and a trailing slash; resolves
    against ``base`` when given. Raises :class:`InvalidURL` for non-http(s) input.
    """
    text = raw.strip()
    if not text:
        raise InvalidURL("empty URL")
    text = urljoin(base, text) if base else ensure_scheme(text)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"malformed URL {raw!r}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidURL(f"not an http(s) URL: {raw!r}")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host or " " in host:
        raise InvalidURL(f"no host in {raw!r}")
    if host.startswith("www."):
        host = host[4:]
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        netloc = f"[{host}]" if port in (None, 80, 443) else f"[{host}]:{port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith(TRACKING_PREFIXES) and key.lower() not in TRACKING_PARAMS
    ]
    path = parts.path or "/"
    if path != "/" and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return urlunsplit(
        ("https" if scheme == "https" else "http", netloc, path, urlencode(query), "")
    )


# Characters left as they are when percent-encoding is unified for matching (RFC 3986
# unreserved and sub-delims, plus "/", ":" and "@" which are legal in a path).
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def match_key(raw: str, base: str | None = None) -> str:
    """The form :func:`same_target` compares: the normalised URL without its scheme.

    On top of :func:`normalize_url`, percent-encoding of the path is unified, so
    ``/caf%C3%A9``, ``/caf%c3%a9`` and ``/café`` give one key. Raises :class:`InvalidURL`.
    """
    rest = normalize_url(raw, base).split("://", 1)[1]
    host, slash, tail = rest.partition("/")
    path, question, query = tail.partition("?")
    path = quote(unquote(path), safe=_PATH_SAFE)
    return f"{host}{slash}{path}{question}{query}"


def same_target(a: str, b: str) -> bool:
    """True when two URLs point at the same page once normalised (scheme ignored)."""
    try:
        return match_key(a) == match_key(b)
    except InvalidURL:
        return False


def ascii_email(address: str) -> str:
    """An address with its domain in ASCII (IDNA 2008 punycode); the local part is kept as given.

    ``Zoë@Bücher.example`` gives ``Zoë@xn--bcher-kva.example``: only the domain has an
    ASCII form (a non-ASCII local part needs SMTPUTF8). An undecodable domain is kept.
    """
    local, at, domain = address.strip().rpartition("@")
    if not at:
        return address.strip()
    try:
        domain = idna.encode(domain.rstrip("."), uts46=True).decode("ascii")
    except idna.IDNAError:
        domain = domain.lower()
    return f"{local}@{domain}"


def unicode_email(address: str) -> str:
    """An address with its domain in Unicode (``xn--bcher-kva.example``: ``bücher.example``)."""
    local, at, domain = address.rpartition("@")
    if not at or "xn--" not in domain.lower():  # nothing to decode: the common case, kept cheap
        return address
    try:
        return f"{local}@{idna.decode(domain)}"
    except idna.IDNAError:
        return address
