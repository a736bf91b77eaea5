"""Bytes to text: byte-order marks, encodings, binary files, delimiters, and streaming.

Encodings are told by the byte-order mark (FF FE: UTF-16LE, FE FF: UTF-16BE, EF BB BF:
UTF-8), then by the zero bytes of BOM-less UTF-16, then UTF-8 is tried. Anything else
is refused with the offset of the first bad byte rather than guessed as cp1252 or
Latin-1: those decode any bytes at all, so a wrong guess would store mojibake titles
and anchors without a word; the message tells the user how to re-save the file.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from typing import Protocol

from outreach.backlinks.formats.columns import header_signature
from outreach.backlinks.formats.detect import column_names, detect, headerless
from outreach.backlinks.formats.model import ExportFormat, ImportFileError, Sniffed

_GENERIC = ExportFormat.GENERIC

HEAD_BYTES = 64 * 1024
CHUNK_BYTES = 128 * 1024
MAX_LINE_CHARS = 1024 * 1024
TOO_LONG = "\x00row too long\x00"  # yielded (by identity) in place of an overlong line


class Readable(Protocol):
    """A binary stream: an open file, an upload, any ``io`` reader."""

    def read(self, size: int = ..., /) -> bytes | None:
        """Up to ``size`` bytes; empty at the end."""
        ...


_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"PK\x03\x04", "a ZIP archive or Excel workbook; export the report as CSV"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook; export the report as CSV"),
    (b"%PDF", "a PDF document"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)
_CONTROL = frozenset(chr(c) for c in range(32)) - set("\t\n\r\f\v")


def _encoding(head: bytes) -> tuple[str, str, int]:
    """(name to report, codec without BOM, BOM length) of a file's first bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "utf-8", 3
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16", "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16", "utf-16-be", 2
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            raise ImportFileError(f"the file is binary ({kind}), not a CSV or TSV export")
    sample = head[:4096]
    half = len(sample) // 2
    if half >= 2:
        odd_zeros, even_zeros = sample[1::2].count(0), sample[0::2].count(0)
        if odd_zeros > half * 0.4 and even_zeros < half * 0.05:
            return "utf-16-le", "utf-16-le", 0
        if even_zeros > half * 0.4 and odd_zeros < half * 0.05:
            return "utf-16-be", "utf-16-be", 0
    if b"\x00" in head:
        raise ImportFileError("the file is binary (it holds NUL bytes), not a CSV or TSV export")
    return "utf-8", "utf-8", 0


def _decode_error(exc: UnicodeDecodeError, offset: int) -> ImportFileError:
    bad = exc.object[exc.start] if exc.start < len(exc.object) else 0
    return ImportFileError(
        f"the file is not UTF-8 or UTF-16 text: byte 0x{bad:02x} at offset {offset}. "
        "Save it as UTF-8 (in Excel: 'CSV UTF-8') and upload it again."
    )


class _Decoder:
    """An incremental decoder that reports the file offset of a bad byte."""

    def __init__(self, codec: str, offset: int) -> None:
        self._decoder = codecs.getincrementaldecoder(codec)()
        self.offset = offset  # bytes of the file fed so far

    def decode(self, data: bytes, final: bool = False) -> str:
        """The text of the next bytes; ImportFileError for bytes that are not text."""
        pending = len(self._decoder.getstate()[0])
        try:
            text = self._decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            raise _decode_error(exc, self.offset - pending + exc.start) from None
        self.offset += len(data)
        return text


def _delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in ("\t", ",", ";")}
    best = max(counts, key=lambda d: counts[d])  # ties go to tab, then comma
    return best if counts[best] else ","


def sniff(head: bytes) -> Sniffed:
    """Format, encoding, delimiter and header row of an export from its first 64 KB."""
    if not head:
        raise ImportFileError("the file is empty")
    name, codec, bom = _encoding(head)
    text = _Decoder(codec, bom).decode(head[bom:], final=len(head) < HEAD_BYTES)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFileError("the file is empty")
    sample = text[:4096]
    if sum(map(sample.count, _CONTROL)) > len(sample) // 100:
        raise ImportFileError(
            "the file is binary (it holds control codes), not a CSV or TSV export"
        )
    line = text.replace("\r\n", "\n").replace("\r", "\n").split("\n", 1)[0]
    if len(text) == len(line) and len(head) >= HEAD_BYTES:
        raise ImportFileError("the first line is longer than 64 KB: this is not a CSV export")
    delimiter = _delimiter(line)
    headers = [h.strip().lstrip("\ufeff") for h in next(csv.reader([line], delimiter=delimiter))]
    if not any(headers):
        raise ImportFileError("the file has no header row: its first line is empty")
    if headerless(headers):
        columns = column_names(len(headers))
        urls = [columns[n] for n, cell in enumerate(headers) if headerless([cell])]
        suggested = dict(zip(("source_url", "target_url"), urls, strict=False))
        signature = header_signature([f"headerless {len(headers)}", *columns])
        return Sniffed(_GENERIC, name, delimiter, columns, signature, suggested, [], False)
    fmt, mapping, missing = detect(headers)
    return Sniffed(fmt, name, delimiter, headers, header_signature(headers), mapping, missing)


def read_head(stream: Readable) -> bytes:
    """Up to the first 64 KB of a stream (short reads are retried)."""
    parts: list[bytes] = []
    size = 0
    while size < HEAD_BYTES:
        data = stream.read(HEAD_BYTES - size)
        if not data:  # b"" at the end; None from a non-blocking raw stream
            break
        parts.append(data)
        size += len(data)
    return b"".join(parts)


def text_blocks(stream: Readable, head: bytes, codec: str, bom: int) -> Iterator[str]:
    """The decoded file (the head, then the rest of the stream) in blocks of whole lines.

    Every block ends with "\\n"; lone-CR line ends (old Mac files) become "\\n". A line
    longer than MAX_LINE_CHARS is dropped and TOO_LONG yielded in its place, so memory
    stays within a few MB.
    """
    decoder = _Decoder(codec, bom)
    data = head[bom:]
    carry = ""
    skipping = cr_only = False
    first = True
    while True:
        if not data:
            data = stream.read(CHUNK_BYTES) or b""
        text = decoder.decode(data, final=not data)
        if first:
            cr_only = "\r" in text and "\n" not in text
            first = False
        if cr_only:
            text = text.replace("\r", "\n")
        buffer = carry + text
        if skipping:
            end = buffer.find("\n")
            if end < 0:
                buffer = ""
            else:
                yield TOO_LONG
                buffer, skipping = buffer[end + 1 :], False
        cut = buffer.rfind("\n") + 1
        if cut:
            yield buffer[:cut]
        carry = buffer[cut:]
        if len(carry) > MAX_LINE_CHARS:
            carry, skipping = "", True
        if not data:
            break
        data = b""
    if skipping:
        yield TOO_LONG
    elif carry:
        yield carry + "\n"


def bom_length(head: bytes) -> tuple[str, int]:
    """(codec without BOM, BOM length) for a head already sniffed."""
    _, codec, bom = _encoding(head)
    return codec, bom
