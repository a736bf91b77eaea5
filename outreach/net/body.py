"""Read a response body without ever holding more than the size limit, even decompressed.

httpx's own decoders inflate each network chunk in one go, so a 64 KB chunk of a
gzip bomb can become ~64 MB in memory before any limit is checked. Here gzip and
deflate are inflated with ``max_length`` so output never exceeds the limit by more
than one small step; other encodings fall back to ``response.aiter_bytes()``.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import httpx

ACCEPT_ENCODING = "gzip, deflate"


class BodyTooLarge(Exception):
    """The decompressed body passed the limit; ``partial`` holds the first ``limit`` bytes."""

    def __init__(self, limit: int, partial: bytes) -> None:
        super().__init__(f"body exceeds {format_size(limit)} limit")
        self.limit = limit
        self.partial = partial


class BodyDecodeError(Exception):
    """The body could not be decompressed."""


def format_size(size: int) -> str:
    """``5242880`` -> ``"5 MB"``, ``1536`` -> ``"1.5 KB"`` (binary units)."""
    for unit, scale in (("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} bytes"


@dataclass
class _Inflater:
    """Bounded zlib inflation for one gzip or deflate stream."""

    encoding: str
    obj: zlib._Decompress | None = None
    first: bool = True

    def _make(self, data: bytes) -> zlib._Decompress:
        if self.encoding == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" is meant to be zlib-wrapped but servers often send raw deflate.
        wrapped = len(data) >= 2 and (data[0] & 0x0F) == 8 and (data[0] << 8 | data[1]) % 31 == 0
        return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def feed(self, data: bytes, budget: int) -> list[bytes]:
        """Inflate ``data``, stopping once more than ``budget`` bytes came out."""
        if self.obj is None:
            self.obj = self._make(data)
        out: list[bytes] = []
        produced = 0
        try:
            while data and not self.obj.eof:
                piece = self.obj.decompress(data, max(budget - produced, 0) + 1)
                out.append(piece)
                produced += len(piece)
                if produced > budget:
                    break
                data = self.obj.unconsumed_tail
        except zlib.error as exc:
            raise BodyDecodeError(f"could not decompress {self.encoding} body: {exc}") from exc
        return out


async def read_limited(response: httpx.Response, limit: int) -> bytes:
    """The decoded body; raises BodyTooLarge past ``limit`` bytes, BodyDecodeError if corrupt."""
    length = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if length.isdigit() and int(length) > limit:
        raise BodyTooLarge(limit, b"")
    chunks: list[bytes] = []
    size = 0
    if encoding in ("gzip", "x-gzip", "deflate"):
        inflater = _Inflater("deflate" if encoding == "deflate" else "gzip")
        async for raw in response.aiter_raw():
            for piece in inflater.feed(raw, limit - size):
                chunks.append(piece)
                size += len(piece)
            if size > limit:
                raise BodyTooLarge(limit, b"".join(chunks)[:limit])
        return b"".join(chunks)
    try:
        async for piece in response.aiter_bytes():
            chunks.append(piece)
            size += len(piece)
            if size > limit:
                raise BodyTooLarge(limit, b"".join(chunks)[:limit])
    except httpx.DecodingError as exc:
        raise BodyDecodeError(f"could not decode body: {exc}") from exc
    return b"".join(chunks)
