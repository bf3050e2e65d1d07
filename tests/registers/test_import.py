"""import_registers against real files in every supported layout and format."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from attendance_cli import marks
from attendance_cli.registers.importer import import_registers
from attendance_cli.store import imports as store
from tests.helpers import SCHOOL, UPN1, UPN2, UPN3, counts, stored_year, write_csv, write_xlsx

MARKS_HEADER = ["UPN", "Surname", "Forename", "Year", "Date", "Session", "Mark"]


def _at(upn_marks: str, date: dt.date, session: int) -> str:
    return upn_marks[marks.position(date, session)]


def _import(conn: sqlite3.Connection, *paths: Path, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("school", SCHOOL)
    return import_registers(conn, paths=list(paths), **kwargs)


# ------------------------------------------------------------------------------ each layout


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_marks_layout(conn: sqlite3.Connection, tmp_path: Path, fmt: str) -> None:
    rows = [
        MARKS_HEADER,
        [UPN1, "Smith", "Ann", "7", "03/09/2025", "AM", "/"],
        [UPN1, "Smith", "Ann", "7", "03/09/2025", "PM", "\\"],
        [UPN1, "Smith", "Ann", "7", "2025-09-04", "am", "c1"],
        [UPN1, "Smith", "Ann", "7", "2025-09-04", "pm", " n "],
        [UPN2, "Jones", "Bo", "8", "03/09/2025", "AM", "-"],
    ]
    path = (
        write_csv(tmp_path / "m.csv", rows)
        if fmt == "csv"
        else write_xlsx(tmp_path / "m.xlsx", rows)
    )
    result = _import(conn, path)
    summary = result.files[0]
    assert (summary.status, summary.layout) == ("imported", "marks")
    assert (summary.rows, summary.marks_added, summary.missing_marks) == (5, 5, 1)
    assert (summary.date_from, summary.date_to) == (dt.date(2025, 9, 3), dt.date(2025, 9, 4))
    text = stored_year(conn, UPN1)
    assert _at(text, dt.date(2025, 9, 3), 0) == "/"
    assert _at(text, dt.date(2025, 9, 3), 1) == "\\"
    assert _at(text, dt.date(2025, 9, 4), 0) == "a"  # C1 is stored as 'a'
    assert _at(text, dt.date(2025, 9, 4), 1) == "N"
    assert _at(stored_year(conn, UPN2), dt.date(2025, 9, 3), 0) == "-"
    pupil = conn.connection.execute(
        "SELECT surname, forename FROM pupil WHERE upn = ?", (UPN1,)
    ).fetchone()
    assert pupil == ("Smith", "Ann")
    assert conn.connection.execute("SELECT year_group FROM enrolment").fetchall() == [
        ("7",),
        ("8",),
    ]


def test_marks_layout_with_excel_date_cells(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "m.xlsx",
        [["UPN", "Date", "AM/PM", "Attendance Code"], [UPN1, dt.datetime(2025, 9, 5), "PM", "I"]],
    )
    assert _import(conn, path).files[0].status == "imported"
    assert _at(stored_year(conn, UPN1), dt.date(2025, 9, 5), 1) == "I"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_grid_layout(conn: sqlite3.Connection, tmp_path: Path, fmt: str) -> None:
    rows = [
        [
            "Pupil UPN",
            "Legal Surname",
            "Legal Forename",
            "Year Group",
            "Wed 03/09/2025 AM",
            "Wed 03/09/2025 PM",
            "2025-09-04 AM",
        ],
        [UPN1, "Smith", "Ann", "7", "/", "\\", "I"],
        [UPN2, "Jones", "Bo", "7", None, None, "L"],  # joined on 4 Sep: blank = not on roll
    ]
    path = (
        write_csv(tmp_path / "g.csv", rows)
        if fmt == "csv"
        else write_xlsx(tmp_path / "g.xlsx", rows)
    )
    summary = _import(conn, path).files[0]
    assert (summary.status, summary.layout, summary.marks_added) == ("imported", "grid", 4)
    assert _at(stored_year(conn, UPN1), dt.date(2025, 9, 4), 0) == "I"
    text2 = stored_year(conn, UPN2)
    assert _at(text2, dt.date(2025, 9, 3), 0) == "." and _at(text2, dt.date(2025, 9, 4), 0) == "L"


def test_roster_layout(conn: sqlite3.Connection, tmp_path: Path) -> None:
    header = [
        "UPN",
        "Surname",
        "Forename",
        "DOB",
        "Gender",
        "Year",
        "LAESTAB",
        "School Name",
        "Entry Date",
        "Leaving Date",
        "FSM",
        "SEN",
        "Social Worker",
        "Looked After",
        "Parent 1 Name",
        "Parent 1 Relationship",
        "Parent 1 Address",
        "Parent 1 Phone",
        "Parent 1 Parental Responsibility",
        "Parent 2 Name",
        "Parent 2 Phone",
    ]
    rows = [
        header,
        [
            UPN1,
            "Smith",
            "Ann",
            "01/02/2014",
            "F",
            "6",
            "8992001",
            "Riverside Primary",
            "2019-09-04",
            "",
            "Y",
            "K",
            "CIN",
            "N",
            "Jo Smith",
            "Mother",
            "1 High St\nTown",
            "07700 900001",
            "Y",
            "Sam Smith",
            "07700 900002",
        ],
        [
            UPN1,
            "Smith",
            "Ann",
            "01/02/2014",
            "F",
            "6",
            "8992002",
            "St Anne's",
            "2025-10-01",
            "",
            "Y",
            "K",
            "CIN",
            "N",
            "Jo Smith",
            "Mother",
            "1 High St\nTown",
            "07700 900001",
            "Y",
            "",
            "",
        ],
    ]
    path = write_csv(tmp_path / "roster.csv", rows)
    summary = import_registers(conn, paths=[path]).files[0]
    assert summary.status == "imported", summary.problems
    assert (
        summary.layout,
        summary.pupils_added,
        summary.enrolments_added,
        summary.schools_added,
    ) == ("roster", 1, 2, 2)
    pupil = conn.connection.execute(
        "SELECT date_of_birth, gender, fsm, sen, social_worker, looked_after FROM pupil"
    ).fetchone()
    assert pupil == ("2014-02-01", "F", 1, "K", "CIN", 0)
    assert conn.connection.execute("SELECT name FROM school ORDER BY laestab").fetchall() == [
        ("Riverside Primary",),
        ("St Anne's",),
    ]
    contacts = conn.connection.execute(
        "SELECT priority, name, address, parental_responsibility FROM contact ORDER BY priority"
    ).fetchall()
    # one person per parent across both rows (the mover has a row per school)
    assert contacts == [(1, "Jo Smith", "1 High St\nTown", 1), (2, "Sam Smith", None, None)]
    again = import_registers(conn, paths=[path]).files[0]
    assert (
        again.pupils_added,
        again.pupils_updated,
        again.enrolments_added,
        again.contacts_written,
    ) == (0, 0, 0, 0)


def test_rosters_are_loaded_before_marks(conn: sqlite3.Connection, tmp_path: Path) -> None:
    marks_file = write_csv(
        tmp_path / "a.csv",
        [["UPN", "Date", "Session", "Mark", "LAESTAB"], [UPN1, "2025-09-03", "AM", "/", "8992001"]],
    )
    roster = write_csv(
        tmp_path / "z.csv",
        [
            ["UPN", "Surname", "DOB", "LAESTAB", "School Name"],
            [UPN1, "Smith", "2014-01-01", "8992001", "Riverside"],
        ],
    )
    result = import_registers(conn, paths=[marks_file, roster])
    assert [f.layout for f in result.files] == ["roster", "marks"]
    assert conn.connection.execute("SELECT name FROM school").fetchall() == [("Riverside",)]


def test_a_file_without_a_school_is_given_the_school_with_most_of_its_pupils_on_roll(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    """School inference from the rosters (``store.imports.pupils_on_roll``: one array query on
    PostgreSQL, IN lists on SQLite). Rosters: UPN1 and UPN2 at 8992001, UPN2 (a mover) and UPN3
    at 8992002. Hand-counted: {UPN1, UPN2} -> 8992001 has 2, 8992002 has 1."""
    roster = write_csv(
        tmp_path / "roster.csv",
        [
            ["UPN", "Surname", "DOB", "LAESTAB", "School Name"],
            [UPN1, "Smith", "2014-01-01", "8992001", "Riverside"],
            [UPN2, "Jones", "2014-02-01", "8992001", "Riverside"],
            [UPN2, "Jones", "2014-02-01", "8992002", "Castle Hill"],
            [UPN3, "Brown", "2014-03-01", "8992002", "Castle Hill"],
        ],
    )
    loaded = import_registers(conn, paths=[roster]).files[0]
    assert loaded.status == "imported", loaded.problems
    assert store.pupils_on_roll(conn, [UPN1, UPN2]) == {"8992001": 2, "8992002": 1}
    assert store.pupils_on_roll(conn, [UPN3]) == {"8992002": 1}
    assert store.pupils_on_roll(conn, []) == {}
    header = ["UPN", "Date", "Session", "Mark"]
    ours = write_csv(
        tmp_path / "ours.csv",
        [header, [UPN1, "2025-09-03", "AM", "/"], [UPN2, "2025-09-03", "AM", "/"]],
    )
    result = import_registers(conn, paths=[ours])
    assert result.ok
    assert "school 8992001 taken from the roster (2 of 2 pupils on its roll)" in " ".join(
        result.files[0].notes
    )
    tied = write_csv(
        tmp_path / "tied.csv",
        [header, [UPN1, "2025-09-04", "AM", "/"], [UPN3, "2025-09-04", "AM", "/"]],
    )
    refused = import_registers(conn, paths=[tied])
    assert not refused.ok
    said = " ".join(p.message for f in refused.files for p in f.problems)
    assert "do not settle it" in said
    assert "8992001 (1 of 2 pupils)" in said and "8992002 (1 of 2 pupils)" in said


# ------------------------------------------------------------------------- reading variants


@pytest.mark.parametrize(
    "delimiter,encoding,bom",
    [
        pytest.param(",", "utf-8", False, id="utf8-comma"),
        pytest.param(";", "utf-8", True, id="utf8-bom-semicolon"),
        pytest.param("\t", "cp1252", False, id="windows-1252-tab"),
        pytest.param(",", "utf-16", False, id="utf16-bom"),
    ],
)
def test_encodings_and_delimiters(
    conn: sqlite3.Connection, tmp_path: Path, delimiter: str, encoding: str, bom: bool
) -> None:
    path = tmp_path / "m.csv"
    text = delimiter.join(["UPN", "Surname", "Date", "Session", "Mark"]) + "\r\n"
    text += delimiter.join([UPN1, "Zoë O’Brien", "03/09/2025", "AM", "/"]) + "\r\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    summary = _import(conn, path).files[0]
    assert summary.status == "imported", summary.problems
    assert conn.connection.execute("SELECT surname FROM pupil").fetchone() == ("Zoë O’Brien",)
    assert any("Windows-1252" in n for n in summary.notes) is (encoding == "cp1252")


def test_title_rows_above_an_xlsx_header_are_skipped(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "g.xlsx",
        [["Attendance export"], [], ["UPN", "2025-09-03 AM"], [UPN1, "/"], [UPN2, "Q"]],
    )
    summary = _import(conn, path).files[0]
    assert summary.status == "imported" and summary.marks_added == 2


# ------------------------------------------------------------------------------ validation


def _problems(conn: sqlite3.Connection, path: Path) -> list[tuple[int | None, str | None, str]]:
    summary = _import(conn, path).files[0]
    assert summary.status == "rejected"
    return [(p.row, p.column, p.message) for p in summary.problems]


@pytest.mark.parametrize(
    "row,column,fragment",
    [
        pytest.param(
            [UPN1, "2025-09-03", "AM", "QQ"],
            "Mark",
            "'QQ' is not a DfE attendance code",
            id="unknown-code",
        ),
        pytest.param(
            [UPN1, "2025-09-03", "AM", "J"],
            "Mark",
            "code 'J' is not in the 2024 code set in force on 2025-09-03",
            id="code-not-valid-on-date",
        ),
        pytest.param(
            [UPN1, "2024-03-04", "AM", "Y4"],
            "Mark",
            "code 'Y4' is not in the 2006 code set in force on 2024-03-04",
            id="2024-code-before-2024",
        ),
        pytest.param(
            [UPN1, "31/02/2025", "AM", "/"],
            "Date",
            "'31/02/2025' is not a real date",
            id="bad-date",
        ),
        pytest.param(
            [UPN1, "09/13/2025", "AM", "/"], "Date", "'09/13/2025' is not a real date", id="us-date"
        ),
        pytest.param(
            [UPN1, "3rd Sept", "AM", "/"],
            "Date",
            "is not a date; use YYYY-MM-DD, DD/MM/YYYY",
            id="not-a-date",
        ),
        pytest.param(
            [UPN1, "2025-09-06", "AM", "/"], "Date", "2025-09-06 is a Saturday", id="weekend-date"
        ),
        pytest.param(
            [UPN1, "2025-09-03", "EVE", "/"],
            "Session",
            "session 'EVE' is not AM or PM",
            id="bad-session",
        ),
        pytest.param(
            ["A801200005001", "2025-09-03", "AM", "/"],
            "UPN",
            "has check letter 'A'; the digits give 'B'",
            id="bad-check-letter",
        ),
    ],
)
def test_each_validation_error(
    conn: sqlite3.Connection, tmp_path: Path, row: list[str], column: str, fragment: str
) -> None:
    path = write_csv(
        tmp_path / "m.csv",
        [["UPN", "Date", "Session", "Mark"], [UPN2, "2025-09-03", "AM", "/"], row],
    )
    problems = _problems(conn, path)
    assert len(problems) == 1
    assert problems[0][:2] == (3, column)
    assert fragment in problems[0][2]
    assert counts(conn)["pupil"] == 0  # the valid row was not written either


def test_conflicting_marks_name_both_rows(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "m.csv",
        [
            ["UPN", "Date", "Session", "Mark"],
            [UPN1, "2025-09-03", "AM", "/"],
            [UPN1, "03/09/2025", "am", "N"],
        ],
    )
    problems = _problems(conn, path)
    assert [p[0] for p in problems] == [2, 3]
    assert "'N' in row 3" in problems[0][2] and "'/' in row 2" in problems[1][2]


def test_exact_duplicates_are_a_warning(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "m.csv",
        [
            ["UPN", "Date", "Session", "Mark"],
            [UPN1, "2025-09-03", "AM", "/"],
            [UPN1, "2025-09-03", "AM", "/"],
        ],
    )
    summary = _import(conn, path).files[0]
    assert summary.status == "imported" and summary.duplicate_rows == 1 and summary.marks_added == 1
    assert any("duplicate" in n for n in summary.notes)


def test_missing_required_column_lists_columns_found(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "m.csv", [["UPN", "Date", "Mark"], [UPN1, "2025-09-03", "/"]])
    summary = _import(conn, path, layout="marks").files[0]
    assert summary.status == "rejected"
    message = summary.problems[0].message
    assert "needs column(s): session" in message and "'UPN', 'Date', 'Mark'" in message


def test_unrecognisable_file(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["Name", "Score"], ["a", "1"]])
    summary = _import(conn, path).files[0]
    assert (
        summary.status == "rejected"
        and "cannot tell what kind of file" in summary.problems[0].message
    )


def test_no_school_given(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "m.csv", [["UPN", "Date", "Session", "Mark"], [UPN1, "2025-09-03", "AM", "/"]]
    )
    summary = import_registers(conn, paths=[path]).files[0]
    assert summary.status == "rejected" and "--school" in summary.problems[0].hint


def test_wrong_column_count_is_located(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        f"UPN,Date,Session,Mark\n{UPN1},2025-09-03,AM,/\n{UPN1},2025-09-03,PM,/,extra\n"
    )
    problems = _problems(conn, path)
    assert problems == [(3, None, "has 5 columns; the header has 4")]


@pytest.mark.parametrize(
    "content,fragment",
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"PK\x03\x04garbage", "not a valid Excel workbook", id="corrupt-xlsx"),
        pytest.param(
            b"\xd0\xcf\x11\xe0rest", "old Excel (.xls) or password-protected", id="xls-or-encrypted"
        ),
        pytest.param(b"UPN,Date\x00\x01", "binary", id="binary"),
    ],
)
def test_unreadable_files(
    conn: sqlite3.Connection, tmp_path: Path, content: bytes, fragment: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    summary = _import(conn, path).files[0]
    assert summary.status == "rejected" and fragment in summary.problems[0].message


def test_missing_file(conn: sqlite3.Connection, tmp_path: Path) -> None:
    summary = _import(conn, tmp_path / "nope.csv").files[0]
    assert summary.status == "rejected" and "No such file" in summary.problems[0].message


# ---------------------------------------------------------------------------- guarantees


def _file(tmp_path: Path, name: str, rows: list[list[str]]) -> Path:
    return write_csv(tmp_path / name, [["UPN", "Date", "Session", "Mark"], *rows])


def test_reimport_changes_nothing(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = _file(
        tmp_path, "m.csv", [[UPN1, "2025-09-03", "AM", "/"], [UPN1, "2025-09-03", "PM", "N"]]
    )
    _import(conn, path)
    before = stored_year(conn, UPN1)
    tables = counts(conn)
    again = _import(conn, path).files[0]
    assert (again.marks_added, again.marks_changed, again.marks_unchanged) == (0, 0, 2)
    assert stored_year(conn, UPN1) == before
    after = counts(conn)
    assert {k: v for k, v in after.items() if k != "import_log"} == {
        k: v for k, v in tables.items() if k != "import_log"
    }


def test_overlapping_export_replaces_and_records_changes(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    first = _file(
        tmp_path, "week1.csv", [[UPN1, "2025-09-03", "AM", "N"], [UPN1, "2025-09-03", "PM", "N"]]
    )
    second = _file(
        tmp_path,
        "week1-later.csv",
        [
            [UPN1, "2025-09-03", "AM", "I"],
            [UPN1, "2025-09-03", "PM", "N"],
            [UPN1, "2025-09-04", "AM", "/"],
        ],
    )
    _import(conn, first)
    summary = _import(conn, second).files[0]
    assert (summary.marks_added, summary.marks_changed, summary.marks_unchanged) == (1, 1, 1)
    assert _at(stored_year(conn, UPN1), dt.date(2025, 9, 3), 0) == "I"
    change = conn.connection.execute(
        "SELECT date, session, old_mark, new_mark, import_id FROM mark_change"
    ).fetchall()
    assert change == [("2025-09-03", 0, "N", "I", summary.import_id)]


def test_blank_grid_cell_never_erases_a_mark(conn: sqlite3.Connection, tmp_path: Path) -> None:
    _import(conn, write_csv(tmp_path / "a.csv", [["UPN", "2025-09-03 AM"], [UPN1, "N"]]))
    summary = _import(
        conn,
        write_csv(tmp_path / "b.csv", [["UPN", "2025-09-03 AM", "2025-09-03 PM"], [UPN1, "", "/"]]),
    ).files[0]
    assert (summary.marks_added, summary.marks_changed) == (1, 0)
    assert _at(stored_year(conn, UPN1), dt.date(2025, 9, 3), 0) == "N"


def test_dry_run_writes_nothing_but_reports(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = _file(tmp_path, "m.csv", [[UPN1, "2025-09-03", "AM", "/"]])
    summary = _import(conn, path, dry_run=True).files[0]
    assert (summary.status, summary.marks_added, summary.import_id) == ("dry_run", 1, None)
    assert all(v == 0 for v in counts(conn).values())


def test_skip_invalid_imports_valid_rows_and_writes_reasons(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    path = _file(
        tmp_path,
        "m.csv",
        [
            [UPN1, "2025-09-03", "AM", "/"],
            [UPN2, "2025-09-03", "AM", "=HYPERLINK()"],
            [UPN3, "2025-09-06", "AM", "/"],
        ],
    )
    summary = _import(conn, path, skip_invalid=True).files[0]
    # the bad code is kept as '-' (no mark yet), never dropped to "not on roll"; the Saturday
    # mark has no session to keep it in
    assert (summary.status, summary.marks_added, summary.rows_rejected) == ("imported", 2, 2)
    assert (summary.missing_marks, summary.marks_kept_as_missing) == (1, 1)
    assert _at(stored_year(conn, UPN2), dt.date(2025, 9, 3), 0) == "-"
    assert stored_year(conn, UPN3) == ""
    rejected = Path(summary.rejected_file or "")
    assert rejected == tmp_path / "m.rejected.csv"
    assert oct(rejected.stat().st_mode & 0o777) == "0o600"
    lines = rejected.read_text().splitlines()
    assert lines[0] == "row,column,value,problem,hint"
    assert lines[1].startswith("3,Mark,'=HYPERLINK()")  # formula neutralised
    assert lines[2].startswith("4,Date,2025-09-06,2025-09-06 is a Saturday")


def test_a_failure_midway_leaves_no_trace(
    conn: sqlite3.Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(conn, _file(tmp_path, "a.csv", [[UPN1, "2025-09-03", "AM", "N"]]))
    before = counts(conn), stored_year(conn, UPN1)

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "record_changes", crash)  # after pupils, enrolments, marks, log
    with pytest.raises(RuntimeError):
        _import(
            conn,
            _file(
                tmp_path,
                "b.csv",
                [[UPN1, "2025-09-03", "AM", "I"], [UPN2, "2025-09-03", "AM", "/"]],
            ),
        )
    assert (counts(conn), stored_year(conn, UPN1)) == before


def test_a_file_spanning_both_code_sets(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "m.csv",
        [
            [UPN1, "2024-07-19", "AM", "J"],
            [UPN1, "2024-08-19", "AM", "J1"],
            [UPN1, "2024-09-02", "AM", "Y2"],
        ],
    )
    summary = _import(conn, path).files[0]
    assert summary.status == "imported", summary.problems
    assert _at(stored_year(conn, UPN1, 2023), dt.date(2024, 7, 19), 0) == "J"
    assert _at(stored_year(conn, UPN1, 2024), dt.date(2024, 8, 19), 0) == "j"
    assert _at(stored_year(conn, UPN1, 2024), dt.date(2024, 9, 2), 0) == "2"


def test_import_log_records_file_and_user(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = _file(tmp_path, "m.csv", [[UPN1, "2025-09-03", "AM", "/"]])
    summary = _import(conn, path).files[0]
    row = conn.connection.execute(
        "SELECT file_name, sha256, rows, marks_added, os_user, school_id FROM import_log"
    ).fetchone()
    import hashlib

    assert row[:4] == ("m.csv", hashlib.sha256(path.read_bytes()).hexdigest(), 1, 1)
    assert row[4] and row[5] is not None
    assert summary.sha256 == row[1]


# ------------------------------------------------------------- a later '-' keeps the mark


def test_later_no_mark_yet_never_erases_a_recorded_mark(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    """Week 1's file records I on Wed 3 Sep AM; the re-export a day later was made before the
    school finished its registers and shows '-' there and for Thu AM (never marked): the I is
    kept, Thu AM becomes '-'; a third file with N for Wed AM (a correction) replaces the I."""
    first = write_csv(
        tmp_path / "week1.csv",
        [MARKS_HEADER, [UPN1, "Smith", "Ann", "7", "03/09/2025", "AM", "I"]],
    )
    again = write_csv(
        tmp_path / "week1-again.csv",
        [
            MARKS_HEADER,
            [UPN1, "Smith", "Ann", "7", "03/09/2025", "AM", "-"],
            [UPN1, "Smith", "Ann", "7", "04/09/2025", "AM", "-"],
        ],
    )
    corrected = write_csv(
        tmp_path / "week1-corrected.csv",
        [MARKS_HEADER, [UPN1, "Smith", "Ann", "7", "03/09/2025", "AM", "N"]],
    )
    _import(conn, first)
    summary = _import(conn, again).files[0]
    assert summary.status == "imported"
    assert (summary.marks_added, summary.marks_changed, summary.marks_unchanged) == (1, 0, 1)
    assert summary.marks_kept_over_missing == 1
    assert any("1 session marked '-'" in note and "was kept" in note for note in summary.notes)
    text = stored_year(conn, UPN1)
    assert _at(text, dt.date(2025, 9, 3), 0) == "I"
    assert _at(text, dt.date(2025, 9, 4), 0) == "-"
    assert conn.connection.execute("SELECT count(*) FROM mark_change").fetchone() == (0,)
    fixed = _import(conn, corrected).files[0]
    assert (fixed.marks_changed, fixed.marks_kept_over_missing) == (1, 0)
    assert _at(stored_year(conn, UPN1), dt.date(2025, 9, 3), 0) == "N"
    assert conn.connection.execute("SELECT old_mark, new_mark FROM mark_change").fetchall() == [
        ("I", "N")
    ]
