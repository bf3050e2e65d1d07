"""Reading register and roster files (CSV and XLSX) into batches of string columns.

CSV: UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252 (reported); comma, semicolon or
tab, detected from the header line. Large files stream through pyarrow's multi-threaded reader in
batches, so a 775 MiB long-format file never sits in memory whole.
XLSX: read with python-calamine (about 7x faster than openpyxl); the first sheet whose header row
has a UPN column is used. Excel date cells become ISO dates; whole numbers lose their ".0".
Every cell arrives as ``str`` or ``None`` (blank).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from attendance_cli.errors import InvalidInputError, Problem

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
# Refuse workbooks that would expand beyond this in memory (zip bombs, absurd sheets).
MAX_XLSX_UNCOMPRESSED = 1024 * 1024 * 1024
MAX_XLSX_RATIO = 500  # real workbooks expand 5-60 times; deflate bombs about 1,000 times
MAX_XLSX_PARTS = 10_000  # files inside the zip; real workbooks have a few dozen
MAX_XLSX_CELLS = 30_000_000  # rows x columns of a sheet, checked before the reader allocates it
ZIP_CHUNK = 4 * 1024 * 1024
MAX_FIELD_CHARS = 10_000
BATCH_BYTES = 16 * 1024 * 1024


@dataclass
class Batch:
    first_row: int  # spreadsheet row number (1-based, header = row 1) of the batch's first row
    columns: list[Any]  # one pyarrow string array (or list[str | None]) per header column
    rows: int


@dataclass
class SourceFile:
    path: Path
    kind: str  # "csv" or "xlsx"
    header: list[str]
    size: int
    encoding: str | None = None
    encoding_note: str | None = None
    delimiter: str = ","
    sheet: str | None = None
    header_row: int = 1  # spreadsheet row number of the header
    _xlsx_rows: list[list[Any]] = field(default_factory=list, repr=False)

    @property
    def display(self) -> str:
        return f"{self.path.name} (sheet {self.sheet!r})" if self.sheet else self.path.name

    def problem(
        self, message: str, hint: str = "", *, row: int | None = None, column: str | None = None
    ) -> Problem:
        return Problem(self.display, row, column, message, hint)


def open_source(path: Path) -> SourceFile:
    """Open a file and read its header row; errors name the file and say what to do."""
    if not path.exists():
        raise InvalidInputError(f"No such file: {path}", hint="Check the path and try again.")
    if path.is_dir():
        raise InvalidInputError(f"{path} is a folder", hint="Pass the register files inside it.")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except PermissionError as exc:
        raise InvalidInputError(
            f"Permission denied reading {path}", hint="Check the file's permissions."
        ) from exc
    suffix = path.suffix.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE compound file: .xls, or an encrypted .xlsx
        raise InvalidInputError(
            f"{path.name} is an old Excel (.xls) or password-protected workbook, which att cannot read",
            file=path.name,
            hint="Open it in Excel, remove any password and save it as .xlsx or CSV.",
        )
    if head.startswith(b"PK\x03\x04") or suffix in XLSX_SUFFIXES:
        return _open_xlsx(path, size)
    return _open_csv(path, size)


# ---------------------------------------------------------------------------------------- CSV


def _detect_encoding(path: Path, size: int) -> tuple[str, str | None]:
    with path.open("rb") as handle:
        start = handle.read(4)
        handle.seek(0)
        if start.startswith(codecs.BOM_UTF8):
            _check_decodes(path, handle, "utf-8-sig", "UTF-8")
            return "utf-8", None
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            _check_decodes(path, handle, "utf-16", "UTF-16")
            return "utf-16", "read as UTF-16"
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(BATCH_BYTES):
                if b"\x00" in chunk:
                    raise InvalidInputError(
                        f"{path.name} is not a text CSV file (it contains binary data)",
                        file=path.name,
                        hint="Export the register as CSV or XLSX from the school's system.",
                    )
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8", None
        except UnicodeDecodeError:
            pass
        handle.seek(0)
        fallback = codecs.getincrementaldecoder("cp1252")()
        try:
            while chunk := handle.read(BATCH_BYTES):
                fallback.decode(chunk)
        except UnicodeDecodeError as exc:
            raise InvalidInputError(
                f"{path.name} is neither UTF-8 nor Windows-1252 text",
                file=path.name,
                hint="Save the file as CSV UTF-8 from Excel or the school's system.",
            ) from exc
    return "cp1252", "not UTF-8: read as Windows-1252"


def _check_decodes(path: Path, handle: Any, encoding: str, name: str) -> None:
    """A file that starts with a byte-order mark must be that encoding to the end."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := handle.read(BATCH_BYTES):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{path.name} starts as {name} text but is not {name} throughout (byte {exc.start} "
            "of a block cannot be read); it may be cut short or damaged",
            file=path.name,
            hint="Export the register again from the school's system.",
        ) from None


