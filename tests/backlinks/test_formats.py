"""Reading backlink exports: detection, hand-checked rows, bad input, mappings, streaming."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from outreach.backlinks import formats
from outreach.backlinks.formats import (
    ExportFormat,
    ImportFileError,
    LinkRow,
    RowError,
    sniff,
    suggest_mapping,
)
from outreach.backlinks.models import DataSource
from tests.support.reading import only_links, read_links

FILES = Path(__file__).parent / "files"
F = ExportFormat


def read(
    name: str, mapping: dict[str, str] | None = None, *, target: str | None = None
) -> tuple[formats.Sniffed, list[LinkRow | RowError]]:
    with (FILES / name).open("rb") as handle:
        sniffed, rows = read_links(handle, mapping, target=target)
        return sniffed, list(rows)


def links(
    data: bytes, mapping: dict[str, str] | None = None, *, target: str | None = None
) -> list[LinkRow | RowError]:
    return list(read_links(io.BytesIO(data), mapping, target=target)[1])


def when(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "fmt", "encoding", "delimiter", "count"),
    [
        ("ahrefs_backlinks_utf16.tsv", F.AHREFS_BACKLINKS, "utf-16", "\t", 4),
        ("ahrefs_backlinks_utf8.csv", F.AHREFS_BACKLINKS, "utf-8-sig", ",", 4),
        ("ahrefs_referring_domains.tsv", F.AHREFS_REFERRING_DOMAINS, "utf-16", "\t", 3),
        ("semrush_backlinks.csv", F.SEMRUSH_BACKLINKS, "utf-8", ",", 3),
        ("semrush_referring_domains.csv", F.SEMRUSH_REFERRING_DOMAINS, "utf-8", ",", 2),
        ("moz_inbound_links.csv", F.MOZ_INBOUND_LINKS, "utf-8", ",", 2),
        ("moz_linking_domains.csv", F.MOZ_LINKING_DOMAINS, "utf-8", ",", 2),
        ("majestic_backlinks.csv", F.MAJESTIC_BACKLINKS, "utf-8", ",", 2),
        ("search_console_latest_links.csv", F.SEARCH_CONSOLE_LINKS, "utf-8", ",", 3),
        ("search_console_top_linking_sites.csv", F.SEARCH_CONSOLE_SITES, "utf-8", ",", 3),
    ],
)
def test_each_export_is_detected_from_its_bytes_and_read_without_errors(
    name: str, fmt: ExportFormat, encoding: str, delimiter: str, count: int
) -> None:
    sniffed, rows = read(name, target="https://ours.example/")
    assert (sniffed.format, sniffed.encoding, sniffed.delimiter) == (fmt, encoding, delimiter)
    assert sniff((FILES / name).read_bytes()[:65536]) == sniffed
    assert [r.row for r in rows] == list(range(1, count + 1))
    assert all(isinstance(r, LinkRow) and r.source_domain for r in rows), rows


def test_detection_ignores_the_file_name(tmp_path: Path) -> None:
    renamed = tmp_path / "export.xlsx"
    renamed.write_bytes((FILES / "semrush_backlinks.csv").read_bytes())
    with renamed.open("rb") as handle:
        assert read_links(handle)[0].format is F.SEMRUSH_BACKLINKS


def test_every_format_names_a_data_source_a_label_and_whether_it_has_targets() -> None:
    for fmt in ExportFormat:
        assert isinstance(fmt.source, DataSource) and fmt.label
    no_target = {f for f in ExportFormat if not f.has_target}
    assert no_target == {
        F.AHREFS_REFERRING_DOMAINS, F.SEMRUSH_REFERRING_DOMAINS, F.MOZ_LINKING_DOMAINS,
        F.SEARCH_CONSOLE_LINKS, F.SEARCH_CONSOLE_SITES,
    }  # fmt: skip
    assert F.GENERIC.source is DataSource.CSV


def test_ahrefs_utf16_rows_hold_the_hand_checked_values() -> None:
    _, rows = read("ahrefs_backlinks_utf16.tsv")
    first, second, third, fourth = rows
    assert first == LinkRow(
        row=1,
        source_url="https://techradar-example.com/news/best-laptops",
        source_domain="techradar-example.com",
        source_title='Best "budget" laptops, tested \u2013 2024',
        target_url="https://rival.com/pricing",
        target_domain="rival.com",
        anchor="Rival's plans",
        nofollow=False,
        ugc=False,
        sponsored=False,
        authority=78.0,
        authority_metric="ahrefs_dr",
        page_authority=45.0,
        traffic=1250000.0,
        first_seen=when("2023-01-15 08:30:00"),
        last_seen=when("2024-03-05 12:34:56"),
        lost=False,
        lost_at=None,
        language="en",
        source_text="https://www.techradar-example.com/news/best-laptops/",
        target_text="https://rival.com/pricing",
        placement="content",
        link_type="text",
        is_spam=False,
    )
    assert isinstance(second, LinkRow) and isinstance(third, LinkRow)
    assert second.source_url == "http://blog.kuechen-example.co.uk/2023/05/ratgeber?p=12"
    assert second.source_domain == "kuechen-example.co.uk"
    assert second.target_url == "https://rival.com/blog/seo-guide"
    assert (second.anchor, second.nofollow, second.ugc, second.sponsored) == (
        None,
        True,
        True,
        False,
    )
    assert (second.authority, second.traffic, second.language) == (33.5, 0.0, "de")
    assert second.first_seen == when("2022-11-02 00:00:00")
    assert third.source_title == "東京のおすすめカフェ10選"
    assert (third.sponsored, third.lost, third.lost_at) == (True, True, when("2024-01-10"))
    assert third.traffic is None and third.target_url == "https://rival.com/"
    assert isinstance(fourth, LinkRow) and fourth.source_domain == "shop-example.com.au"
    assert (fourth.nofollow, fourth.ugc) == (True, False)


def test_ahrefs_utf8_csv_reads_like_the_utf16_one_whatever_the_column_order() -> None:
    _, utf16 = read("ahrefs_backlinks_utf16.tsv")
    _, utf8 = read("ahrefs_backlinks_utf8.csv")
    assert isinstance(utf8[0], LinkRow)
    assert utf8[0].source_title == 'Best "budget" laptops, tested \u2013 2024'
    # The UTF-8 download carries fewer columns (no Content, Type or Is spam).
    rows = [row for row in utf16[1:] if isinstance(row, LinkRow)]
    assert len(rows) == len(utf16) - 1
    vendor_less = [
        dataclasses.replace(row, placement=None, link_type=None, is_spam=None) for row in rows
    ]
    assert utf8[1:] == vendor_less
    assert utf8[0].row == 1 and utf8[0].anchor == "Rival's plans"


def test_referring_domain_files_give_sites_and_take_the_callers_target() -> None:
    _, rows = read("ahrefs_referring_domains.tsv", target="https://www.rival.com/")
    first, _, lost = rows
    assert isinstance(first, LinkRow) and isinstance(lost, LinkRow)
    assert (first.source_url, first.source_domain, first.authority) == (
        None, "techradar-example.com", 78.0,
    )  # fmt: skip
    assert (first.target_url, first.target_domain) == ("https://rival.com/", "rival.com")
    assert (first.traffic, first.first_seen) == (1250000.0, when("2019-04-02 10:00:00"))
    assert only_links(rows)[1].source_domain == "kuechen-example.co.uk"
    assert (lost.lost, lost.lost_at) == (True, when("2023-06-30"))


def test_semrush_rows_read_flags_scores_and_lost_links() -> None:
    _, rows = read("semrush_backlinks.csv")
    first, second, third = rows
    assert isinstance(first, LinkRow) and isinstance(second, LinkRow)
    assert isinstance(third, LinkRow)
    assert first.source_url == "https://seo-blog-example.com/tools"
    assert (first.source_title, first.anchor) == ("Top 10 SEO tools, reviewed", "rival checker")
    assert (first.nofollow, first.page_authority, first.authority) == (True, 37.0, None)
    assert (first.first_seen, first.lost) == (when("2023-06-01"), False)
    assert (second.sponsored, second.anchor) == (True, None)
    assert (third.ugc, third.lost) == (True, True)
    _, domains = read("semrush_referring_domains.csv")
    assert domains[0] == LinkRow(
        1, None, "seo-blog-example.com", None, None, None, None, False, False, False, 64.0,
        "semrush_as", None, None, when("2023-06-01"), when("2024-03-01"), False, None, None,
    )  # fmt: skip


def test_moz_majestic_and_search_console_rows_hold_their_figures() -> None:
    moz = read("moz_inbound_links.csv")[1]
    assert isinstance(moz[0], LinkRow) and isinstance(moz[1], LinkRow)
    assert (moz[0].source_url, moz[0].authority, moz[0].page_authority) == (
        "https://garden-example.org/resources", 52.0, 38.0,
    )  # fmt: skip
    assert (moz[0].nofollow, moz[1].nofollow, moz[1].lost_at) == (False, True, when("2022-11-01"))
    assert moz[0].authority_metric == "moz_da"
    sites = only_links(read("moz_linking_domains.csv")[1])
    assert [s.source_domain for s in sites] == ["garden-example.org", "directory-example.info"]
    majestic = read("majestic_backlinks.csv")[1]
    assert isinstance(majestic[0], LinkRow) and isinstance(majestic[1], LinkRow)
    assert (majestic[0].authority, majestic[0].page_authority) == (34.0, 29.0)
    assert (majestic[0].nofollow, majestic[0].lost, majestic[0].authority_metric) == (
        False, False, "majestic_tf",
    )  # fmt: skip
    assert (majestic[1].nofollow, majestic[1].lost) == (True, True)
    assert majestic[1].source_url == "http://link-farm-example.biz/p?id=7"
    pages = read("search_console_latest_links.csv", target="https://ours.example")[1]
    assert pages[1] == LinkRow(
        2, "https://blog.partner-example.com/post-1", "partner-example.com", None,
        "https://ours.example/", "ours.example", None, False, False, False, None, None, None,
        None, None, when("2024-02-15"), False, None, None,
        "https://blog.partner-example.com/post-1", "https://ours.example/",
    )  # fmt: skip
    top = only_links(read("search_console_top_linking_sites.csv")[1])
    assert [t.source_domain for t in top] == [
        "partner-example.com", "example.co.uk", "zawya-example.com",
    ]  # fmt: skip
    assert top[0].target_url is None


def test_a_header_is_recognised_in_any_case_spacing_and_order_among_unknown_columns() -> None:
    data = "Extra,  target url ,ANCHOR,referring PAGE url,Domain Rating,whatever\n"
    data += "1,https://rival.com/a,hi,https://x-example.com/p,50,z\n"
    sniffed = sniff(data.encode())
    assert sniffed.format is F.AHREFS_BACKLINKS
    assert sniffed.mapping["source_url"] == "referring PAGE url"
    (row,) = links(data.encode())
    assert isinstance(row, LinkRow) and (row.source_domain, row.authority) == ("x-example.com", 50)


def test_header_signature_is_stable_across_order_case_and_spacing() -> None:
    one = sniff(b"Backlink;Target;Link text\n").header_signature
    assert one == sniff(b"link TEXT;backlink;TARGET\n").header_signature
    assert one != sniff(b"Backlink;Target\n").header_signature
    assert len(one) == 40


def test_generic_file_is_sniffed_with_a_suggested_mapping_and_needs_one() -> None:
    sniffed = sniff((FILES / "generic_links.csv").read_bytes())
    assert (sniffed.format, sniffed.delimiter) == (F.GENERIC, ";")
    assert sniffed.mapping == suggest_mapping(sniffed.headers)
    assert sniffed.mapping == {
        "source_url": "Backlink", "target_url": "Target", "anchor": "Link text", "rel": "Rel",
    }  # fmt: skip
    with pytest.raises(ImportFileError, match="map at least the column"):
        read("generic_links.csv")


def test_generic_file_reads_through_a_column_mapping() -> None:
    mapping = {
        "source_url": "Backlink", "target_url": "Target", "anchor": "Link text",
        "rel": "Rel", "authority": "Score", "first_seen": "Seen",
    }  # fmt: skip
    sniffed, rows = read("generic_links.csv", mapping=mapping)
    first, second = rows
    assert sniffed.format is F.GENERIC
    assert isinstance(first, LinkRow) and isinstance(second, LinkRow)
    assert (first.source_url, first.nofollow, first.ugc, first.sponsored) == (
        "https://mentions-example.com/a", True, True, False,
    )  # fmt: skip
    assert (first.authority, first.authority_metric, first.first_seen) == (
        17.0, "custom", when("2024-03-05"),
    )  # fmt: skip
    assert (second.source_url, second.nofollow) == ("https://mentions-example.com/b", False)


def test_a_mapping_naming_an_absent_column_or_unknown_field_is_refused() -> None:
    with pytest.raises(ImportFileError, match="missing column 'Nope'"):
        read("generic_links.csv", mapping={"source_url": "Nope"})
    with pytest.raises(ImportFileError, match="unknown field 'colour'"):
        read("generic_links.csv", mapping={"source_url": "Backlink", "colour": "Rel"})


def test_a_mapping_overrides_one_column_of_a_known_format() -> None:
    _, rows = read("ahrefs_backlinks_utf16.tsv", mapping={"traffic": "Page traffic"})
    assert only_links(rows)[0].traffic == 5400.0
    _, rows = read("ahrefs_backlinks_utf16.tsv", mapping={"anchor": ""})
    assert only_links(rows)[0].anchor is None


def test_search_console_files_take_the_target_from_the_caller() -> None:
    rows = read("search_console_top_linking_sites.csv", target="https://www.ours.example/")[1]
    assert {(r.target_url, r.target_domain) for r in only_links(rows)} == {
        ("https://ours.example/", "ours.example")
    }
