"""The synthetic Ahrefs export generator: real shape, realistic data, deterministic, streamed."""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
import sys
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest

from outreach.backlinks.formats import ExportFormat, LinkRow
from tests.support.exportgen import (
    AHREFS_BACKLINK_COLUMNS,
    AHREFS_REFDOMAIN_COLUMNS,
    main,
    write_ahrefs_export,
)
from tests.support.reading import read_links

TARGETS = ["rival.com", "other.co.uk"]


def table(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    if data.startswith(b"\xff\xfe"):
        return list(
            csv.reader(io.StringIO(data[2:].decode("utf-16-le"), newline=""), delimiter="\t")
        )
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_default_export_is_utf16le_with_bom_tabs_and_every_ahrefs_column(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    write_ahrefs_export(path, 50, target_domains=TARGETS)
    data = path.read_bytes()
    assert data.startswith(b'\xff\xfe"\x00R\x00')
    rows = table(path)
    assert tuple(rows[0]) == AHREFS_BACKLINK_COLUMNS and len(rows) == 51
    assert all(len(r) == len(AHREFS_BACKLINK_COLUMNS) for r in rows)


def test_utf8_export_is_comma_separated_and_reads_the_same(tmp_path: Path) -> None:
    wide, narrow = tmp_path / "a.tsv", tmp_path / "a.csv"
    write_ahrefs_export(wide, 300, target_domains=TARGETS, seed=5)
    write_ahrefs_export(narrow, 300, target_domains=TARGETS, seed=5, encoding="utf-8")
    assert narrow.read_bytes().startswith(b'"Referring page title","Referring page URL"')
    assert table(wide) == table(narrow)
    with wide.open("rb") as one, narrow.open("rb") as other:
        assert list(read_links(one)[1]) == list(read_links(other)[1])


def test_same_arguments_give_the_same_bytes_and_another_seed_other_bytes(tmp_path: Path) -> None:
    digests = []
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        write_ahrefs_export(tmp_path / name, 500, target_domains=TARGETS, seed=seed)
        digests.append(hashlib.sha1((tmp_path / name).read_bytes()).hexdigest())
    assert digests[0] == digests[1] != digests[2]


def test_data_looks_like_a_real_backlink_profile(tmp_path: Path) -> None:
    path = tmp_path / "a.tsv"
    write_ahrefs_export(path, 5000, target_domains=TARGETS, source_domain_count=300)
    with path.open("rb") as handle:
        sniffed, found = read_links(handle)
        rows = [r for r in found if isinstance(r, LinkRow)]
    assert sniffed.format is ExportFormat.AHREFS_BACKLINKS and len(rows) == 5000
    per_domain = Counter(r.source_domain for r in rows)
    assert 100 < len(per_domain) <= 300 and per_domain.most_common(1)[0][1] > 50
    hosts: dict[str, set[str]] = {}
    for r in rows:
        hosts.setdefault(r.source_domain, set()).add(str(r.source_url).split("/")[2])
    assert any(len(h) > 1 for h in hosts.values())  # blog.x.com and x.com: one site
    assert any(d.endswith(".co.uk") for d in per_domain)
    assert {r.target_domain for r in rows} == set(TARGETS)
    for flag, low, high in (("nofollow", 0.1, 0.3), ("ugc", 0.02, 0.1), ("sponsored", 0.01, 0.06)):
        assert low < sum(getattr(r, flag) for r in rows) / len(rows) < high, flag
    assert 0.01 < sum(r.lost for r in rows) / len(rows) < 0.06
    assert all(r.authority is not None and 0 <= r.authority <= 100 for r in rows)
    assert all(r.first_seen and r.last_seen and r.first_seen <= r.last_seen for r in rows)
    titles = [r.source_title or "" for r in rows]
    assert any("," in t for t in titles) and any('"' in t for t in titles)
    assert any(not t.isascii() for t in titles)


def test_referring_domains_export_is_detected_as_such(tmp_path: Path) -> None:
    path = tmp_path / "rd.tsv"
    write_ahrefs_export(path, 200, target_domains=TARGETS, kind="refdomains")
    assert tuple(table(path)[0]) == AHREFS_REFDOMAIN_COLUMNS
    with path.open("rb") as handle:
        sniffed, rows = read_links(handle, target="https://rival.com/")
        found = list(rows)
    assert sniffed.format is ExportFormat.AHREFS_REFERRING_DOMAINS
    assert len({r.source_domain for r in found if isinstance(r, LinkRow)}) == 200


def test_writing_streams_rows_instead_of_building_them_in_memory(tmp_path: Path) -> None:
    tracemalloc.start()
    try:
        write_ahrefs_export(
            tmp_path / "a.tsv", 8000, target_domains=TARGETS, source_domain_count=200
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2**20 < (tmp_path / "a.tsv").stat().st_size / 4, peak


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="encoding"):
        write_ahrefs_export(tmp_path / "a", 1, target_domains=TARGETS, encoding="latin-1")
    with pytest.raises(ValueError, match="kind"):
        write_ahrefs_export(tmp_path / "a", 1, target_domains=TARGETS, kind="anchors")
    with pytest.raises(ValueError, match="target"):
        write_ahrefs_export(tmp_path / "a", 1, target_domains=[])


def test_command_line_writes_the_requested_rows(tmp_path: Path) -> None:
    main([str(tmp_path / "a.csv"), "--rows", "25", "--target", "a.com", "--target", "b.com"])
    assert len(table(tmp_path / "a.csv")) == 26
    main([str(tmp_path / "b.csv"), "--rows", "5", "--target", "a.com", "--utf8"])
    assert (tmp_path / "b.csv").read_bytes().startswith(b'"Referring page title",')


def test_module_runs_as_a_script(tmp_path: Path) -> None:
    out = tmp_path / "a.tsv"
    command = [sys.executable, "-m", "tests.support.exportgen", str(out), "--rows", "3"]
    subprocess.run([*command, "--target", "a.com"], check=True, timeout=60)
    assert len(table(out)) == 4