def _open_csv(path: Path, size: int) -> SourceFile:
    encoding, note = _detect_encoding(path, size)
    with path.open(
        "r", encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline=""
    ) as handle:
        first_line = handle.readline()
    if not first_line.strip():
        raise InvalidInputError(
            f"{path.name} is empty or its first line is blank",
            file=path.name,
            row=1,
            hint="The first line must hold the column headers (UPN, Date, Session, Mark ...).",
        )
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    header = next(csv.reader([first_line], delimiter=delimiter))
    header = [h.strip() for h in header]
    return SourceFile(path, "csv", header, size, encoding, note, delimiter)


def _csv_batches(
    source: SourceFile, *, newlines_in_values: bool, progress: Callable[[int], None] | None
) -> Iterator[Batch]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(len(source.header))]
    bad_rows: list[int] = []

    def on_invalid(row: Any) -> str:
        bad_rows.append(row.actual_columns)
        return "skip"

    read_options = pacsv.ReadOptions(
        column_names=names,
        skip_rows=1,
        encoding=source.encoding or "utf-8",
        block_size=BATCH_BYTES,
    )
    parse_options = pacsv.ParseOptions(
        delimiter=source.delimiter,
        newlines_in_values=newlines_in_values,
        invalid_row_handler=on_invalid,
    )
    convert_options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in names},
        strings_can_be_null=True,
        null_values=[""],
        quoted_strings_can_be_null=True,
    )
    try:
        reader = pacsv.open_csv(
            source.path,
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
        )
        row = 2
        for record_batch in reader:
            if bad_rows:
                break
            # Whitespace is normalised per distinct value later, not per cell here.
            columns = [record_batch.column(i) for i in range(len(names))]
            yield Batch(row, columns, record_batch.num_rows)
            row += record_batch.num_rows
            if progress:
                progress(record_batch.nbytes)
    except pa.ArrowInvalid as exc:
        raise InvalidInputError(
            f"{source.path.name} could not be read as CSV: {_safe_arrow_message(exc)}",
            file=source.path.name,
            hint="Check that the file is a CSV export with one header row.",
        ) from None
    if bad_rows:
        raise _column_count_error(source)


def _safe_arrow_message(exc: Exception) -> str:
    # pyarrow quotes the offending row; never echo register contents into messages.
    return str(exc).split(":")[0].strip()


def _column_count_error(source: SourceFile) -> InvalidInputError:
    """Locate rows whose column count differs from the header's (rare path: stdlib csv)."""
    problems: list[Problem] = []
    total = 0
    expected = len(source.header)
    with source.path.open(
        "r", encoding="utf-8-sig" if source.encoding == "utf-8" else source.encoding, newline=""
    ) as handle:
        reader = csv.reader(handle, delimiter=source.delimiter)
        next(reader, None)
        for row_number, row in enumerate(reader, start=2):
            if row and len(row) != expected:
                total += 1
                if len(problems) < 50:
                    problems.append(
                        source.problem(
                            f"has {len(row)} columns; the header has {expected}",
                            "Remove stray delimiters or quote values that contain them.",
                            row=row_number,
                        )
                    )
    return InvalidInputError(
        f"{source.path.name} has {total} row(s) with the wrong number of columns",
        problems=problems,
        total_problems=total,
        file=source.path.name,
    )


# --------------------------------------------------------------------------------------- XLSX


def check_zip(path: Path, size: int) -> None:
    """Refuse a workbook before the reader expands it: not a zip, too many parts, declared
    sizes over the limits (zip bombs), parts larger than they declare or failing their CRC
    (lying headers), or cells placed so far apart that the reader would allocate the whole
    rectangle between them (one cell at A1 and one at XFD1048576 is 17 billion cells: the
    reader aborts the process). Every part is read once, in chunks, through ``zipfile``, which
    never reads past a part's declared size."""
    damaged = InvalidInputError(
        f"{path.name} is not a valid Excel workbook (it is damaged or not really .xlsx)",
        file=path.name,
        hint="Open it in Excel and save it again as .xlsx, or export CSV instead.",
    )
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_declared_sizes(path, size, infos)
            if not any(info.filename.startswith("xl/") for info in infos):
                raise InvalidInputError(
                    f"{path.name} is a zip file but not an Excel workbook",
                    file=path.name,
                    hint="Pass the .xlsx or .csv register itself.",
                )
            rows = columns = 0
            for info in infos:
                scan = info.filename.startswith("xl/") and info.filename.endswith(".xml")
                scan = scan and "sharedStrings" not in info.filename
                part_rows, part_columns = _read_part(archive, info, scan)
                rows, columns = max(rows, part_rows), max(columns, part_columns)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        EOFError,
        zlib.error,
    ) as exc:
        raise damaged from exc
    except (OSError, RuntimeError, ValueError) as exc:  # encrypted parts, bad compression data
        raise damaged from exc
    if rows * max(columns, 1) > MAX_XLSX_CELLS:
        raise InvalidInputError(
            f"{path.name} has cells up to row {rows:,} and column {columns:,}, over att's limit "
            f"of {MAX_XLSX_CELLS:,} cells for a sheet",
            file=path.name,
            hint="Delete stray cells far below or to the right of the register (Ctrl+End in "
            "Excel shows the last cell), or export CSV.",
        )


