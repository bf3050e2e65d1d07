"""exports.xlsx: the cell guard and the private, all-or-nothing save every workbook uses.

(Kept beside the TSM workbook tests, its first user; move to tests/exports/ when that exists.)
"""

from __future__ import annotations

import datetime as dt
import stat
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from openpyxl import Workbook, load_workbook

from attendance_cli.errors import InvalidInputError
from attendance_cli.exports.xlsx import (
    COUNT_FORMAT,
    PERCENT_FORMAT,
    autosize_columns,
    header_footer_text,
    safe_cell_value,
    save_workbook,
    stream_table,
    write_cell,
    write_table,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("=1+1", "'=1+1", id="equals"),
        pytest.param("+44 7700 900123", "'+44 7700 900123", id="plus"),
        pytest.param("-2", "'-2", id="minus-text"),
        pytest.param("@SUM(A1)", "'@SUM(A1)", id="at"),
        pytest.param("\tx", "'\tx", id="tab"),
        pytest.param("\x01=cmd", "'=cmd", id="control-character-then-formula"),
        pytest.param("O'Brien", "O'Brien", id="plain-text"),
        pytest.param(-2, -2, id="negative-int-stays-a-number"),
        pytest.param(-2.5, -2.5, id="negative-float"),
        pytest.param(np.int64(7), 7, id="numpy-int"),
        pytest.param(float("nan"), None, id="nan-is-empty"),
        pytest.param(None, None, id="none"),
        pytest.param(True, True, id="bool"),
        pytest.param(dt.date(2025, 9, 3), dt.date(2025, 9, 3), id="date"),
        pytest.param(Path("a"), "a", id="other-as-text"),
    ],
)
def test_safe_cell_value(value: Any, expected: Any) -> None:
    result = safe_cell_value(value)
    assert result == expected and type(result) is type(expected)


def test_write_cell_never_makes_formulas_or_errors() -> None:
    ws = Workbook().active
    assert ws is not None
    assert write_cell(ws, 1, 1, '=HYPERLINK("http://x")').data_type == "s"
    assert write_cell(ws, 2, 1, "#N/A").data_type == "s"
    assert write_cell(ws, 3, 1, -1.5, number_format="0.0").data_type == "n"
    date = write_cell(ws, 4, 1, dt.date(2025, 9, 3))
    assert date.is_date and date.number_format == "dd/mm/yyyy"


def test_autosize_columns_skips_title_rows_and_caps_width() -> None:
    ws = Workbook().active
    assert ws is not None
    write_cell(ws, 1, 1, "A very long title that should not set the width of column A at all")
    write_cell(ws, 2, 1, "UPN")
    write_cell(ws, 3, 1, "A899200125001")
    write_cell(ws, 2, 2, "x" * 200)
    autosize_columns(ws, min_row=2, max_width=40)
    assert ws.column_dimensions["A"].width == len("A899200125001") + 2
    assert ws.column_dimensions["B"].width == 40


def test_header_footer_text_doubles_ampersands() -> None:
    assert header_footer_text("St Anne's & St Mary's") == "St Anne's && St Mary's"


def test_save_workbook_is_private(tmp_path: Path) -> None:
    path = save_workbook(Workbook(), tmp_path / "book.XLSX")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    load_workbook(path)


def test_save_workbook_refuses_a_folder(tmp_path: Path) -> None:
    (tmp_path / "x.xlsx").mkdir()
    with pytest.raises(InvalidInputError, match="is a folder"):
        save_workbook(Workbook(), tmp_path / "x.xlsx")
    assert [p.name for p in tmp_path.iterdir()] == ["x.xlsx"]


