"""Reading backlink exports: every kind of bad input gets a clear message, never a crash."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from outreach.backlinks.formats import ImportFileError, LinkRow, RowError, sniff
from tests.support.reading import only_links, read_links

FILES = Path(__file__).parent / "files"
HEADER = "Referring page URL\tTarget URL\tAnchor\tDomain rating\n"
GOOD = "https://a-example.com/p\thttps://rival.com/\tx\t10\n"


def utf16(text: str) -> bytes:
    return b"\xff\xfe" + text.encode("utf-16-le")


def rows(data: bytes) -> list[LinkRow | RowError]:
    return list(read_links(io.BytesIO(data))[1])


def refused(data: bytes) -> str:
    with pytest.raises(ImportFileError) as info:
        rows(data)
    return str(info.value)


@pytest.mark.parametrize("data", [b"", b"\xff\xfe", b"\xef\xbb\xbf", b"\n\n  \r\n"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    assert refused(data) == "the file is empty"


def test_a_file_of_only_a_header_has_no_rows() -> None:
    assert rows(utf16(HEADER)) == []
    assert rows(HEADER.rstrip("\n").encode()) == []


def test_a_png_image_is_refused_as_binary() -> None:
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    assert refused(data) == "the file is binary (a PNG image), not a CSV or TSV export"


def test_an_excel_workbook_is_refused_with_a_hint_to_export_csv() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert "export the report as CSV" in refused(buffer.getvalue())


def test_binary_noise_is_refused() -> None:
    assert "binary" in refused(bytes(range(256)) * 4)


def test_text_in_another_encoding_is_refused_with_the_offending_byte_and_offset() -> None:
    data = (HEADER + "https://caf\u00e9-example.com/\thttps://rival.com/\tx\t1\n").encode("cp1252")
    offset = data.index(b"\xe9")
    message = refused(data)
    assert message.startswith(f"the file is not UTF-8 or UTF-16 text: byte 0xe9 at offset {offset}")
    assert "CSV UTF-8" in message


def test_bad_bytes_after_the_first_64_kb_stop_the_import_with_their_offset() -> None:
    data = (HEADER + GOOD * 2000).encode() + b"https://caf\xe9.com/\t\t\t\n"
    offset = data.index(b"\xe9")
    sniffed, stream = read_links(io.BytesIO(data))
    with pytest.raises(ImportFileError, match=f"byte 0xe9 at offset {offset}"):
        list(stream)
    assert sniffed.encoding == "utf-8"


def test_a_utf16_file_cut_in_the_middle_of_a_character_is_refused() -> None:
    assert "not UTF-8 or UTF-16 text" in refused(utf16(HEADER + GOOD)[:-1])


def test_a_missing_url_column_is_named() -> None:
    data = utf16("Referring page title\tTarget URL\tAnchor\tDomain rating\tUR\n")
    assert sniff(data).missing == ["Referring page URL"]
    assert refused(data) == "missing column 'Referring page URL'"


def test_a_first_line_of_data_is_read_as_data_with_numbered_columns_to_map() -> None:
    data = b"https://a-example.com/x,https://rival.com/,anchor\nhttps://b-example.com/,https://rival.com/p,b\n"
    sniffed = sniff(data)
    assert not sniffed.has_header and sniffed.format.value == "generic"
    assert sniffed.headers == ["Column 1", "Column 2", "Column 3"]
    assert sniffed.mapping == {"source_url": "Column 1", "target_url": "Column 2"}
    found = only_links(read_links(io.BytesIO(data), sniffed.mapping)[1])
    assert [r.source_domain for r in found] == ["a-example.com", "b-example.com"]
    assert [r.row for r in found] == [1, 2]


def test_a_malformed_url_gives_a_row_error_and_the_rest_of_the_file_goes_on() -> None:
    with (FILES / "ahrefs_backlinks_broken.tsv").open("rb") as handle:
        found = list(read_links(handle)[1])
    assert [type(r) for r in found] == [LinkRow, RowError, RowError, LinkRow]
    assert found[1] == RowError(
        2, "Referring page URL", "malformed URL 'htp:/x' in column 'Referring page URL'"
    )
    assert found[2] == RowError(3, None, "row has 3 fields, the header has 34")
    assert found[3].row == 4


def test_short_and_long_rows_are_row_errors() -> None:
    data = HEADER + "only\tthree\tfields\n" + GOOD.rstrip("\n") + "\textra\n" + GOOD
    found = rows(data.encode())
    assert found[:2] == [
        RowError(1, None, "row has 3 fields, the header has 4"),
        RowError(2, None, "row has 5 fields, the header has 4"),
    ]
    assert isinstance(found[2], LinkRow) and found[2].row == 3


def test_trailing_empty_cells_and_blank_lines_are_tolerated() -> None:
    data = HEADER + GOOD.rstrip("\n") + "\t\t\n\n" + GOOD
    assert [r.row for r in rows(data.encode()) if isinstance(r, LinkRow)] == [1, 3]


def test_a_bad_target_url_is_a_row_error_naming_its_column() -> None:
    data = HEADER + "https://a-example.com/p\tjavascript:void(0)\tx\t1\n"
    assert rows(data.encode()) == [
        RowError(1, "Target URL", "malformed URL 'javascript:void(0)' in column 'Target URL'")
    ]


def test_a_field_over_the_csv_size_limit_is_a_row_error_not_a_crash() -> None:
    huge = '"' + "x" * (csv.field_size_limit() + 10) + '"'
    data = HEADER + f"https://a-example.com/p\thttps://rival.com/\t{huge}\t1\n" + GOOD
    found = rows(data.encode())
    assert isinstance(found[0], RowError) and "field larger than field limit" in found[0].error
    assert isinstance(found[-1], LinkRow)


def test_a_row_over_a_million_characters_is_a_row_error() -> None:
    data = HEADER + "https://a-example.com/" + "p" * 3_000_000 + "\tx\ty\t1\n" + GOOD
    found = rows(data.encode())
    assert found[0] == RowError(1, None, "the row is longer than a million characters")
    assert isinstance(found[1], LinkRow) and found[1].row == 2


def test_a_quote_still_open_at_the_end_of_the_file_refuses_the_whole_file_naming_its_row() -> None:
    data = HEADER + GOOD * 2 + 'https://a-example.com/p\thttps://rival.com/\t"oops\t1\n' + GOOD * 40
    message = refused(data.encode())
    assert "row 3" in message and "still open at the end of the file" in message
    assert "Nothing was imported" in message


def test_a_field_holding_many_line_breaks_refuses_the_whole_file_naming_its_row() -> None:
    closes_late = 'https://b-example.com/p\thttps://rival.com/\t"a' + "\n" * 60 + 'b"\t5\n'
    message = refused((HEADER + GOOD + closes_late + GOOD).encode())
    assert "row 2" in message and "more than 50 lines" in message


def test_a_field_with_a_few_line_breaks_is_still_read() -> None:
    few = 'https://b-example.com/p\thttps://rival.com/\t"a' + "\n" * 5 + 'b"\t5\n'
    found = rows((HEADER + few + GOOD).encode())
    assert [r.row for r in found] == [1, 2]
    assert isinstance(found[0], LinkRow) and found[0].anchor == "a" + "\n" * 5 + "b"


def test_quoted_fields_may_hold_delimiters_quotes_and_line_breaks() -> None:
    data = (
        "Referring page URL,Anchor,Target URL\n"
        '"https://a-example.com/p","say ""hi"", then\nleave",https://rival.com/\n'
        "https://b-example.com/q,plain,https://rival.com/\n"
    )
    first, second = rows(data.encode())
    assert isinstance(first, LinkRow) and isinstance(second, LinkRow)
    assert first.anchor == 'say "hi", then\nleave'
    assert (first.row, second.row, second.anchor) == (1, 2, "plain")


def test_an_empty_source_cell_or_a_junk_domain_is_a_row_error() -> None:
    data = HEADER + "\thttps://rival.com/\tx\t1\n" + GOOD
    assert rows(data.encode())[0] == RowError(
        1, "Referring page URL", "no URL in column 'Referring page URL'"
    )
    sites = "Site,Linking pages,Target pages\nnot a domain,1,1\nexample.co.uk,2,1\n"
    found = rows(sites.encode())
    assert found[0] == RowError(1, "Site", "not a domain name: 'not a domain' in column 'Site'")
    assert isinstance(found[1], LinkRow) and found[1].source_domain == "example.co.uk"