def _check_declared_sizes(path: Path, size: int, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_XLSX_PARTS:
        raise InvalidInputError(
            f"{path.name} holds {len(infos):,} parts, over att's limit of {MAX_XLSX_PARTS:,} "
            "for a workbook",
            file=path.name,
            hint="Export the register again from the school's system, or export CSV.",
        )
    uncompressed = sum(info.file_size for info in infos)
    if uncompressed > MAX_XLSX_UNCOMPRESSED:
        raise InvalidInputError(
            f"{path.name} expands to {uncompressed // (1024 * 1024):,} MiB, over att's limit of "
            f"{MAX_XLSX_UNCOMPRESSED // (1024 * 1024):,} MiB for a workbook",
            file=path.name,
            hint="Split the register into smaller files (one per school or term), or export CSV.",
        )
    if uncompressed > max(size, 1) * MAX_XLSX_RATIO:
        raise InvalidInputError(
            f"{path.name} expands {uncompressed // max(size, 1):,} times its size, more than a "
            f"real workbook does (att's limit: {MAX_XLSX_RATIO:,} times): it looks like a zip bomb",
            file=path.name,
            hint="Export the register again from the school's system, or export CSV.",
        )


def _read_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, scan: bool) -> tuple[int, int]:
    """Read one part whole (zipfile checks its CRC and declared size); if ``scan``, return
    bounds on the rows and columns its cells can reach (see ``_reach``)."""
    rows = columns = 0
    refless_cells = refless_rows = 0
    carry = b""
    with archive.open(info) as handle:
        while True:
            chunk = handle.read(ZIP_CHUNK)
            if scan:
                data = carry + chunk
                cut = data.rfind(b">") + 1 if chunk else len(data)
                carry, data = data[cut:], data[:cut]
                reach = _reach(data)
                rows, columns = max(rows, reach[0]), max(columns, reach[1])
                refless_cells += reach[2]
                refless_rows += reach[3]
            if not chunk:
                break
    return max(rows, refless_rows), max(columns, refless_cells)


_WHITESPACE = np.zeros(256, dtype=bool)
_WHITESPACE[[0x20, 0x09, 0x0A, 0x0D]] = True
_TAG_END = _WHITESPACE.copy()
_TAG_END[[0x2F, 0x3E]] = True  # '/' and '>'
_DIGIT_VALUE = np.full(256, -1, dtype=np.int8)
_DIGIT_VALUE[0x30:0x3A] = np.arange(10)
_LETTER_VALUE = np.zeros(256, dtype=np.int8)
_LETTER_VALUE[0x41:0x5B] = np.arange(1, 27)


