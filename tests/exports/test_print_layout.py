"""Workbooks as an officer prints and projects them: wrapped text gets the rows it needs, the
name columns stay in view and print on every page across, pages are landscape A4 at a readable
scale. Expected figures are worked out by hand from the rules in exports.xlsx."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from attendance_cli.exports.xlsx import (
    LINE_HEIGHT_POINTS,
    PAGE_WIDTH_UNITS,
    autosize_columns,
    fit_row_heights,
    freeze_and_filter,
    header_width,
    print_landscape,
    save_workbook,
    stream_table,
    wrapped_lines,
    write_table,
)


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        pytest.param("short", 10, 1, id="fits"),
        # 9 characters a line at width 10: "attendance" (10) is longer than a line
        pytest.param("attendance", 10, 2, id="one-word-longer-than-a-line"),
        pytest.param("aaa bbb ccc", 8, 2, id="aaa-bbb-then-ccc"),  # 7 a line: "aaa bbb" fits
        pytest.param("aaa bbb ccc", 12, 1, id="all-on-one-line"),  # 11 a line
        pytest.param("one\ntwo", 40, 2, id="line-break"),
        pytest.param("", 10, 1, id="empty"),
    ],
)
def test_wrapped_lines(text: str, width: float, lines: int) -> None:
    assert wrapped_lines(text, width) == lines


@pytest.mark.parametrize(
    ("header", "width"),
    [
        # 48 characters over 3 lines is 16; the longest word, "(sessions", is 9
        pytest.param("Recovery (sessions in a row to leave PA by July)", 16, id="long"),
        pytest.param("Unauthorised", 12, id="one-word"),
        pytest.param("PA %", 2, id="short"),  # ceil(4/3) = 2 = len("PA")
    ],
)
def test_header_width(header: str, width: int) -> None:
    assert header_width(header) == width


def test_wrapped_rows_get_their_height_and_headers_wrap_narrow() -> None:
    ws = Workbook().active
    assert ws is not None
    flags = "15 school days of continuous unauthorised absence from 2025-10-20"  # 65 chars
    write_table(ws, headers=["UPN", "Flags"], rows=[["A1", flags], ["A2", "none"]], wrap=["Flags"])
    autosize_columns(ws, max_width=30, header_row=1)
    assert ws.column_dimensions["B"].width == 30  # capped: the text wraps
    fit_row_heights(ws)
    # 29 characters a line: "15 school days of continuous" (28) / "unauthorised absence from" /
    # "2025-10-20" = 3 lines
    assert ws.row_dimensions[2].height == 3 * LINE_HEIGHT_POINTS
    assert ws.row_dimensions[3].height is None  # one line: left to the default
    assert ws["B2"].alignment.vertical == "top" and ws["A2"].alignment.vertical == "top"


def test_streamed_rows_get_their_height_when_saved(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    table = stream_table(
        ws,
        headers=["UPN", "Flags"],
        rows=[["A1", "x " * 30], ["A2", "ok"]],  # 60 characters; "ok" fits
        wrap=["Flags"],
    )
    autosize_columns(ws, max_width=12, measured=table.longest)
    path = save_workbook(book, tmp_path / "s.xlsx", streamed=[table])
    saved = load_workbook(path).active
    assert saved is not None
    # 11 characters a line: "x x x x x x" (11), so 30 x's take 5 lines
    assert saved.row_dimensions[2].height == 5 * LINE_HEIGHT_POINTS
    assert saved.row_dimensions[3].height is None


def test_name_columns_frozen_and_printed_on_every_page_across(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    headers = ["UPN", "Surname", "Forename", *(f"Figure {n}" for n in range(30))]
    write_table(ws, headers=headers, rows=[["A1", "Doyle", "Kieran", *range(30)]])
    freeze_and_filter(ws, header_row=1, columns=len(headers), last_row=2, frozen_columns=3)
    for letter in ("A", "B", "C"):
        ws.column_dimensions[letter].width = 20  # 60 units repeated on each page
    from openpyxl.utils import get_column_letter

    for column in range(4, len(headers) + 1):
        ws.column_dimensions[get_column_letter(column)].width = 10  # 300 units to print
    print_landscape(ws, repeated_columns=3)
    saved = load_workbook(save_workbook(book, tmp_path / "p.xlsx")).active
    assert saved is not None
    assert saved.freeze_panes == "D2"
    assert saved.print_title_cols == "$A:$C" and saved.print_title_rows == "$1:$1"
    setup = saved.page_setup
    assert setup.orientation == "landscape" and str(setup.paperSize) == "9"  # A4
    # each page holds PAGE_WIDTH_UNITS - 60 = 130 units beside the names: 300 / 130 -> 3 pages
    assert PAGE_WIDTH_UNITS == 190 and setup.fitToWidth == 3 and setup.fitToHeight == 0
    assert saved.sheet_properties.pageSetUpPr.fitToPage
