"""Generated hostile input for every reader and layout, 10,000+ files per run.

CSV (marks, grid, roster; any encoding, delimiter, line ending; truncated; random bytes) and XLSX
(marks, grid, roster; truncated; random bytes after a zip signature), with formula-like values,
huge fields, wrong column counts, dates out of range. For each file ``import_registers`` (called
directly: a subprocess per file would take hours) must never raise, and must either import it
correctly or reject it whole with located problems (file, and row/column where there is one),
writing nothing. Imported marks files are checked cell by cell against the database. Contact
details never appear in a problem message.

Scale with ATT_FUZZ_SCALE (e.g. 0.1 for a quick run, 10 for a long one); the count of files tried
is recorded in the reliability figures.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import sqlite3
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attendance_cli import marks
from attendance_cli.codes import lookup, normalise_code
from attendance_cli.registers.importer import import_registers
from attendance_cli.registers.values import parse_date, parse_session
from tests.helpers import SCHOOL, UPN1, UPN2, UPN3, counts

SCALE = float(os.environ.get("ATT_FUZZ_SCALE", "1"))
# The generated files exercise the readers and validation, the same code on both engines; run
# on PostgreSQL too they doubled the suite's longest tests (~250 s more on 2 cores). What an
# accepted file writes is checked on both engines by tests/registers and the concurrency tests.
pytestmark = pytest.mark.sqlite_only
settings.register_profile(
    "att-fuzz",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,  # every run explores afresh; failures print their reproduction
)


def quota(examples: int) -> Any:
    return settings(settings.get_profile("att-fuzz"), max_examples=max(1, int(examples * SCALE)))


CANARY = "CANARYADDRESS"

# -------------------------------------------------------------------------------- values

formula = st.sampled_from(
    ["=1+1", "+44 7700 900000", "-5", "@SUM(A1:A9)", "\t=cmd", "\r=2", '=HYPERLINK("http://x")']
)
huge = st.integers(10_001, 30_000).map(lambda n: "Z" * n)
odd_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=10)
bad_dates = st.sampled_from(
    [
        "1899-12-31", "0001-01-01", "9999-12-31", "2101-01-01", "31/12/1989", "29/02/2025",
        "2025-13-01", "00/00/0000", "2025-09-06", "45903", "3.9.25", "2025/09/03", "",
    ]
)  # fmt: skip
good_dates = st.sampled_from(["2025-09-03", "03/09/2025", "2025-09-04", "04/09/2025", "2024-07-15"])
dates = st.one_of(good_dates, good_dates, bad_dates, formula, odd_text)
upns = st.one_of(
    st.sampled_from([UPN1, UPN2, UPN3, f" {UPN1.lower()} "]),
    st.sampled_from(["A801200005001", "", "X" * 13, UPN1[:-1]]),
    formula,
    odd_text,
)
sessions = st.one_of(st.sampled_from(["AM", "PM", "am", "p.m.", "1", "2", "", "XX"]), odd_text)
codes = st.one_of(
    st.sampled_from(["/", "\\", "N", "c1", " i ", "L", "-", "", "B", "X", "QQ", "#", "Y4"]),
    formula,
    odd_text,
)
cells = st.one_of(codes, odd_text, formula, huge, st.just(""))

MARKS_HEADER = ["UPN", "Date", "Session", "Mark"]
ROSTER_HEADER = [
    "UPN", "Surname", "Forename", "DOB", "Gender", "Year", "LAESTAB", "School Name",
    "Entry Date", "Leaving Date", "FSM", "SEN", "Social Worker", "Looked After",
    "Parent 1 Name", "Parent 1 Phone", "Parent 1 Email", "Parent 1 Address",
]  # fmt: skip
GRID_HEADERS = st.sampled_from(
    ["2025-09-03 AM", "2025-09-03 PM", "Thu 04/09/2025 AM", "06/09/2025 AM", "31/02/2025 PM"]
)

marks_rows = st.lists(st.tuples(upns, dates, sessions, codes).map(list), max_size=12)


@st.composite
def roster_rows(draw: Any) -> list[list[str]]:
    rows = []
    for number in range(draw(st.integers(0, 6))):
        row = [
            draw(upns), draw(st.one_of(st.just("Smith"), formula, odd_text)), "Ann",
            draw(st.one_of(st.just("2012-05-01"), bad_dates)),
            draw(st.sampled_from(["F", "M", "X", ""])), draw(st.sampled_from(["7", "R", "14", ""])),
            draw(st.sampled_from([SCHOOL, "899 2001", "12", ""])), "Castle Hill",
            draw(st.one_of(st.just("2025-09-01"), bad_dates)), draw(st.sampled_from(["", "2025-12-19"])),
            draw(st.sampled_from(["Y", "N", "?"])), draw(st.sampled_from(["N", "K", "E", "Z"])),
            draw(st.sampled_from(["", "CIN", "CP", "??"])), draw(st.sampled_from(["Y", "N", ""])),
            "Pat Smith", f"07700 90{number:04d}", f"pat{number}@example.com", f"{CANARY} {number}",
        ]  # fmt: skip
        rows.append(row)
    return rows


@st.composite
def grid_table(draw: Any) -> list[list[str]]:
    headers = draw(st.lists(st.one_of(GRID_HEADERS, odd_text), min_size=1, max_size=5))
    body = draw(st.lists(st.lists(cells, min_size=len(headers), max_size=len(headers)), max_size=6))
    return [["UPN", *headers], *[[draw(upns), *row] for row in body]]


@st.composite
def mangled(draw: Any, table: list[list[str]]) -> list[list[str]]:
    """Wrong column counts and header damage, sometimes."""
    if not table:
        return table
    choice = draw(st.integers(0, 5))
    table = [list(row) for row in table]
    if choice == 1 and len(table) > 1:  # a row with a column too many or too few
        index = draw(st.integers(1, len(table) - 1))
        table[index] = table[index] + ["extra"] if draw(st.booleans()) else table[index][:-1]
    elif choice == 2:  # a header renamed to something formula-like or empty
        table[0][draw(st.integers(0, len(table[0]) - 1))] = draw(st.one_of(formula, st.just("")))
    elif choice == 3:  # a duplicated header
        table[0] = table[0] + [table[0][0]]
        table[1:] = [row + [row[0] if row else ""] for row in table[1:]]
    return table


# ----------------------------------------------------------------------------- writers

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "shift_jis"]


def csv_bytes(table: list[list[str]], delimiter: str, newline: str, encoding: str) -> bytes:
    def field(value: str) -> str:
        if any(ch in value for ch in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    text = newline.join(delimiter.join(field(v) for v in row) for row in table) + newline
    return text.encode(encoding, errors="replace")


def xlsx_bytes(table: list[list[Any]], path: Path) -> None:
    """A minimal but valid workbook (inline strings, numbers), written directly: openpyxl would
    take ~10 ms a file, this ~0.3 ms."""
    rows = []
    for r, row in enumerate(table, start=1):
        cells_xml = []
        for c, value in enumerate(row):
            ref = _column(c) + str(r)
            if isinstance(value, int | float):
                cells_xml.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                text = escape("".join(ch for ch in str(value) if _xml_ok(ch)))
                cells_xml.append(
                    f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
                )
        rows.append(f'<row r="{r}">{"".join(cells_xml)}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        f'.org/spreadsheetml/2006/main"><sheetData>{"".join(rows)}</sheetData></worksheet>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in XLSX_PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _xml_ok(ch: str) -> bool:
    code = ord(ch)
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or code > 0xFFFF
    )


_PKG = "http://schemas.openxmlformats.org/package/2006"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XLSX_PARTS = {
    "[Content_Types].xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_PKG}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        f'org/spreadsheetml/2006/main" xmlns:r="{_DOC}"><sheets><sheet name="Register" '
        'sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}

# ------------------------------------------------------------------------------- checks

TRIED: dict[str, int] = {}
CONTENT_CHECKED: dict[str, int] = {}  # imported files whose stored marks were compared


def _stored(conn: sqlite3.Connection) -> dict[tuple[str, int], str]:
    """Every enrolment's stored marks: (UPN, academic year) -> the year's mark string."""
    return {
        (upn, year): text
        for upn, year, text in conn.connection.execute(
            "SELECT p.upn, m.academic_year, m.marks FROM mark_year m "
            "JOIN enrolment e ON e.id = m.enrolment_id JOIN pupil p ON p.id = e.pupil_id"
        )
    }


def _check(conn: sqlite3.Connection, path: Path, kind: str, table: list[list[str]] | None) -> None:
    TRIED[kind] = TRIED.get(kind, 0) + 1
    before = counts(conn)
    stored_before = _stored(conn)
    result = import_registers(conn, paths=[path], school=SCHOOL)
    (summary,) = result.files
    assert summary.status in {"imported", "rejected"}
    if summary.status == "rejected":
        assert summary.problems and summary.problems_total >= len(summary.problems) > 0
        for problem in summary.problems:
            assert problem.message and problem.file.startswith(path.name)
            assert problem.row is None or problem.row >= 1
            assert CANARY not in problem.message and CANARY not in (problem.hint or "")
        assert counts(conn) == before, "a rejected file wrote something"
        return
    assert counts(conn)["import_log"] == before["import_log"] + 1
    if table is not None and summary.layout in ("marks", "grid"):
        expected = (_file_marks if summary.layout == "marks" else _grid_marks)(table)
        if expected is not None:
            _exactly_the_file_changed(stored_before, _stored(conn), expected)
            CONTENT_CHECKED[summary.layout] = CONTENT_CHECKED.get(summary.layout, 0) + 1


# the grid headers the strategies write that are school sessions, read by hand: (date, 0 AM or
# 1 PM); a file with any other header (a Saturday, 31 February, odd text) is not checked
GRID_SESSIONS = {
    "2025-09-03 AM": (dt.date(2025, 9, 3), 0),
    "2025-09-03 PM": (dt.date(2025, 9, 3), 1),
    "Thu 04/09/2025 AM": (dt.date(2025, 9, 4), 0),
}


def _position(upn: str, date: dt.date, session: int) -> tuple[tuple[str, int], int]:
    return (upn, marks.academic_year(date)), marks.position(date, session)


def _statutory(written: str, date: dt.date) -> Any:
    """The code a register cell stands for, read by hand: a code of the date's set, or a
    management-system sub-code, one statutory letter and two or three digits (``I01`` is ``I``;
    issue 10)."""
    found = lookup(written, date)
    if found is None and 3 <= len(written) <= 4 and written[0].isalpha() and written[1:].isdigit():
        found = lookup(written[0], date)
    return found


def _file_marks(table: list[list[str]]) -> dict[tuple[tuple[str, int], int], str] | None:
    """What an imported marks file must have stored: (enrolment, position) -> stored code."""
    header = [h.strip().upper() for h in table[0]]
    if header[:4] != ["UPN", "DATE", "SESSION", "MARK"] or len(header) != 4:
        return None  # a mangled header that still imported: columns are matched by name
    expected = {}
    for row in table[1:]:
        if len(row) < 4 or not normalise_code(row[3]):
            continue
        date, _ = parse_date(row[1].strip())
        session = parse_session(row[2].strip())
        code = _statutory(normalise_code(row[3]), date) if date else None
        if date is None or session is None or code is None:
            # not a mark: in a file that imported, a totals or key row the importer skipped
            # (a bad value anywhere else rejects the file); that it stored nothing from it is
            # proved by the check that no other mark changed
            continue
        expected[_position("".join(row[0].split()).upper(), date, session)] = code.stored
    return expected


def _grid_marks(table: list[list[str]]) -> dict[tuple[tuple[str, int], int], str] | None:
    headers = [h.strip() for h in table[0][1:]]
    if table[0][0].strip().upper() != "UPN" or not all(h in GRID_SESSIONS for h in headers):
        return None
    expected = {}
    for row in table[1:]:
        for header, value in zip(headers, row[1:], strict=False):
            if not normalise_code(value):
                continue
            date, session = GRID_SESSIONS[header]
            code = _statutory(normalise_code(value), date)
            if code is None:
                continue  # a totals row's count: skipped, and proved to store nothing (above)
            expected[_position("".join(row[0].split()).upper(), date, session)] = code.stored
    return expected


def _exactly_the_file_changed(
    before: dict[tuple[str, int], str],
    after: dict[tuple[str, int], str],
    expected: dict[tuple[tuple[str, int], int], str],
) -> None:
    """The file's marks are stored where they belong, and nothing else changed (the database
    is shared by the examples, so a mark left by an earlier one proves nothing)."""
    for (enrolment, position), code in expected.items():
        assert after[enrolment][position] == code, (enrolment, position)
    for enrolment, text in after.items():
        old = before.get(enrolment, marks.EMPTY_YEAR)
        for position, (was, now) in enumerate(zip(old, text, strict=False)):
            if was != now:
                assert (enrolment, position) in expected, (enrolment, position, was, now)


def _record(figures: Any, kind: str) -> None:
    figures(f"fuzz: generated files imported or rejected ({kind})", TRIED.pop(kind, 0))


# --------------------------------------------------------------------------------- tests


@quota(3000)
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".txt"]))
def test_random_bytes_as_csv(
    conn: sqlite3.Connection, tmp_path: Path, data: bytes, suffix: str
) -> None:
    path = tmp_path / f"register{suffix}"
    path.write_bytes(data)
    _check(conn, path, "csv bytes", None)


@quota(2400)
@given(
    table=marks_rows.map(lambda rows: [MARKS_HEADER, *rows]).flatmap(mangled),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    encoding=st.sampled_from(ENCODINGS),
    cut=st.one_of(st.none(), st.integers(0, 400)),
)
def test_marks_csv(conn, tmp_path, table, delimiter, newline, encoding, cut) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes(table, delimiter, newline, encoding)
    path = tmp_path / "marks.csv"
    path.write_bytes(data if cut is None else data[:cut])
    clean = cut is None and delimiter == "," and encoding in ("utf-8", "utf-8-sig")
    _check(conn, path, "marks csv", table if clean else None)


@quota(1400)
@given(
    table=grid_table().flatmap(mangled),
    delimiter=st.sampled_from([",", ";"]),
    encoding=st.sampled_from(ENCODINGS),
    cut=st.one_of(st.none(), st.integers(0, 300)),
)
def test_grid_csv(conn, tmp_path, table, delimiter, encoding, cut) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes(table, delimiter, "\r\n", encoding)
    path = tmp_path / "grid.csv"
    path.write_bytes(data if cut is None else data[:cut])
    clean = cut is None and delimiter == "," and encoding in ("utf-8", "utf-8-sig")
    _check(conn, path, "grid csv", table if clean else None)


@quota(1000)
@given(
    table=roster_rows().map(lambda rows: [ROSTER_HEADER, *rows]).flatmap(mangled),
    encoding=st.sampled_from(ENCODINGS),
    cut=st.one_of(st.none(), st.integers(0, 600)),
)
def test_roster_csv(conn, tmp_path, table, encoding, cut) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes(table, ",", "\n", encoding)
    path = tmp_path / "roster.csv"
    path.write_bytes(data if cut is None else data[:cut])
    _check(conn, path, "roster csv", None)


@quota(1700)
@given(
    table=st.one_of(
        marks_rows.map(lambda rows: [MARKS_HEADER, *rows]),
        grid_table(),
        roster_rows().map(lambda rows: [ROSTER_HEADER, *rows]),
    ).flatmap(mangled),
    numbers=st.booleans(),
    title=st.booleans(),
)
def test_xlsx_layouts(conn, tmp_path, table, numbers, title) -> None:  # type: ignore[no-untyped-def]
    if numbers:  # some cells as numbers, as Excel stores them
        table = [
            [int(v) if v.isascii() and v.isdigit() and len(v) < 10 else v for v in row]
            for row in table
        ]
    if title:  # a title line above the header, as MIS exports have
        table = [["Attendance export"], *table]
    path = tmp_path / "register.xlsx"
    xlsx_bytes(table, path)
    _check(conn, path, "xlsx", None if numbers or title else table)


@quota(600)
@given(
    table=marks_rows.map(lambda rows: [MARKS_HEADER, *rows]),
    cut=st.floats(0, 1),
    noise=st.binary(max_size=64),
)
def test_truncated_and_random_xlsx(conn, tmp_path, table, cut, noise) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "damaged.xlsx"
    xlsx_bytes(table, path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * cut)] + noise)
    _check(conn, path, "damaged xlsx", None)


def test_count_of_generated_inputs(figures) -> None:  # type: ignore[no-untyped-def]
    """Records how many generated files the tests above tried (they run first, in file order)."""
    total = sum(TRIED.values())
    for kind in list(TRIED):
        _record(figures, kind)
    figures("fuzz: generated files in total", total)
    for layout, checked in CONTENT_CHECKED.items():
        figures(f"fuzz: imported {layout} files checked mark by mark", checked)
    if SCALE >= 1 and total:  # the whole file ran at full scale: the issue asks for 10,000
        assert total >= 10_000, f"only {total} generated inputs"


assert codecs.lookup("shift_jis")  # the encodings above all exist on this Python
assert dt.date(2025, 9, 3).weekday() == 2  # the "good" dates are school days