TABLE_HEADERS = ["Text", "Count", "Rate", "When", "Flag", "Notes"]
TABLE_ROWS: list[list[Any]] = [
    ["=SUM(A1)", 1, 93.14, dt.date(2025, 9, 3), True, 'a & b <c> "d"'],
    ["#N/A", np.int64(12345), float("nan"), dt.datetime(2025, 9, 3, 10, 30), False, None],
    ["  padded  ", None, 0.1 + 0.2, dt.time(9, 30), None, "line one\nline two, the longer"],
    ["", -2, 1e20, None, "No", "\x01=cmd"],
    [Path("a/b"), 10**17, 7.5, dt.date(1900, 1, 1), "Yes", "x" * 80],
    ["Zoë Ó'Brien", 0, 100.0, dt.date(2026, 2, 28), "", " "],
]


def _table_workbook(tmp_path: Path, *, streamed: bool) -> Path:
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    write_cell(ws, 1, 1, "A title above the table, longer than any value in it", bold=True)
    options: dict[str, Any] = {
        "headers": TABLE_HEADERS,
        "rows": iter(TABLE_ROWS),
        "start_row": 3,
        "start_column": 2,
        "number_formats": {"Count": COUNT_FORMAT, "Rate": PERCENT_FORMAT},
        "wrap": ["Notes"],
    }
    if streamed:
        table = stream_table(ws, **options)
        assert (table.last_row, table.last_column) == (3 + len(TABLE_ROWS), 7)
        autosize_columns(ws, min_row=3, max_width=40, measured=table.longest)
        return save_workbook(workbook, tmp_path / "streamed.xlsx", streamed=[table])
    assert write_table(ws, **options) == 3 + len(TABLE_ROWS)
    autosize_columns(ws, min_row=3, max_width=40)
    return save_workbook(workbook, tmp_path / "cells.xlsx")


def test_stream_table_saves_what_write_table_saves(tmp_path: Path) -> None:
    """Every cell of a streamed table reads back as write_table's: value, type (text never a
    formula or an error), number format, font, fill, wrapping; and the same widths and used
    range."""
    cells = load_workbook(_table_workbook(tmp_path, streamed=False)).active
    path = _table_workbook(tmp_path, streamed=True)
    streamed = load_workbook(path).active
    with zipfile.ZipFile(path) as archive:  # Excel trims the text's spaces without this
        assert '<t xml:space="preserve">  padded  </t>' in archive.read(
            "xl/worksheets/sheet1.xml"
        ).decode("utf-8")
    assert cells is not None and streamed is not None
    assert streamed.dimensions == cells.dimensions == "A1:G9"
    widths = {k: d.width for k, d in cells.column_dimensions.items()}
    assert {k: d.width for k, d in streamed.column_dimensions.items()} == widths
    assert widths["B"] == len("Zoë Ó'Brien") + 2 and widths["G"] == 40

    def shown(cell: Any) -> tuple[Any, ...]:
        style = (cell.font, cell.fill, cell.alignment, cell.border, cell.protection)
        return (cell.value, cell.data_type, cell.number_format, *map(repr, style))

    rows = list(zip(cells.iter_rows(), streamed.iter_rows(), strict=True))
    assert len(rows) == 3 + len(TABLE_ROWS)
    for expected, got in rows:
        for want, have in zip(expected, got, strict=True):
            assert shown(have) == shown(want), want.coordinate
    assert streamed["B4"].value == "'=SUM(A1)" and streamed["B5"].data_type == "s"
    assert streamed["B6"].value == "  padded  " and streamed["G4"].value == 'a & b <c> "d"'
    assert streamed["C5"].value == 12345 and streamed["D5"].value is None
    assert streamed["E4"].value == dt.datetime(2025, 9, 3)


def test_save_workbook_refuses_cells_below_a_streamed_table(tmp_path: Path) -> None:
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    table = stream_table(ws, headers=["A"], rows=[["x"]])
    write_cell(ws, 2, 1, "written over the streamed row")
    with pytest.raises(ValueError, match="below the streamed table"):
        save_workbook(workbook, tmp_path / "book.xlsx", streamed=[table])
    assert not list(tmp_path.iterdir())
