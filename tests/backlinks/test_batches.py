"""Column-wise record building: each fast path gives exactly what its one-by-one form gives."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from outreach.backlinks.batches import LoadTarget, SeenKeys, record_batches
from outreach.backlinks.formats import values
from outreach.backlinks.formats.urlcells import url_info, url_infos
from outreach.backlinks.models import DataSource
from outreach.backlinks.parallel import parallel_batches
from outreach.backlinks.records import (
    link_key,
    link_keys,
    postgres_stamps,
    sqlite_stamp,
    sqlite_stamps,
)
from tests.backlinks.ahrefs import Link, write_ahrefs


def _parsed(stamps: Sequence[str | None]) -> list[datetime | None]:
    """ISO stamps back as datetimes (None stays None)."""
    return [None if s is None else datetime.fromisoformat(s) for s in stamps]


def test_date_columns_become_the_same_text_by_the_fast_path_and_the_slow_one() -> None:
    cells = ["2024-03-05 12:34:56", "1999-12-31 23:59:59", "2024-02-29 00:00:00"]
    dates = values.datetimes(cells)
    assert isinstance(dates, values.DateColumn)
    assert sqlite_stamps(dates) == [sqlite_stamp(d) for d in dates]
    assert sqlite_stamps(list(dates)) == [sqlite_stamp(d) for d in dates]
    assert _parsed(postgres_stamps(dates)) == list(dates)
    assert _parsed(postgres_stamps(list(dates))) == list(dates)
    with_none = [dates[0], None]
    assert sqlite_stamps(with_none) == [sqlite_stamp(dates[0]), None]
    assert sqlite_stamps([None, None]) == [None, None]
    other_zone = [datetime(2024, 1, 1, 12, tzinfo=UTC).astimezone(UTC) + timedelta(microseconds=5)]
    assert sqlite_stamps(other_zone) == ["2024-01-01 12:00:00.000005"]


def test_link_keys_of_a_column_are_the_link_key_of_each_pair() -> None:
    sources = ["https://a.com/x", "", "https://b.co.uk/é?q=1"]
    targets = ["https://rival.com/", "rival.com", "https://rival.com/p"]
    assert link_keys(sources, targets) == [
        link_key(s, t) for s, t in zip(sources, targets, strict=True)
    ]
    assert all(-(2**63) <= key < 2**63 for key in link_keys(sources, targets))


def test_seen_keys_never_calls_a_repeat_new() -> None:
    rng = random.Random(5)
    keys = [rng.getrandbits(64) - 2**63 for _ in range(3000)]
    records = [(rng.choice(keys), n) for n in range(20000)]
    seen, firsts, sent = SeenKeys(), set(), []
    for start in range(0, len(records), 1000):
        new, repeats = seen.split(records[start : start + 1000])
        for record in new:
            assert record[0] not in firsts, "a repeat was called new"
            firsts.add(record[0])
        sent += new + repeats
    assert sorted(sent, key=lambda r: r[1]) == records, "every record goes out once"
    assert len(firsts) > 2900, "almost every first occurrence is known as new"


def test_url_columns_read_like_single_cells_whatever_the_column_holds() -> None:
    clean = ["https://www.a.com/x/", "http://b.co.uk/p?utm_source=x&id=2", "https://c.io"]
    awkward = [*clean, "https://d.com/page#top", "https://e.com/\tx", "ftp://f.com/", " "]
    for column in (clean, awkward):
        assert url_infos(column) == [url_info(cell) for cell in column]


def test_the_reader_process_sends_what_this_process_would_read_and_its_own_peak_memory(
    tmp_path: Path,
) -> None:
    links = [Link(f"https://s{i % 50}.com/p{i % 20}", "https://rival.com/") for i in range(3000)]
    links.insert(100, Link("not a url", "https://rival.com/"))
    path = write_ahrefs(tmp_path / "export.csv", links)
    where = LoadTarget(1, 1, DataSource.AHREFS, None, frozenset({"rival.com"}))
    now = datetime(2024, 6, 1, tzinfo=UTC)
    here = list(record_batches(path, None, where, now, True))
    there = list(parallel_batches(path, None, where, now, True))
    assert [(b.records, b.repeats, b.rejected, b.rows, b.targets) for b in there] == [
        (b.records, b.repeats, b.rejected, b.rows, b.targets) for b in here
    ]
    assert there[-1].authorities == here[-1].authorities
    assert sum(len(b.repeats) for b in here) == 3000 - 100
    peak = there[-1].reader_peak_kb
    assert peak is not None and 10_000 < peak < 500_000, "its own memory, not this process's"


def test_the_reader_process_ends_when_the_importing_process_is_gone(tmp_path: Path) -> None:
    import pickle
    import subprocess
    import sys

    links = [Link(f"https://s{i}.com/p", "https://rival.com/") for i in range(40000)]
    path = write_ahrefs(tmp_path / "export.csv", links)
    where = LoadTarget(1, 1, DataSource.AHREFS, None, frozenset({"rival.com"}))
    child = subprocess.Popen(
        [sys.executable, "-c", "from outreach.backlinks.parallel import child_main; child_main()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    pickle.dump((path, None, where, datetime(2024, 6, 1, tzinfo=UTC), True), child.stdin)
    child.stdin.close()
    assert child.stdout.read(8), "it started sending"
    child.stdout.close()  # as if the importing process died mid-file
    assert child.wait(timeout=20) != 0


def test_rows_without_a_usable_target_are_refused_not_fatal_on_both_reading_paths(
    tmp_path: Path,
) -> None:
    links = [Link(f"https://s{i}.com/p", "https://rival.com/") for i in range(6)]
    links[2] = Link("https://empty-target.com/p", "")
    links[4] = Link("https://bad-target.com/p", "htp:/nowhere")
    path = write_ahrefs(tmp_path / "export.csv", links)
    where = LoadTarget(1, 1, DataSource.AHREFS)  # no competitor chosen for the file
    now = datetime(2024, 6, 1, tzinfo=UTC)
    for batches in (
        list(record_batches(path, None, where, now, True)),
        list(parallel_batches(path, None, where, now, False)),
    ):
        assert sum(len(b.records) for b in batches) == 4
        rejected = [r for b in batches for r in b.rejected]
        assert [row for row, _, _ in rejected] == [3, 5]
        assert "no target URL" in rejected[0][1]
        assert "Target URL" in " ".join(str(part) for part in rejected[1])


def test_dates_that_are_not_plain_iso_text_are_stored_in_the_canonical_form() -> None:
    for cells, stored in (
        (["2024-03-05T12:34:56"], "2024-03-05 12:34:56.000000"),
        (["2024-03-05 123456.1"], "2024-03-05 12:34:56.100000"),
        (["2024-03-05 12:34:56", "2024-03-05T12:34:57"], "2024-03-05 12:34:56.000000"),
    ):
        dates = values.datetimes(cells)
        assert sqlite_stamps(dates)[0] == stored
        assert sqlite_stamps(dates) == [sqlite_stamp(d) for d in dates]
        assert _parsed(postgres_stamps(dates)) == list(dates)


def test_files_of_sites_store_no_page_url_and_key_links_by_domain(tmp_path: Path) -> None:
    csv = "Domain,DR,First seen\nblog.site-a.com,40,2024-01-02\nsite-b.org,,2024-02-03\n"
    path = tmp_path / "refdomains.csv"
    path.write_text(csv, encoding="utf-8")
    where = LoadTarget(1, 1, DataSource.CSV, "rival.com")
    mapping = {"source_domain": "Domain", "authority": "DR", "first_seen": "First seen"}
    (batch,) = record_batches(path, mapping, where, datetime(2024, 6, 1, tzinfo=UTC), True)
    assert [(r[1], r[2]) for r in batch.records] == [("", "site-a.com"), ("", "site-b.org")]
    assert [r[0] for r in batch.records] == [
        link_key("site-a.com", "rival.com"),
        link_key("site-b.org", "rival.com"),
    ]
