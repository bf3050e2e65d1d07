"""Helpers for every Excel workbook att writes (the TSM pack, the LA report, the referral
bundle's register extract).

* ``safe_cell_value`` / ``write_cell``: every text cell goes through the formula-injection guard
  (``exports.safety.neutralise``) and is stored as text, never as a formula or an error value;
  numbers, dates and booleans stay what they are.
* ``write_table``: a bold header row and rows under it, number formats by column.
* ``stream_table``: the same for tables of thousands of rows, serialised straight into the
  worksheet's XML by ``save_workbook`` (openpyxl's pure-Python XML writer takes ~30 µs a cell:
  5 s for the LA report's 170,000), the column widths measured in the same pass.
* ``autosize_columns``: column widths from the longest value shown.
* ``save_workbook``: written private to the owner (0600) through a temporary file in the same
  folder, renamed over the final name only once complete.

Number formats are shared so that every workbook looks the same: percentages are stored as att
computes them, 0-100 with one decimal (93.1 means 93.1%), shown with ``PERCENT_FORMAT``.
openpyxl is imported inside the functions that need it (about 0.2 s).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import numbers
import os
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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
TABLE_TEXT_INDENT = 1  # text in table cells, one character in from the left edge

MAX_CELL_TEXT = 32767  # Excel's limit for one cell
# Control characters a worksheet cannot hold (openpyxl raises IllegalCharacterError on them).
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")


def safe_cell_value(value: Any) -> Any:
    """The value to store in a cell: text with illegal control characters removed, cut to
    Excel's limit and neutralised (``=SUM(A1)`` becomes ``'=SUM(A1)``); numbers, dates, times,
    booleans and None unchanged (NaN and infinities become empty); anything else as its text."""
    kind = type(value)  # the common exact types first: the ABC checks below are slow
    if kind is str:
        text = value
    elif kind is int:
        return value
    elif kind is float:
        return value if math.isfinite(value) else None
    elif value is None or isinstance(value, bool | dt.date | dt.time):
        return value
    elif isinstance(value, numbers.Integral):
        return int(value)
    elif isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    else:
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
    cell = worksheet.cell(row=row, column=column)
    _store(cell, safe_cell_value(value), number_format=number_format, bold=bold)
    return cell


def _store(
    cell: Cell,
    safe: Any,
    *,
    number_format: str | None,
    bold: bool = False,
    wrap: bool = False,
    indent: int = 0,
) -> None:
    """Put an already guarded value in ``cell`` with its style: what ``write_cell`` and
    ``write_table`` do to each cell, and what ``stream_table`` does once per column and type.
    Table cells (``indent``) are top-aligned, their text indented by one, so a right-aligned
    number never runs into the text of the next column ("9FSM")."""
    from openpyxl.styles import Alignment, Font

    cell.value = safe
    if isinstance(safe, str):
        cell.data_type = "s"
    if number_format and not isinstance(safe, str):
        cell.number_format = number_format
    elif isinstance(safe, dt.date) and not isinstance(safe, dt.datetime):
        cell.number_format = DATE_FORMAT
    if bold:
        cell.font = Font(bold=True)
    if wrap or indent:  # a table cell: top-aligned, so a row made tall by wrapping lines up
        text_indent = indent if isinstance(safe, str) else 0
        cell.alignment = Alignment(wrap_text=wrap or None, vertical="top", indent=text_indent)


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
    formats = number_formats or {}
    wrapped = set(wrap)
    _write_header(worksheet, headers, start_row, start_column)
    row_number = start_row
    for row_number, values in enumerate(rows, start=start_row + 1):
        for offset, (header, value) in enumerate(zip(headers, values, strict=True)):
            _store(
                worksheet.cell(row=row_number, column=start_column + offset),
                safe_cell_value(value),
                number_format=formats.get(header),
                wrap=header in wrapped,
                indent=TABLE_TEXT_INDENT,
            )
    return row_number


def _write_header(
    worksheet: Worksheet, headers: Sequence[str], row: int, start_column: int
) -> None:
    style_header(
        write_cell(worksheet, row, start_column + offset, header)
        for offset, header in enumerate(headers)
    )


@dataclass
class StreamedTable:
    """A table from ``stream_table``: its header is in the worksheet; its rows are XML that
    ``save_workbook(..., streamed=[table])`` writes into the saved worksheet."""

    worksheet: Worksheet
    header_row: int
    last_row: int  # the header row when there are no rows
    last_column: int
    longest: dict[int, int]  # by column number: the longest value shown, the header wrapped
    xml: list[str] = field(repr=False)  # one <row> element per row
    # (index in xml, column, text) of each text in a wrapped column: the row's height is set
    # from them when the workbook is saved, once the column widths are known
    wrapped_text: list[tuple[int, int, str]] = field(default_factory=list, repr=False)


def stream_table(
    worksheet: Worksheet,
    *,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    start_row: int = 1,
    start_column: int = 1,
    number_formats: Mapping[str, str] | None = None,
    wrap: Iterable[str] = (),
) -> StreamedTable:
    """``write_table`` for big tables: the same header, values (through ``safe_cell_value``),
    styles and saved XML, but the rows are not openpyxl cells: they are serialised here, each
    style worked out once per column and type of value, and written by ``save_workbook``, which
    must be given the table. Nothing else may be written below the header. For the widths pass
    the table's ``longest`` to ``autosize_columns(measured=...)``."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import to_excel

    formats = number_formats or {}
    wrapped = set(wrap)
    _write_header(worksheet, headers, start_row, start_column)
    epoch = worksheet.parent.epoch
    columns = [
        (
            start_column + offset,
            get_column_letter(start_column + offset),
            formats.get(header),
            header in wrapped,
        )
        for offset, header in enumerate(headers)
    ]
    longest = {
        column: header_width(header) for (column, *_), header in zip(columns, headers, strict=True)
    }
    styles: dict[tuple[int, type], str] = {}  # ' s="N"' or ""

    def style(column: int, number_format: str | None, wrap: bool, safe: Any) -> str:
        cell = WriteOnlyCell(worksheet)  # not in the sheet: only its style is wanted
        _store(cell, safe, number_format=number_format, wrap=wrap, indent=TABLE_TEXT_INDENT)
        found = styles[column, type(safe)] = f' s="{cell.style_id}"' if cell.has_style else ""
        return found

    xml: list[str] = []
    wrapped_text: list[tuple[int, int, str]] = []
    row_number = start_row
    for row_number, values in enumerate(rows, start=start_row + 1):
        parts = [f'<row r="{row_number}">']
        for (column, letter, number_format, wrapped_column), value in zip(
            columns, values, strict=True
        ):
            safe = safe_cell_value(value)
            kind = type(safe)
            s = styles.get((column, kind))
            if s is None:
                s = style(column, number_format, wrapped_column, safe)
            if kind is str:
                width = len(safe) if safe.isprintable() else _shown_width(safe, "")
                if wrapped_column and width > WRAP_CHECK_LENGTH:
                    wrapped_text.append((len(xml), column, safe))
                if not safe:
                    parts.append(f'<c r="{letter}{row_number}"{s} t="inlineStr" />')
                else:
                    preserve = (
                        ' xml:space="preserve"' if safe != safe.strip() and safe.strip() else ""
                    )
                    parts.append(
                        f'<c r="{letter}{row_number}"{s} t="inlineStr"><is><t{preserve}>'
                        f"{_escape(safe)}</t></is></c>"
                    )
            elif safe is None:
                width = 0
                if s:
                    parts.append(f'<c r="{letter}{row_number}"{s} t="n" />')
            elif kind is bool:
                width = 5
                parts.append(f'<c r="{letter}{row_number}"{s} t="b"><v>{safe:.16g}</v></c>')
            elif kind is int or kind is float:
                width = _shown_width(safe, number_format or "General")
                parts.append(f'<c r="{letter}{row_number}"{s} t="n"><v>{safe:.16g}</v></c>')
            else:  # a date, datetime or time
                if getattr(safe, "tzinfo", None) is not None:
                    raise TypeError("Excel does not support time zones in dates and times")
                width = _shown_width(safe, "")
                serial = f"{to_excel(safe, epoch):.16g}"
                parts.append(f'<c r="{letter}{row_number}"{s} t="n"><v>{serial}</v></c>')
            if width > longest[column]:
                longest[column] = width
        parts.append("</row>")
        xml.append("".join(parts))
    return StreamedTable(
        worksheet=worksheet,
        header_row=start_row,
        last_row=row_number,
        last_column=start_column + len(columns) - 1,
        longest=longest,
        xml=xml,
        wrapped_text=wrapped_text,
    )


