"""Files that would import with wrong figures are refused as a whole; --skip-invalid keeps a
dropped mark as '-' (no mark yet); pupils with few sessions are noted."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli import marks
from attendance_cli.cli.app import app
from attendance_cli.registers.importer import import_registers
from tests.helpers import SCHOOL, UPN1, UPN2, UPN3, stored_year, weekdays, write_csv
from tests.registers.test_school_exports import figures

runner = CliRunner()
DAYS = weekdays(dt.date(2025, 9, 1), 10)  # two school weeks: 20 sessions


def _marks(rows: list[list[str]]) -> list[list[str]]:
    return [["UPN", "Date", "Session", "Mark"], *rows]


def _import(conn: sqlite3.Connection, path: Path, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("school", SCHOOL)
    return import_registers(conn, paths=[path], **kwargs).files[0]


def test_absence_only_report_is_refused(conn: sqlite3.Connection, tmp_path: Path) -> None:
    # 3 pupils x 8 absence marks, no present mark at all: an absence list, not a register
    rows = [
        [upn, day.isoformat(), "AM", code]
        for upn in (UPN1, UPN2, UPN3)
        for day, code in zip(DAYS[:8], "NNIIGGOO", strict=True)
    ]
    path = write_csv(tmp_path / "absences.csv", _marks(rows))
    for skip in (False, True):
        summary = _import(conn, path, skip_invalid=skip)
        assert summary.status == "rejected" and not summary.skippable
        assert "att needs every session's mark" in summary.problems[0].message
        assert summary.problems[0].column == "Mark"
    assert conn.connection.execute("SELECT count(*) FROM mark_year").fetchone() == (0,)


def test_one_present_mark_is_a_register_not_an_absence_report(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    rows = [
        [upn, day.isoformat(), "AM", code]
        for upn in (UPN1, UPN2, UPN3)
        for day, code in zip(DAYS[:8], "NNIIGGOO", strict=True)
    ]
    rows[0][3] = "/"
    assert _import(conn, write_csv(tmp_path / "r.csv", _marks(rows))).status == "imported"
    assert figures(conn, UPN1) == (8, 1, 2, 5)  # / N I I G G O O


def test_absence_report_cli_does_not_suggest_skip_invalid(db_path: Path, tmp_path: Path) -> None:
    rows = [[u, d.isoformat(), "PM", "N"] for u in (UPN1, UPN2) for d in DAYS]
    path = write_csv(tmp_path / "absences.csv", _marks(rows))
    result = runner.invoke(app, ["import", str(path), "--school", SCHOOL])
    assert result.exit_code == 3
    assert "att needs every session's mark" in result.stderr
    assert "--skip-invalid" not in result.stderr


@pytest.mark.parametrize(
    "header",
    [
        ["UPN", "Surname", "Forename", "Possible", "Attended", "Authorised", "Unauthorised"],
        ["UPN", "Name", "Sessions possible", "Attendance %", "Overall absence %"],
    ],
)
def test_totals_file_is_refused(
    conn: sqlite3.Connection, tmp_path: Path, header: list[str]
) -> None:
    path = write_csv(
        tmp_path / "totals.csv", [header, [UPN1, "Smith", *["10"] * (len(header) - 2)]]
    )
    summary = _import(conn, path)
    assert summary.status == "rejected" and not summary.skippable
    assert "totals, not session marks" in summary.problems[0].message


def test_skip_invalid_keeps_dropped_marks_as_no_mark_yet(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    header = ["UPN", *[f"{d:%d/%m/%Y} {s}" for d in DAYS[:2] for s in ("AM", "PM")]]
    rows = [header, [UPN1, "/", "QQ", "/", "\\"], [UPN2, "/", "\\", "J", "\\"]]  # J is 2006 only
    summary = _import(conn, write_csv(tmp_path / "g.csv", rows), skip_invalid=True)
    assert summary.status == "imported"
    assert (summary.marks_kept_as_missing, summary.missing_marks, summary.marks_added) == (2, 2, 8)
    assert stored_year(conn, UPN1)[marks.position(DAYS[0], 1)] == "-"
    assert stored_year(conn, UPN2)[marks.position(DAYS[1], 0)] == "-"
    assert figures(conn, UPN1) == (3, 3, 0, 0)  # the '-' is missing, not possible


def test_dropped_mark_shows_as_incomplete_in_the_pupil_view(db_path: Path, tmp_path: Path) -> None:
    header = ["UPN", *[f"{d:%d/%m/%Y} {s}" for d in DAYS[:2] for s in ("AM", "PM")]]
    path = write_csv(tmp_path / "g.csv", [header, [UPN1, "/", "QQ", "/", "\\"]])
    result = runner.invoke(app, ["import", str(path), "--school", SCHOOL, "--skip-invalid"])
    assert result.exit_code == 0, result.stderr
    shown = runner.invoke(app, ["pupil", "show", UPN1])
    assert "figures incomplete: 1 session with no mark yet" in shown.stdout


def test_pupil_with_far_fewer_sessions_is_noted(conn: sqlite3.Connection, tmp_path: Path) -> None:
    header = ["UPN", *[f"{d:%d/%m/%Y} {s}" for d in DAYS for s in ("AM", "PM")]]
    full = ["/"] * 20
    short = ["/"] * 6 + [""] * 14  # 6 of the file's 20 sessions
    rows = [header, [UPN1, *full], [UPN2, *full], [UPN3, *short]]
    summary = _import(conn, write_csv(tmp_path / "g.csv", rows))
    assert summary.status == "imported"
    (note,) = [n for n in summary.notes if "under half" in n]
    assert "1 pupil(s)" in note and UPN3 in note and "20 sessions" in note


def test_sub_codes_and_code_map(conn: sqlite3.Connection, tmp_path: Path) -> None:
    from attendance_cli.registers.code_map import read_code_map

    code_map = read_code_map(
        write_csv(
            tmp_path / "map.csv", [["local_code", "statutory_code"], ["L7", "N"], ["11", "I"]]
        )
    )
    header = ["UPN", *[f"{d:%d/%m/%Y} {s}" for d in DAYS[:2] for s in ("AM", "PM")]]
    rows = [header, [UPN1, "I01", "x01", "L7", "11"]]  # x01 -> X: not possible
    summary = _import(conn, write_csv(tmp_path / "g.csv", rows), code_map=code_map)
    assert summary.status == "imported", summary.problems
    assert figures(conn, UPN1) == (3, 0, 2, 1)  # I, I (11) authorised; N (L7) unauthorised
    assert any("I01 as I (1)" in n and "X01 as X (1)" in n for n in summary.notes)
    assert any("L7 as N (1)" in n and "map.csv" in n for n in summary.notes)
    (logged,) = conn.connection.execute("SELECT code_map FROM import_log").fetchone()
    assert logged.startswith("map.csv (sha256 ")


def test_unknown_local_code_without_a_map_is_a_problem(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    header = ["UPN", f"{DAYS[0]:%d/%m/%Y} AM"]
    summary = _import(conn, write_csv(tmp_path / "g.csv", [header, [UPN1, "L7"]]))
    assert summary.status == "rejected"
    assert "'L7' is not a DfE attendance code" in summary.problems[0].message


def test_code_map_cannot_redefine_a_statutory_code(tmp_path: Path) -> None:
    from attendance_cli.errors import InvalidInputError
    from attendance_cli.registers.code_map import read_code_map

    path = write_csv(
        tmp_path / "map.csv", [["local_code", "statutory_code"], ["L7", "N"], ["I", "/"]]
    )
    with pytest.raises(InvalidInputError) as raised:
        read_code_map(path)
    (problem,) = raised.value.problems
    assert (problem.row, problem.column) == (3, "local_code")
    assert "is a statutory code" in problem.message


@pytest.mark.parametrize(
    "dates,fragment",
    [
        pytest.param(["10/01/2025", "10/02/2025", "10/03/2025"], "looks US-ordered", id="us-oct"),
        pytest.param(["09/12/2025", "09/13/2025"], "only make sense in US order", id="us-only"),
        pytest.param(["01/02/2025", "01/03/2025", "01/04/2025"], "cannot tell", id="ambiguous"),
    ],
)
def test_us_ordered_dates_are_refused(
    conn: sqlite3.Connection, tmp_path: Path, dates: list[str], fragment: str
) -> None:
    rows = [[UPN1, d, "AM", "/"] for d in dates] + [[UPN2, d, "AM", "/"] for d in dates]
    summary = _import(conn, write_csv(tmp_path / "us.csv", _marks(rows)))
    assert summary.status == "rejected" and not summary.skippable
    problem = summary.problems[0]
    assert fragment in problem.message and problem.column == "Date" and problem.row is not None


def test_us_ordered_grid_headers_are_refused(conn: sqlite3.Connection, tmp_path: Path) -> None:
    header = ["UPN", "10/01/2025 AM", "10/02/2025 AM", "10/03/2025 AM"]
    summary = _import(conn, write_csv(tmp_path / "g.csv", [header, [UPN1, "/", "/", "/"]]))
    assert summary.status == "rejected"
    assert "US" in summary.problems[0].message and summary.problems[0].column == "10/01/2025 AM"


def test_ambiguous_but_consecutive_school_days_are_read_day_first(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    dates = [f"{d:%d/%m/%Y}" for d in DAYS[:5]]  # 01/09 ... 05/09: month-first would be Jan-May
    rows = [[UPN1, d, "AM", "/"] for d in dates]
    assert _import(conn, write_csv(tmp_path / "m.csv", _marks(rows))).status == "imported"
    assert stored_year(conn, UPN1)[marks.position(dt.date(2025, 9, 5), 0)] == "/"


def test_roster_with_an_attendance_column_is_a_roster(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    rows = [
        ["UPN", "Surname", "DOB", "Attendance %", "Sessions possible"],
        [UPN1, "Smith", "01/02/2017", "91.0", "120"],
    ]
    summary = _import(conn, write_csv(tmp_path / "roster.csv", rows))
    assert (summary.status, summary.layout) == ("imported", "roster")
    assert any("totals column(s)" in n for n in summary.notes)


def test_a_whole_file_refusal_is_reported_over_row_problems(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    first.title = "A"
    first.append(["UPN", "01/09/2025 AM"])
    first.append([UPN1, "QQ"])  # a row problem on the first sheet
    second = workbook.create_sheet("B")
    second.append(["UPN", *[f"{d:%d/%m/%Y} AM" for d in DAYS]])
    for upn in (UPN2, UPN3):
        second.append([upn, *["N"] * 10])  # 20 marks, no present mark: an absence report
    workbook.save(tmp_path / "w.xlsx")
    summary = _import(conn, tmp_path / "w.xlsx")
    assert summary.status == "rejected" and not summary.skippable
    (problem,) = summary.problems
    assert "att needs every session's mark" in problem.message


def test_closure_codes_alone_are_not_an_absence_report(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    # a snow day: every pupil Y4 (site closed) for both sessions, 3 pupils x 2 days
    rows = [
        [u, d.isoformat(), s, "Y4"]
        for u in (UPN1, UPN2, UPN3)
        for d in DAYS[:2]
        for s in ("AM", "PM")
    ]
    assert _import(conn, write_csv(tmp_path / "snow.csv", _marks(rows))).status == "imported"


def test_one_pupil_absent_throughout_is_a_register(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    rows = [[UPN1, d.isoformat(), s, "N"] for d in DAYS for s in ("AM", "PM")]  # 20 N
    assert _import(conn, write_csv(tmp_path / "cme.csv", _marks(rows))).status == "imported"
    assert figures(conn, UPN1) == (20, 0, 0, 20)


def test_unlabelled_totals_row_is_skipped(conn: sqlite3.Connection, tmp_path: Path) -> None:
    header = ["UPN", "Name", *[f"{d:%d/%m/%Y} AM" for d in DAYS[:3]]]
    rows = [
        header,
        [UPN1, "Smith, Ann", "/", "/", "N"],
        [UPN2, "Jones, Bo", "/", "I", "/"],
        ["", "", "2", "1", "1"],
    ]
    summary = _import(conn, write_csv(tmp_path / "g.csv", rows))
    assert summary.status == "imported", summary.problems
    assert summary.footer_rows == 1
    assert figures(conn, UPN2) == (3, 2, 1, 0)


def test_a_pupil_row_without_a_upn_is_still_a_problem(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    header = ["UPN", "Name", *[f"{d:%d/%m/%Y} AM" for d in DAYS[:2]]]
    rows = [header, [UPN1, "Smith, Ann", "/", "/"], ["", "Jones, Bo", "/", "I"]]
    summary = _import(conn, write_csv(tmp_path / "g.csv", rows))
    assert summary.status == "rejected"
    assert (summary.problems[0].row, summary.problems[0].column) == (3, "UPN")


def test_dfe_monitor_download_is_refused_as_totals(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    rows = [
        ["Date", "School", "Possible sessions", "Overall attendance rate"],
        ["01/09/2025", "Castle Hill", "800", "94.1"],
    ]
    summary = _import(conn, write_csv(tmp_path / "mysa.csv", rows))
    assert summary.status == "rejected"
    assert "totals, not session marks" in summary.problems[0].message


def test_a_kept_no_mark_yet_never_replaces_a_mark_held(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    header = ["UPN", *[f"{d:%d/%m/%Y} {s}" for d in DAYS[:1] for s in ("AM", "PM")]]
    _import(conn, write_csv(tmp_path / "a.csv", [header, [UPN1, "/", "\\"]]))
    summary = _import(
        conn, write_csv(tmp_path / "b.csv", [header, [UPN1, "QQ", "N"]]), skip_invalid=True
    )
    assert summary.status == "imported"
    text = stored_year(conn, UPN1)
    assert text[marks.position(DAYS[0], 0)] == "/"  # kept: the later file's mark is unreadable
    assert text[marks.position(DAYS[0], 1)] == "N"  # replaced by the later, readable mark


def test_a_mark_under_a_footer_word_is_a_bad_upn_not_a_footer(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    """A row with a footer word ("%", "Total") where the UPN goes but a register mark where the
    marks go is a mark with a bad UPN: refused and named, never skipped as a totals row (the
    fuzz tests found "%", 03/09/2025, AM, "/" imported with its mark dropped)."""
    rows = [
        [UPN1, "2025-09-03", "AM", "/"],
        ["%", "2025-09-03", "AM", "/"],
    ]
    summary = _import(conn, write_csv(tmp_path / "m.csv", _marks(rows)))
    assert summary.status == "rejected" and summary.footer_rows == 0
    assert any(p.row == 3 and p.column == "UPN" for p in summary.problems), summary.problems
    header = ["UPN", "Name", *[f"{d:%d/%m/%Y} AM" for d in DAYS[:3]]]
    grid = [header, [UPN1, "Smith, Ann", "/", "/", "N"], ["Total", "", "/", "/", "N"]]
    summary = _import(conn, write_csv(tmp_path / "g.csv", grid))
    assert summary.status == "rejected" and summary.footer_rows == 0
    totals = [header, [UPN1, "Smith, Ann", "/", "/", "N"], ["Total", "", "1", "1", "0"]]
    assert _import(conn, write_csv(tmp_path / "t.csv", totals)).footer_rows == 1
