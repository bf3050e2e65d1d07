"""exports.xlsx: the cell guard and the private, all-or-nothing save every workbook uses.

(Kept beside the TSM workbook tests, its first user; move to tests/exports/ when that exists.)
"""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from openpyxl import Workbook, load_workbook

from attendance_cli.errors import InvalidInputError
from attendance_cli.exports.xlsx import (
    autosize_columns,
    header_footer_text,
    safe_cell_value,
    save_workbook,
    write_cell,
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