def _escape(text: str) -> str:
    """Text as an XML element's content, escaped as openpyxl (ElementTree) escapes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def freeze_and_filter(
    worksheet: Worksheet,
    *,
    header_row: int,
    columns: int,
    last_row: int | None = None,
    frozen_columns: int = 0,
) -> None:
    """Freeze the rows down to the header (and the first ``frozen_columns`` columns, so the
    pupil's name stays in view when scrolling right), put an auto-filter over the table and
    repeat the header on every printed page (and those columns on every page across)."""
    from openpyxl.utils import get_column_letter

    last_column = get_column_letter(columns)
    worksheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{header_row + 1}"
    worksheet.auto_filter.ref = f"A{header_row}:{last_column}{max(last_row or 0, header_row)}"
    worksheet.print_title_rows = f"{header_row}:{header_row}"
    if frozen_columns:
        worksheet.print_title_cols = f"A:{get_column_letter(frozen_columns)}"


# A4 landscape at 100% holds about 150 width units (characters of the default font) between
# narrow margins; printed text stays readable (about 8.5 pt and up) down to a scale of ~78%, so a
# page takes at most this many units before the sheet goes onto another page across.
PAGE_WIDTH_UNITS = 190
DEFAULT_COLUMN_WIDTH = 8.43  # Excel's default, in width units
LINE_HEIGHT_POINTS = 15.0  # one line of 11 pt Calibri
WRAP_CHECK_LENGTH = 5  # the narrowest column (6 units) holds 5 characters a line


def print_landscape(worksheet: Worksheet, *, repeated_columns: int = 0) -> None:
    """A4 landscape, narrow margins, page numbers in the footer, fitted to as many pages across
    as keep the text readable (``PAGE_WIDTH_UNITS`` a page; ``repeated_columns`` — the print
    title columns — are printed again on each page across). Call it after the column widths are
    set: it measures them."""
    from openpyxl.utils import get_column_letter

    widths = [
        worksheet.column_dimensions[get_column_letter(column)].width or DEFAULT_COLUMN_WIDTH
        for column in range(1, (worksheet.max_column or 1) + 1)
    ]
    repeated = sum(widths[:repeated_columns])
    rest = sum(widths[repeated_columns:])
    per_page = max(PAGE_WIDTH_UNITS - repeated, PAGE_WIDTH_UNITS / 2)
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
    worksheet.page_setup.fitToWidth = max(1, math.ceil(rest / per_page))
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    margins = worksheet.page_margins  # inches; the page header and footer sit in the margins
    margins.left = margins.right = 0.4
    margins.top = margins.bottom = 0.75
    margins.header = margins.footer = 0.3
    worksheet.oddFooter.center.text = "Page &P of &N"


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` units wide (words kept
    whole where they fit, as Excel and LibreOffice wrap)."""
    per_line = max(1, int(width) - 1)
    lines = 0
    for paragraph in text.split("\n"):
        used = 0
        lines += 1
        for word in paragraph.split():
            size = len(word)
            if used and used + 1 + size > per_line:
                lines += 1
                used = 0
            if used:
                used += 1
            while size > per_line:  # a word longer than the line breaks where it must
                lines += 1
                size -= per_line
            used += size
    return lines


def fit_row_heights(worksheet: Worksheet, *, min_row: int = 1, max_row: int | None = None) -> None:
    """Give every row holding wrapped text the height its longest wrapped cell needs (neither
    Excel nor LibreOffice does it for a file they did not lay out, so wrapped text overprints
    the next row). Call it after the column widths are set."""
    from openpyxl.utils import get_column_letter

    widths: dict[int, float] = {}
    for row in worksheet.iter_rows(min_row=min_row, max_row=max_row):
        lines = 1
        for cell in row:
            if not isinstance(cell.value, str) or not cell.alignment.wrap_text:
                continue
            column = cell.column
            if column not in widths:
                widths[column] = (
                    worksheet.column_dimensions[get_column_letter(column)].width
                    or DEFAULT_COLUMN_WIDTH
                )
            lines = max(lines, wrapped_lines(cell.value, widths[column]))
        if lines > 1:
            worksheet.row_dimensions[row[0].row].height = lines * LINE_HEIGHT_POINTS


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
    measured: Mapping[int, int] | None = None,
    header_row: int | None = None,
) -> None:
    """Set each column's width from the longest value shown from ``min_row`` down (title rows
    above it are left out), between ``min_width`` and ``max_width``; ``measured`` (by column
    number: a ``StreamedTable``'s ``longest``) counts as values shown; ``widths`` (by column
    number) overrides. Header cells (``header_row``) wrap, so they ask only for the width of
    ``header_width``, not of their whole text."""
    from openpyxl.utils import get_column_letter

    longest: dict[int, int] = dict(measured or {})
    for row in worksheet.iter_rows(min_row=min_row):
        for cell in row:
            if cell.row == header_row and isinstance(cell.value, str):
                width = header_width(cell.value)
            else:
                width = _shown_width(cell.value, cell.number_format)
            if width > longest.get(cell.column, 0):
                longest[cell.column] = width
    for column, width in longest.items():
        size = min(max(width + padding, min_width), max_width)
        worksheet.column_dimensions[get_column_letter(column)].width = size
    for column, size in (widths or {}).items():
        worksheet.column_dimensions[get_column_letter(column)].width = size