def _reach(data: bytes) -> tuple[int, int, int, int]:
    """In a piece of worksheet XML: the largest row and column named by a reference (``r="B12"``
    on a cell, ``r="12"`` on a row), and how many cell and row tags have no reference (each
    takes the next position). Vectorised: a 1,500-pupil year grid (27 MB of XML) takes ~0.1 s."""
    a = np.frombuffer(data, dtype=np.uint8)
    if len(a) < 8:
        return 0, 0, 0, 0
    # every ' r="' (whitespace before the attribute name)
    hits = np.flatnonzero(a[2:-1] == 0x3D) + 2  # '=' first: rarer than 'r'
    hits = hits[(a[hits - 1] == 0x72) & (a[hits + 1] == 0x22)]
    hits = hits[_WHITESPACE[a[hits - 2]]]
    start = hits + 2
    width = 13  # up to 3 letters and 9 digits, then the closing quote
    window = a[np.minimum(start[:, None] + np.arange(width), len(a) - 1)]
    letter = _LETTER_VALUE[window]
    n_letters = np.argmin(np.c_[letter > 0, np.zeros(len(hits), dtype=bool)], axis=1)
    columns_value = np.zeros(len(hits), dtype=np.int64)
    for k in range(3):
        columns_value = np.where(
            n_letters > k, columns_value * 26 + letter[:, k].astype(np.int64), columns_value
        )
    digit = _DIGIT_VALUE[window]
    number = np.zeros(len(hits), dtype=np.int64)
    running = np.ones(len(hits), dtype=bool)
    for k in range(width):
        current = digit[:, k]
        take = running & (n_letters <= k) & (current >= 0)
        running &= take | (n_letters > k)
        number = np.where(take, number * 10 + current.astype(np.int64), number)
    # more than 3 letters, or a number still running at the end: no cell Excel can hold
    oversized = (n_letters > 3) | running
    number = np.where(oversized, MAX_XLSX_CELLS + 1, number)
    columns_value = np.where(oversized, MAX_XLSX_CELLS + 1, columns_value)
    is_cell = n_letters > 0
    rows = int(number.max()) if len(number) else 0
    columns = int(columns_value[is_cell].max()) if is_cell.any() else 0
    # tags: '<c' and '<row' followed by whitespace, '/' or '>'
    opens = np.flatnonzero(a[:-4] == 0x3C)
    c_tags = opens[(a[opens + 1] == 0x63) & _TAG_END[a[opens + 2]]]
    row_tags = opens[
        (a[opens + 1] == 0x72) & (a[opens + 2] == 0x6F) & (a[opens + 3] == 0x77)
        & _TAG_END[a[opens + 4]]
    ]  # fmt: skip
    refless_cells = max(0, len(c_tags) - int(is_cell.sum()))
    refless_rows = max(0, len(row_tags) - int((~is_cell).sum()))
    return rows, columns, refless_cells, refless_rows


def _open_xlsx(path: Path, size: int) -> SourceFile:
    import python_calamine

    check_zip(path, size)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        chosen: tuple[str, list[list[Any]], int] | None = None
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            if sheet.height * max(sheet.width, 1) > MAX_XLSX_CELLS:
                raise InvalidInputError(
                    f"{path.name}, sheet {name!r} has {sheet.height} rows x {sheet.width} "
                    f"columns, over att's limit of {MAX_XLSX_CELLS:,} cells",
                    file=path.name,
                    hint="Split the register into smaller files, or export CSV.",
                )
            rows = sheet.to_python(skip_empty_area=False)
            header_index = _header_row(rows)
            if header_index is None:
                continue
            header = [_cell_text(v) or "" for v in rows[header_index]]
            if chosen is None or _looks_like_header(header):
                chosen = (name, rows, header_index)
                if _looks_like_header(header):
                    break
    except InvalidInputError:
        raise
    except Exception as exc:  # calamine raises its own types for damaged/encrypted files
        raise InvalidInputError(
            f"{path.name} could not be read as a workbook ({type(exc).__name__})",
            file=path.name,
            hint="If it is password-protected, remove the password in Excel and save again.",
        ) from None
    if chosen is None:
        raise InvalidInputError(
            f"{path.name} has no data in any sheet",
            file=path.name,
            hint="Check you exported the right report.",
        )
    sheet_name, rows, header_index = chosen
    header = [_cell_text(v) or "" for v in rows[header_index]]
    while header and not header[-1]:
        header.pop()
    return SourceFile(
        path, "xlsx", header, size, sheet=sheet_name, header_row=header_index + 1, _xlsx_rows=rows
    )


def _header_row(rows: list[list[Any]]) -> int | None:
    """Index of the header row: the first of the first 10 rows naming a UPN column, else the
    first non-empty row (title lines above the header are common in MIS exports)."""
    first_non_empty = None
    for index, row in enumerate(rows[:10]):
        texts = [_cell_text(v) or "" for v in row]
        if not any(texts):
            continue
        if first_non_empty is None:
            first_non_empty = index
        if _looks_like_header(texts):
            return index
    return first_non_empty


def _looks_like_header(header: list[str]) -> bool:
    from attendance_cli.registers.headers import field_for

    return any(field_for(h) == "upn" for h in header)


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip() or None


def _xlsx_batches(source: SourceFile) -> Iterator[Batch]:
    width = len(source.header)
    body = source._xlsx_rows[source.header_row :]
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for row in body:
        for index in range(width):
            columns[index].append(_cell_text(row[index]) if index < len(row) else None)
    yield Batch(source.header_row + 1, columns, len(body))


# ------------------------------------------------------------------------------------- public


def iter_batches(
    source: SourceFile,
    *,
    newlines_in_values: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Batch]:
    """Yield the file's data rows as batches of string columns (header excluded)."""
    if source.kind == "xlsx":
        yield from _xlsx_batches(source)
    else:
        yield from _csv_batches(source, newlines_in_values=newlines_in_values, progress=progress)


def column_as_list(column: Any) -> list[str | None]:
    return column if isinstance(column, list) else column.to_pylist()
