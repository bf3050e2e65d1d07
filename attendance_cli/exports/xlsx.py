"""Helpers for every Excel workbook att writes (the TSM pack now; the LA report and the referral
bundle later).

* ``safe_cell_value`` / ``write_cell``: every text cell goes through the formula-injection guard
  (``exports.safety.neutralise``) and is stored as text, never as a formula or an error value;
  numbers, dates and booleans stay what they are.
* ``write_table``: a bold header row and rows under it, number formats by column.
* ``autosize_columns``: column widths from the longest value shown.
* ``save_workbook``: written private to the owner (0600) through a temporary file in the same
  folder, renamed over the final name only once complete.

Number formats are shared so that every workbook looks the same: percentages are stored as att
computes them, 0-100 with one decimal (93.1 means 93.1%), shown with ``PERCENT_FORMAT``.
openpyxl is imported inside the functions that need it (about 0.2 s).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import numbers
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attendance_cli.errors import InvalidInputError
from attendance_cli.exports.safety import neutralise

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

PERCENT_FORMAT = "0.0"  # percentages stored 0-100: 93.1 is 93.1%
COUNT_FORMAT = "#,##0"
DAYS_FORMAT = "0.0"
DATE_FORMAT = "dd/mm/yyyy"
HEADER_FILL = "D9E1F2"  # pale blue: headers of figures att wrote
INPUT_FILL = "FFF2CC"  # pale yellow: columns for people to fill in

MAX_CELL_TEXT = 32767  # Excel's limit for one cell
# Control characters a worksheet cannot hold (openpyxl raises IllegalCharacterError on them).
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")


def safe_cell_value(value: Any) -> Any:
    """The value to store in a cell: text with illegal control characters removed, cut to
    Excel's limit and neutralised (``=SUM(A1)`` becomes ``'=SUM(A1)``); numbers, dates, times,
    booleans and None unchanged (NaN and infinities become empty); anything else as its text."""
    if value is None or isinstance(value, bool | dt.date | dt.time):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    text = value if isinstance(value, str) else str(value)
    return neutralise(_ILLEGAL.sub("", text)[:MAX_CELL_TEXT])


def write_cell(
    worksheet: Worksheet,
    row: int,
    column: int,
    value: Any,
    *,
    number_format: str | None = None,
    bold: bool = False,
) -> Cell:
    """Write one value through ``safe_cell_value``. Text is always stored as text: even a value
    the guard lets through unchanged (``#N/A``) never becomes a formula or an error cell."""
    from openpyxl.styles import Font

    safe = safe_cell_value(value)
    cell = worksheet.cell(row=row, column=column)
    cell.value = safe
    if isinstance(safe, str):
        cell.data_type = "s"
    if number_format and not isinstance(safe, str):
        cell.number_format = number_format
    elif isinstance(safe, dt.date) and not isinstance(safe, dt.datetime):
        cell.number_format = DATE_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


def style_header(cells: Iterable[Cell], *, fill: str = HEADER_FILL) -> None:
    """Bold, filled, wrapped and top-aligned header cells."""
    from openpyxl.styles import Alignment, Font, PatternFill

    for cell in cells:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_table(
    worksheet: Worksheet,
    *,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    start_row: int = 1,
    start_column: int = 1,
    number_formats: Mapping[str, str] | None = None,
    wrap: Iterable[str] = (),
) -> int:
    """A bold header row at ``start_row`` and one row per item under it; ``number_formats`` and
    ``wrap`` are keyed by header. Returns the last row written (the header row if no rows)."""
    from openpyxl.styles import Alignment

    formats = number_formats or {}
    wrapped = set(wrap)
    header_cells = [
        write_cell(worksheet, start_row, start_column + offset, header)
        for offset, header in enumerate(headers)
    ]
    style_header(header_cells)
    row_number = start_row
    for row_number, values in enumerate(rows, start=start_row + 1):
        for offset, (header, value) in enumerate(zip(headers, values, strict=True)):
            cell = write_cell(
                worksheet,
                row_number,
                start_column + offset,
                value,
                number_format=formats.get(header),
            )
            if header in wrapped:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    return row_number


def freeze_and_filter(
    worksheet: Worksheet, *, header_row: int, columns: int, last_row: int | None = None
) -> None:
    """Freeze the rows down to the header, put an auto-filter over the table and repeat the
    header on every printed page."""
    from openpyxl.utils import get_column_letter

    last_column = get_column_letter(columns)
    worksheet.freeze_panes = f"A{header_row + 1}"
    worksheet.auto_filter.ref = f"A{header_row}:{last_column}{max(last_row or 0, header_row)}"
    worksheet.print_title_rows = f"{header_row}:{header_row}"


def print_landscape(worksheet: Worksheet) -> None:
    """Landscape, one page wide."""
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True


def _shown_width(value: Any, number_format: str) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, bool):
        return 5
    if isinstance(value, int | float):
        if number_format in (PERCENT_FORMAT, DAYS_FORMAT):
            return len(f"{value:.1f}")
        if number_format == COUNT_FORMAT:
            return len(f"{value:,.0f}")
        return len(str(value))
    return max((len(line) for line in str(value).splitlines()), default=0)


def autosize_columns(
    worksheet: Worksheet,
    *,
    min_row: int = 1,
    min_width: float = 6,
    max_width: float = 50,
    padding: float = 2,
    widths: Mapping[int, float] | None = None,
) -> None:
    """Set each column's width from the longest value shown from ``min_row`` down (title rows
    above it are left out), between ``min_width`` and ``max_width``; ``widths`` (by column
    number) overrides."""
    from openpyxl.utils import get_column_letter

    longest: dict[int, int] = {}
    for row in worksheet.iter_rows(min_row=min_row):
        for cell in row:
            width = _shown_width(cell.value, cell.number_format)
            if width > longest.get(cell.column, 0):
                longest[cell.column] = width
    for column, width in longest.items():
        size = min(max(width + padding, min_width), max_width)
        worksheet.column_dimensions[get_column_letter(column)].width = size
    for column, size in (widths or {}).items():
        worksheet.column_dimensions[get_column_letter(column)].width = size


def header_footer_text(text: str) -> str:
    """Text for a printed header or footer: ``&`` starts a formatting code there, so double it."""
    return _ILLEGAL.sub("", text).replace("&", "&&")[:200]


def save_workbook(workbook: Workbook, path: Path) -> Path:
    """Save to ``path`` readable and writable by the owner only (0600), never leaving a partial
    file under the final name: the workbook is written to a temporary file in the same folder,
    then renamed over ``path``. Raises InvalidInputError when the folder does not exist, the
    name does not end in .xlsx, or ``path`` is a folder."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InvalidInputError(
            f"{path} is not an .xlsx file name",
            hint="Name the workbook with an .xlsx extension, e.g. --output pack.xlsx.",
        )
    folder = path.parent
    if not folder.is_dir():
        raise InvalidInputError(
            f"The folder {folder} does not exist",
            hint="Create the folder first, or give --output a path in an existing folder.",
        )
    if path.is_dir():
        raise InvalidInputError(
            f"{path} is a folder", hint="Give --output the name of the .xlsx file to write."
        )
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        os.close(handle)
        os.chmod(temporary, 0o600)
        workbook.save(temporary)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return path