def header_width(header: str, *, lines: int = 3) -> int:
    """The width a wrapped header needs: its longest word, and no more than ``lines`` lines."""
    words = header.split()
    return max([math.ceil(len(header) / lines), *(len(word) for word in words)])


def header_footer_text(text: str) -> str:
    """Text for a printed header or footer: ``&`` starts a formatting code there, so double it."""
    return _ILLEGAL.sub("", text).replace("&", "&&")[:200]


def _without_writer_frames(error: OSError) -> OSError:
    """The error with its traceback dropped. openpyxl writes worksheets from generators; one
    suspended by a failed write (disk full) is closed when the traceback's frames go, and its
    own clean-up error would be printed as "Exception ignored ... Traceback" (at exit, or
    here): close them now, with that report silenced."""
    import gc
    import sys

    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        error.__traceback__ = None
        gc.collect()
    finally:
        sys.unraisablehook = hook
    return error


def save_workbook(
    workbook: Workbook, path: Path, *, streamed: Sequence[StreamedTable] = (), force: bool = False
) -> Path:
    """Save to ``path`` readable and writable by the owner only (0600), never leaving a partial
    file under the final name: the workbook is written to a temporary file in the same folder
    (``files.output_file``: removed on failure, swept after a kill), then moved to ``path``. An
    existing ``path`` (a meeting workbook an officer filled in) is replaced only with ``force``;
    otherwise OutputExistsError. The rows of the ``streamed`` tables (``stream_table``) go into
    their worksheets. Raises InvalidInputError when the folder does not exist, the name does not
    end in .xlsx, or ``path`` is a folder."""
    path = Path(path)
    for table in streamed:
        if table.worksheet not in workbook.worksheets:
            raise ValueError(f"the streamed table's sheet {table.worksheet.title!r} is elsewhere")
        if table.xml and table.worksheet.max_row > table.header_row:
            raise ValueError(f"cells written below the streamed table in {table.worksheet.title!r}")
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
    from attendance_cli.files import output_file

    with output_file(path, force=force) as partial:
        temporary = str(partial.path)
        try:
            if any(table.xml for table in streamed):
                _save_with_rows(workbook, temporary, streamed)
            else:
                workbook.save(temporary)
        except OSError as error:  # disk full, file too large: one clean error, no traceback
            raise _without_writer_frames(error) from None
        os.chmod(temporary, 0o600)
        partial.commit()
    return path


