"""CSV downloads are safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest

from outreach.reports.exports import Cell, Table, neutralise, to_csv


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("plain.example", "plain.example"),
        ("a=b", "a=b"),
        (-3, "'-3"),
        (2.5, "2.5"),
        (7, "7"),
        (None, ""),
    ],
)
def test_cells_that_would_run_as_formulas_get_an_apostrophe(cell: Cell, written: str) -> None:
    assert neutralise(cell) == written


def test_csv_is_quoted_crlf_text_with_every_dangerous_cell_neutralised() -> None:
    table = Table("t", "T", ("Name", "Count"), [["=cmd|' /C calc'!A0", 1], ['say "hi", twice', -1]])
    text = to_csv(table)
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["Name", "Count"], ["'=cmd|' /C calc'!A0", "1"], ['say "hi", twice', "'-1"]]
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
