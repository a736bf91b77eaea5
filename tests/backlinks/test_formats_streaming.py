"""Reading backlink exports fast and in flat memory, without giving up exactness."""

from __future__ import annotations

import codecs
import io
import itertools
import os
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from outreach.backlinks.formats import ExportFormat, LinkRow
from outreach.backlinks.formats import reader as reader_module
from outreach.backlinks.formats.urlcells import _slow_url, url_info
from tests.support.exportgen import write_ahrefs_export
from tests.support.reading import only_links, read_links

URL_PARTS = (
    ("http://", "https://", "HTTP://", "ftp://", ""),
    ("", "www.", "WWW.", "www.www."),
    ("a.com", "Ex.co.uk", "xn--bcher-kva.de", "bücher.de", "1.2.3.4", "com", "a..b", "a.com.",
     "x" * 64 + ".com", "[::1]", "a.com:80", "a.com:8080", "u@a.com"),
    ("", "/", "/x/", "/x//", "//x", "/a b", "/caf%C3%A9", "/café", "/x\t", "/x ", "/x\xa0"),
    ("", "?", "?a=1&utm_source=x", "?UTM_Medium=x", "?gclid=1&b=", "?a", "?a=1&&b=2", "?a=x+y",
     "?q=caf\u00e9"),
    ("", "#x"),
)  # fmt: skip


def test_the_url_fast_path_gives_exactly_what_normalize_url_gives() -> None:
    for parts in itertools.product(*URL_PARTS):
        raw = "".join(parts)
        assert url_info(raw) == _slow_url(raw), raw


def test_the_block_fast_path_and_the_csv_path_read_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for encoding in ("utf-16", "utf-8"):
        path = tmp_path / f"export-{encoding}"
        targets = ["rival.com", "b.co.uk"]
        write_ahrefs_export(path, 3000, target_domains=targets, seed=3, encoding=encoding)
        with path.open("rb") as handle:
            fast = list(read_links(handle)[1])
        with monkeypatch.context() as patch, path.open("rb") as handle:
            patch.setattr(reader_module, "block_columns", lambda *args: None)
            slow = list(read_links(handle)[1])
        assert len(fast) == 3000 and fast == slow
        assert all(isinstance(r, LinkRow) for r in fast)


@pytest.mark.parametrize(
    ("encode", "encoding"),
    [
        (lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), "utf-16"),
        (lambda t: t.encode("utf-16-le"), "utf-16-le"),
        (lambda t: t.replace("\n", "\r\n").encode(), "utf-8"),
        (lambda t: t.replace("\n", "\r").encode(), "utf-8"),
    ],
)
def test_utf16_without_bom_big_endian_and_crlf_or_cr_line_ends_are_read(
    encode: Callable[[str], bytes], encoding: str
) -> None:
    text = "Linking page\tLast crawled\nhttps://a-example.com/x\t2024-03-01\n"
    text += "https://b-example.com/y\t2024-03-02\n"
    data = encode(text)
    sniffed, rows = read_links(io.BytesIO(data))
    assert (sniffed.format, sniffed.encoding) == (ExportFormat.SEARCH_CONSOLE_LINKS, encoding)
    assert [r.source_url for r in only_links(rows)] == [
        "https://a-example.com/x", "https://b-example.com/y",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "ahrefs.tsv"
    write_ahrefs_export(path, 200_000, target_domains=["rival.com", "other.co.uk"], seed=7)
    return path


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_a_200k_row_file_streams_in_flat_memory(big_export: Path) -> None:
    # tracemalloc slows this allocation-heavy loop about twentyfold, so it watches the first
    # 20,000 rows (the working set is one ~128 KB block, so its peak is the steady state)
    # and the resident set size is sampled over the whole file.
    size = big_export.stat().st_size
    with big_export.open("rb") as handle:
        rows = read_links(handle)[1]
        tracemalloc.start()
        try:
            count = sum(1 for _ in itertools.islice(rows, 20_000))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        before, highest = _resident_bytes(), 0
        for _ in rows:
            count += 1
            if count % 10_000 == 0:
                highest = max(highest, _resident_bytes())
    assert count == 200_000
    assert peak < 24 * 2**20, peak
    assert highest - before < 48 * 2**20 < size / 3, (highest - before, size)
