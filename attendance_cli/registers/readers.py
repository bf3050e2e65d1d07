"""Reading register and roster files (CSV and XLSX) into batches of string columns.

CSV: UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252 (reported); comma, semicolon or
tab, detected from the header line. Large files stream through pyarrow's multi-threaded reader in
batches, so a 775 MiB long-format file never sits in memory whole.
XLSX: read with python-calamine (about 7x faster than openpyxl); every sheet whose first rows hold
a header naming a UPN column is a source (others are listed as skipped). Excel date cells become
ISO dates; whole numbers lose their ".0". Every cell arrives as ``str`` or ``None`` (blank).

Both: the header row is found below any title rows (the first of the first 30 rows naming a UPN
column), and a two-row header (a date row, often merged over two cells, above an AM/PM row) is
joined into one header per column (``Mon 22/09/2025 AM``).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import itertools
import re
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
    row_numbers: list[int] | None = None  # when rows are not consecutive (a CTF: the pupil)

    def numbers(self) -> np.ndarray:
        if self.row_numbers is not None:
            return np.asarray(self.row_numbers, dtype=np.int32)
        return np.arange(self.first_row, self.first_row + self.rows, dtype=np.int32)


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
    header_row: int = 1  # spreadsheet row number of the (last) header row
    data_start: int = 1  # rows before the first data row (title rows + header rows)
    footer_rows: int = 0  # rows of a different width skipped as footers (CSV)
    raw_columns: set[int] = field(default_factory=set)  # keep cell text unstripped (weekly grid)
    ctf_rows: list[list[str | None]] = field(default_factory=list, repr=False)
    ctf_row_numbers: list[int] | None = field(default=None, repr=False)  # pupil per row (CTF)
    _xlsx_rows: list[list[Any]] = field(default_factory=list, repr=False)

    @property
    def display(self) -> str:
        if self.kind == "ctf":
            return f"{self.path.name} (CTF {self.sheet})"
        return f"{self.path.name} (sheet {self.sheet!r})" if self.sheet else self.path.name

    def problem(
        self, message: str, hint: str = "", *, row: int | None = None, column: str | None = None
    ) -> Problem:
        return Problem(self.display, row, column, message, hint)


@dataclass
class OpenedFile:
    """A file's sources (one per sheet that holds a header; one for a CSV) and the sheets
    skipped, each with why."""

    sources: list[SourceFile]
    skipped_sheets: list[tuple[str, str]] = field(default_factory=list)


def open_source(path: Path) -> SourceFile:
    """The first source of a file (see ``open_sources``)."""
    return open_sources(path).sources[0]


def open_sources(
    path: Path, *, sheet: str | None = None, upn_headers: frozenset[str] = frozenset()
) -> OpenedFile:
    """Open a file and find its header row(s); errors name the file and say what to do.
    ``sheet`` chooses one sheet of a workbook; ``upn_headers`` are extra header texts
    (normalised) that name the UPN column (from ``--columns``)."""
    if not path.exists():
        raise InvalidInputError(f"No such file: {path}", hint="Check the path and try again.")
    if path.is_dir():
        raise InvalidInputError(f"{path} is a folder", hint="Pass the register files inside it.")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(64)
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
        return _open_xlsx(path, size, sheet, upn_headers)
    from attendance_cli.registers import ctf

    if ctf.looks_like_ctf(path, head):
        return OpenedFile(ctf.read_ctf(path, size))
    if sheet is not None:
        raise InvalidInputError(
            f"--sheet {sheet!r} was given but {path.name} is a CSV file, which has no sheets",
            file=path.name,
            hint="Drop --sheet for CSV files.",
        )
    return OpenedFile([_open_csv(path, size, upn_headers)])


# ------------------------------------------------------------------------------ header rows

HEADER_SEARCH_ROWS = 30
# ("A"/"P" are not taken: P is a register code, so a first data row could look like AM/PM)
_AM_PM = {"am": "AM", "pm": "PM", "morning": "AM", "afternoon": "PM"}
_FOOTER = re.compile(
    r"\b(?:totals?|sub-?totals?|count|summary|average|mean|key|legend|printed|generated|page"
    r"|percentage|number of|end of report)\b|%",
    re.IGNORECASE,
)
_UPN_LIKE = re.compile(r"[A-Za-z]\d{11}[0-9A-Za-z]")


def is_footer_text(text: str) -> bool:
    """Text of a footer or totals row ("Total", "Key: / present", "Printed 01/09/2025"): it
    names no UPN and carries a footer word."""
    return bool(_FOOTER.search(text)) and not _UPN_LIKE.search(text)


def _is_upn_header(text: str, upn_headers: frozenset[str]) -> bool:
    from attendance_cli.registers.headers import field_for, normalise_header

    return field_for(text) == "upn" or normalise_header(text) in upn_headers


def _is_am_pm(text: str) -> bool:
    return "".join(text.split()).lower().strip("()") in _AM_PM


def find_header(rows: list[list[str]], upn_headers: frozenset[str] = frozenset()) -> int | None:
    """Index of the header row among the first rows: the first naming a UPN column, else the
    first with two or more session columns, else the first non-empty row; None if all blank."""
    from attendance_cli.registers.headers import parse_session_header, parse_week_header

    first_non_empty = None
    first_sessions = None
    for index, texts in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if not any(texts):
            continue
        if first_non_empty is None:
            first_non_empty = index
        if any(_is_upn_header(t, upn_headers) for t in texts if t):
            return index
        if first_sessions is None:
            sessions = sum(
                1
                for t in texts
                if t and (parse_session_header(t) is not None or parse_week_header(t) is not None)
            )
            if sessions >= 2:
                first_sessions = index
    return first_sessions if first_sessions is not None else first_non_empty


def join_header(rows: list[list[str]], index: int) -> tuple[list[str], int, int]:
    """(header, index of its last row, index of the first data row) for the header at
    ``index``: a two-row header (dates over AM/PM) is joined into one text per column."""
    row = rows[index]
    below = rows[index + 1] if index + 1 < len(rows) else []
    above = rows[index - 1] if index > 0 else []
    if sum(1 for t in below if t and _is_am_pm(t)) >= 2 and any(row):
        upper, lower, last = row, below, index + 1
    elif sum(1 for t in row if t and _is_am_pm(t)) >= 2 and any(above):
        upper, lower, last = above, row, index
    else:
        return list(row), index, index + 1
    width = max(len(upper), len(lower))
    upper = list(upper) + [""] * (width - len(upper))
    lower = list(lower) + [""] * (width - len(lower))
    header: list[str] = []
    carried = ""
    for top, bottom in zip(upper, lower, strict=True):
        if bottom and _is_am_pm(bottom):
            carried = top or carried  # a merged date cell is written in its first column only
            header.append(
                f"{carried} {_AM_PM[''.join(bottom.split()).lower().strip('()')]}".strip()
            )
        else:
            carried = ""
            header.append(bottom or top)
    return header, last, last + 1


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
        _refuse_mixed_encodings(path)
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


def _refuse_mixed_encodings(path: Path) -> None:
    """A file that is not UTF-8 throughout is read as Windows-1252 — unless some of its rows are
    UTF-8 (non-ASCII text that decodes as UTF-8) and others are not: then reading it either way
    garbles names, so it is refused naming rows of each kind."""
    utf8_rows: list[int] = []
    other_rows: list[int] = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                other_rows.append(number)
            else:
                utf8_rows.append(number)
    if utf8_rows and other_rows:

        def shown(rows: list[int]) -> str:
            return ", ".join(map(str, rows[:5])) + (
                f" (and {len(rows) - 5} more)" if len(rows) > 5 else ""
            )

        raise InvalidInputError(
            f"{path.name} mixes text encodings: row(s) {shown(utf8_rows)} are UTF-8 but row(s) "
            f"{shown(other_rows)} are not (Windows-1252?), so names would be garbled either way",
            file=path.name,
            row=other_rows[0],
            hint="Open the file in Excel or the school's system and save it again as CSV UTF-8, "
            "or export it again.",
        )


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


def _open_csv(path: Path, size: int, upn_headers: frozenset[str] = frozenset()) -> SourceFile:
    encoding, note = _detect_encoding(path, size)
    with path.open(
        "r", encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline=""
    ) as handle:
        lines = list(itertools.islice(handle, HEADER_SEARCH_ROWS + 1))
    empty = InvalidInputError(
        f"{path.name} is empty (its first {len(lines)} line(s) are blank)",
        file=path.name,
        row=1,
        hint="The file must hold a header row (UPN, Date, Session, Mark ...) and data rows.",
    )
    if not any(line.strip() for line in lines):
        raise empty
    counts = {d: max(line.count(d) for line in lines) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    rows = [[cell.strip() for cell in row] for row in csv.reader(lines, delimiter=delimiter)]
    if len(rows) != len(lines):  # a quoted value spans lines in the first rows: no title rows
        rows = rows[:1]
    index = find_header(rows, upn_headers)
    if index is None:
        raise empty
    header, last, data_start = join_header(rows, index)
    return SourceFile(
        path,
        "csv",
        header,
        size,
        encoding,
        note,
        delimiter,
        header_row=last + 1,
        data_start=data_start,
    )


def _csv_batches(
    source: SourceFile, *, newlines_in_values: bool, progress: Callable[[int], None] | None
) -> Iterator[Batch]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(len(source.header))]
    bad_rows: list[int] = []
    source.footer_rows = 0

    def on_invalid(row: Any) -> str:
        if row.text is not None and (not row.text.strip(" ,;\t\r\n") or is_footer_text(row.text)):
            source.footer_rows += 1  # a short "Total ..." or key line below the register
        else:
            bad_rows.append(row.actual_columns)
        return "skip"

    read_options = pacsv.ReadOptions(
        column_names=names,
        skip_rows=source.data_start,
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
        row = source.data_start + 1
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
        for _ in range(source.data_start):
            next(reader, None)
        for row_number, row in enumerate(reader, start=source.data_start + 1):
            text = source.delimiter.join(row)
            if row and len(row) != expected and text.strip(" ,;\t") and not is_footer_text(text):
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
                # Only worksheets hold cells: other parts (the theme's fillToRect r="50000",
                # drawings, styles) use r= for other things.
                scan = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
                part_rows, part_columns = _read_part(archive, info, scan)
                if part_rows * max(part_columns, 1) > rows * max(columns, 1):
                    rows, columns = part_rows, part_columns
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


def _open_xlsx(
    path: Path, size: int, wanted: str | None, upn_headers: frozenset[str] = frozenset()
) -> OpenedFile:
    import python_calamine

    check_zip(path, size)
    opened = OpenedFile([])
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)
        if wanted is not None:
            if wanted not in names:
                raise InvalidInputError(
                    f"{path.name} has no sheet named {wanted!r} (its sheets: "
                    + ", ".join(repr(n) for n in names)
                    + ")",
                    file=path.name,
                    hint="Give --sheet one of the sheet names above, exactly as written.",
                )
            names = [wanted]
        for name in names:
            sheet = workbook.get_sheet_by_name(name)
            if sheet.height * max(sheet.width, 1) > MAX_XLSX_CELLS:
                raise InvalidInputError(
                    f"{path.name}, sheet {name!r} has {sheet.height} rows x {sheet.width} "
                    f"columns, over att's limit of {MAX_XLSX_CELLS:,} cells",
                    file=path.name,
                    hint="Split the register into smaller files, or export CSV.",
                )
            rows = sheet.to_python(skip_empty_area=False)
            texts = [[_cell_text(v) or "" for v in row] for row in rows[: HEADER_SEARCH_ROWS + 1]]
            index = find_header(texts, upn_headers)
            if index is None:
                opened.skipped_sheets.append((name, "it is empty"))
                continue
            header, last, data_start = join_header(texts, index)
            while header and not header[-1]:
                header.pop()
            opened.sources.append(
                SourceFile(
                    path,
                    "xlsx",
                    header,
                    size,
                    sheet=name,
                    header_row=last + 1,
                    data_start=data_start,
                    _xlsx_rows=rows,
                )
            )
    except InvalidInputError:
        raise
    except Exception as exc:  # calamine raises its own types for damaged/encrypted files
        raise InvalidInputError(
            f"{path.name} could not be read as a workbook ({type(exc).__name__})",
            file=path.name,
            hint="If it is password-protected, remove the password in Excel and save again.",
        ) from None
    if not opened.sources:
        raise InvalidInputError(
            f"{path.name} has no data in any sheet",
            file=path.name,
            hint="Check you exported the right report.",
        )
    return opened


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


def _raw_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value if value.strip() else None
    return _cell_text(value)


def _xlsx_batches(source: SourceFile) -> Iterator[Batch]:
    width = len(source.header)
    body = source._xlsx_rows[source.data_start :]
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for index in range(width):
        text = _raw_text if index in source.raw_columns else _cell_text
        columns[index] = [text(row[index]) if index < len(row) else None for row in body]
    yield Batch(source.data_start + 1, columns, len(body))


# ------------------------------------------------------------------------------------- public


def iter_batches(
    source: SourceFile,
    *,
    newlines_in_values: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Batch]:
    """Yield the file's data rows as batches of string columns (header excluded)."""
    if source.kind == "ctf":
        width = len(source.header)
        columns = [[row[i] for row in source.ctf_rows] for i in range(width)]
        yield Batch(1, columns, len(source.ctf_rows), source.ctf_row_numbers)
    elif source.kind == "xlsx":
        yield from _xlsx_batches(source)
    else:
        yield from _csv_batches(source, newlines_in_values=newlines_in_values, progress=progress)


def column_as_list(column: Any) -> list[str | None]:
    return column if isinstance(column, list) else column.to_pylist()
