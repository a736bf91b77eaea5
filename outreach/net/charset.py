"""Decode fetched bodies: HTTP charset, then the document's own declaration, then detection."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)


def _known(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(body: bytes, content_type: str | None) -> str | None:
    """The charset named by the Content-Type header or the document's ``<meta>``, if valid."""
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        if match and (name := _known(match.group(1))):
            return name
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        return _known(meta.group(1).decode("ascii", "ignore"))
    return None


def decode_body(body: bytes, content_type: str | None = None) -> str:
    """Text of a response body; never raises, undecodable bytes become U+FFFD."""
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", "replace")
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body.decode("utf-16", "replace")
    charset = declared_charset(body, content_type)
    if charset:
        return body.decode(charset, "replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(body[:65536]).best()
        return body.decode(best.encoding if best else "latin-1", "replace")