_DIMENSION = re.compile(r'<dimension ref="[^"]*"')


def _save_with_rows(workbook: Workbook, target: str, streamed: Sequence[StreamedTable]) -> None:
    """openpyxl saves the workbook in memory (it numbers the worksheet files as it saves), then
    each part is copied to ``target``, the streamed rows put at the end of their worksheets' data
    (after the header openpyxl wrote) and the used range widened to cover them."""
    saved = io.BytesIO()
    workbook.save(saved)
    rows_of = {table.worksheet.path.lstrip("/"): table for table in streamed if table.xml}
    with (
        zipfile.ZipFile(saved) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive,
    ):
        for info in source.infolist():
            data = source.read(info)
            table = rows_of.get(info.filename)
            if table is not None:
                data = _with_rows(data.decode("utf-8"), table).encode("utf-8")
            archive.writestr(info, data)


def _with_rows(sheet: str, table: StreamedTable) -> str:
    from openpyxl.utils import get_column_letter

    end = sheet.rfind("</sheetData>")
    if end < 0:
        raise ValueError(f"no sheet data in the saved {table.worksheet.title!r}")
    ws = table.worksheet
    used = (
        f"{get_column_letter(ws.min_column)}{ws.min_row}:"
        f"{get_column_letter(max(ws.max_column, table.last_column))}{table.last_row}"
    )
    head = _DIMENSION.sub(f'<dimension ref="{used}"', sheet[:end], count=1)
    return "".join([head, *_rows_with_heights(table), sheet[end:]])


def _rows_with_heights(table: StreamedTable) -> list[str]:
    """The table's rows, each holding wrapped text given the height it needs (as
    ``fit_row_heights`` does for cells), from the column widths set by now."""
    from openpyxl.utils import get_column_letter

    lines_of: dict[int, int] = {}
    widths: dict[int, float] = {}
    dimensions = table.worksheet.column_dimensions
    for index, column, text in table.wrapped_text:
        if column not in widths:
            widths[column] = dimensions[get_column_letter(column)].width or DEFAULT_COLUMN_WIDTH
        lines = wrapped_lines(text, widths[column])
        if lines > lines_of.get(index, 1):
            lines_of[index] = lines
    if not lines_of:
        return table.xml
    rows = list(table.xml)
    for index, lines in lines_of.items():
        row_number = table.header_row + 1 + index
        opening = f'<row r="{row_number}">'
        rows[index] = rows[index].replace(
            opening,
            f'<row r="{row_number}" ht="{lines * LINE_HEIGHT_POINTS:g}" customHeight="1">',
            1,
        )
    return rows
