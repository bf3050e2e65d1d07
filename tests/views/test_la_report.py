"""``att report la``: figures and lists checked against the sample LA's designed pupils
(sample_data/README.md) and hand-made registers; the la.xlsx opened with openpyxl."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from attendance_cli.errors import NotFoundError
from attendance_cli.identifiers import make_upn
from attendance_cli.store import Store
from attendance_cli.views.la_report import PUPIL_COLUMNS, prepare_la_report
from attendance_cli.views.la_workbook import PUPIL_HEADERS, SHEET_NAMES, write_la_workbook
from tests.conftest import SAMPLE
from tests.views.registers import attended, import_marks

runner = CliRunner()

# sample_data/README.md: the designed pupils with 10 or more unauthorised sessions in the
# period (which is exactly 10 school weeks); Callum Whitlock has 9 and is not listed.
PENALTY = {
    "H899200515002": 48,  # severe-looked-after
    "V899200116001": 36,  # continuous-unauthorised-cme
    "M899200316001": 28,  # severe-child-protection
    "A899200218001": 14,  # penalty-threshold-holiday
    "V899200222001": 14,  # penalty-threshold-holiday-sibling
}


@pytest.fixture(scope="module")
def sample_report(sample_template: Path):  # type: ignore[no-untyped-def]
    from attendance_cli.db.engine import connect

    conn = Store(connect(sample_template), sample_template)
    try:
        yield prepare_la_report(conn, today=dt.date(2025, 11, 17))
    finally:
        conn.close()


def test_la_headline_is_the_sum_of_the_schools(sample_report) -> None:  # type: ignore[no-untyped-def]
    s = sample_report.summary
    assert (s.on_roll, s.possible, s.sessions_missed) == (380, 34950, 2585)
    assert (s.authorised, s.unauthorised, s.persistent, s.severe) == (2098, 487, 96, 4)
    assert s.absence_pct == 7.4  # 2585 / 34950 = 7.396%
    assert [r.laestab for r in sample_report.schools] == [
        "8997001",
        "8994001",
        "8992001",
        "8992002",
    ]
    assert [r.pa_rank for r in sample_report.schools] == [1, 2, 3, 4]


def test_penalty_threshold_list(sample_report) -> None:  # type: ignore[no-untyped-def]
    listed = {p.upn: p for p in sample_report.penalty_threshold}
    assert set(listed) == set(PENALTY)
    for upn, unauthorised in PENALTY.items():
        assert listed[upn].unauthorised == unauthorised
        assert listed[upn].penalty_threshold_met and listed[upn].penalty_threshold_met_now
        assert listed[upn].unauthorised_last_10_weeks == unauthorised
    assert "U899200515001" not in listed  # 9 unauthorised sessions: not met
    assert listed["A899200218001"].laestab == "8994001"


def test_continuous_absence_alert(sample_report) -> None:  # type: ignore[no-untyped-def]
    # continuous-unauthorised-cme: 15 school days, still running at 14 Nov. Counting back over
    # half-term (27-31 Oct, no school): 3-14 Nov (10 days) and 20-24 Oct (5 days).
    (alert,) = sample_report.continuous_absence
    assert (alert.upn, alert.longest_unauthorised_days) == ("V899200116001", 15)
    assert alert.longest_unauthorised_from == dt.date(2025, 10, 20)
    assert alert.longest_unauthorised_running is True
    assert alert.flag_codes == ["continuous_unauthorised_absence"]  # 15 < 20: not yet CME


def test_social_care_is_every_child_with_a_social_worker_or_looked_after(
    sample_report,  # type: ignore[no-untyped-def]
) -> None:
    with (SAMPLE / "roster.csv").open(newline="", encoding="utf-8") as handle:
        expected = {
            (row["UPN"], row["LAESTAB"])
            for row in csv.DictReader(handle)
            if row["Social Worker"] or row["Looked After"] == "Y"
        }
    listed = sample_report.social_care
    assert {(p.upn, p.laestab) for p in listed} == expected
    looked_after = [p.upn for p in listed if p.looked_after]
    assert looked_after == [p.upn for p in listed[: len(looked_after)]]  # looked after first
    by_upn = {p.upn: p for p in listed}
    # looked-after-with-N: 3 N sessions, 5 of 94 absent (not PA): tell the virtual school
    okafor = by_upn["C899200119001"]
    assert (okafor.unexplained_sessions, okafor.persistent) == (3, False)
    assert okafor.flag_codes == ["unexplained_absence_looked_after"]
    # severe-child-protection: 28 N/O (14 N + 14 O), 56 of 94 absent
    doyle = by_upn["M899200316001"]
    assert (doyle.unexplained_sessions, doyle.severe, doyle.sessions_missed) == (28, True, 56)
    assert "unexplained_absence_social_worker" in doyle.flag_codes


def test_penalty_boundary_and_a_pupil_at_two_schools(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    nine, ten, both = (make_upn(899, 3001, 15, n) for n in (1, 2, 3))
    import_marks(
        conn,
        tmp_path,
        "8993001",
        {
            nine: ["N"] * 9 + attended(11),
            ten: attended(10) + ["G"] * 10,
            both: ["O"] * 10 + attended(10),
        },
    )
    other = make_upn(899, 3002, 15, 1)
    import_marks(conn, tmp_path, "8993002", {both: attended(20), other: attended(20)})
    report = prepare_la_report(conn)
    listed = {(p.upn, p.laestab): p for p in report.penalty_threshold}
    assert set(listed) == {(ten, "8993001"), (both, "8993001")}
    # the 10th G is Fri 12 Sep PM; the 10th O is Fri 5 Sep AM
    assert listed[(ten, "8993001")].penalty_threshold_date == dt.date(2025, 9, 12)
    assert listed[(both, "8993001")].penalty_threshold_date == dt.date(2025, 9, 5)
    assert report.summary.on_roll == 5 and report.continuous_absence == []


def test_no_marks_is_not_found(db_path: Path, conn: sqlite3.Connection) -> None:
    with pytest.raises(NotFoundError):
        prepare_la_report(conn)
    result = runner.invoke(app, ["report", "la"])
    assert result.exit_code == 4 and result.stderr.startswith(
        "Error: The database has no register marks"
    )


def test_cli_json_and_csv(sample_db: Path) -> None:
    result = runner.invoke(app, ["report", "la", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {
        "period", "summary", "national", "schools", "cohorts", "social_care",
        "penalty_threshold", "continuous_absence", "thresholds",
    }  # fmt: skip
    assert data["thresholds"] == {
        "penalty_sessions": 10,
        "penalty_weeks": 10,
        "notify_la_days": 10,
        "missing_education_days": 20,
    }
    for key in ("social_care", "penalty_threshold", "continuous_absence"):
        assert all(list(p) == PUPIL_COLUMNS for p in data[key])
    assert set(PUPIL_COLUMNS) >= {
        "laestab", "school", "upn", "surname", "forename", "year_group", "social_worker",
        "looked_after", "possible", "attended", "authorised", "unauthorised", "attendance_pct",
        "absence_pct", "persistent", "severe", "unexplained_sessions", "penalty_threshold_met",
        "penalty_threshold_date", "penalty_threshold_met_now", "unauthorised_last_10_weeks",
        "longest_unauthorised_days", "longest_unauthorised_from", "longest_unauthorised_running",
        "flags", "flag_codes", "lead_practitioner", "open_actions", "next_review",
    }  # fmt: skip
    assert {c["dimension"] for c in data["cohorts"]} == {
        "year_group", "fsm", "sen", "social_care", "gender",
    }  # fmt: skip
    csv_out = runner.invoke(app, ["report", "la", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(csv_out.stdout)))
    assert [r["laestab"] for r in rows] == ["8997001", "8994001", "8992001", "8992002"]
    term = runner.invoke(
        app, ["report", "la", "--term", "autumn", "--year", "2025", "--format", "json"]
    )
    assert json.loads(term.stdout)["period"]["label"] == "autumn term 2025/26"
    bad = runner.invoke(app, ["report", "la", "--term", "winter"])
    assert bad.exit_code == 2 and "Unknown term" in bad.stderr


def test_cli_table(sample_db: Path) -> None:
    result = runner.invoke(app, ["report", "la", "--limit", "2"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "LA attendance report" in out and "Schools by persistent absence rate" in out
    assert "Penalty-notice threshold" in out and "... and 3 more" in out
    assert "Continuous unauthorised absence" in out and "\x1b[" not in out


def test_workbook(sample_report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_la_workbook(
        sample_report, tmp_path / "la.xlsx", generated_on=dt.date(2025, 11, 17)
    )
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    book = load_workbook(path)
    assert tuple(book.sheetnames) == SHEET_NAMES
    schools = list(book["Schools"].iter_rows(values_only=True))
    assert schools[0][:3] == ("PA rank", "LAESTAB", "School")
    assert [r[1] for r in schools[1:]] == ["8997001", "8994001", "8992001", "8992002"]
    assert schools[1][schools[0].index("PA %")] == 70.0
    # the sample roster has no phase column: each phase comes from the year groups on roll
    # (Meadowbank, a PRU of Years 7-11, reads as secondary: only a roster can say PRU)
    phase = schools[0].index("Phase")
    assert [r[phase] for r in schools[1:]] == [
        "Secondary (from year groups)",
        "Secondary (from year groups)",
        "Primary (from year groups)",
        "Primary (from year groups)",
    ]
    assert not book["Schools"]._charts  # the chart has a page of its own
    (chart,) = book["PA chart"]._charts  # the PA rate chart
    penalty = list(book["Penalty threshold"].iter_rows(values_only=True))
    assert penalty[0] == PUPIL_HEADERS
    assert {r[2] for r in penalty[1:]} == set(PENALTY)
    date_column = PUPIL_HEADERS.index("Penalty threshold date")
    assert all(isinstance(r[date_column], dt.datetime) for r in penalty[1:])
    assert book["Continuous absence"].max_row == 2
    assert len(list(book["Social care"].iter_rows(min_row=2))) == len(sample_report.social_care)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), sheet.title


def test_formula_like_names_are_text_and_empty_lists_say_so(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    upn = make_upn(899, 3001, 15, 1)
    import_marks(conn, tmp_path, "8993001", {upn: attended(20)})
    conn.connection.execute(
        "UPDATE pupil SET surname = '=HYPERLINK(\"http://x\")', social_worker = 'CIN'"
    )
    conn.connection.execute("UPDATE school SET name = '+cmd|calc'")
    report = prepare_la_report(conn)
    book = load_workbook(write_la_workbook(report, tmp_path / "la.xlsx"))
    care = list(book["Social care"].iter_rows(values_only=True))
    assert care[1][PUPIL_HEADERS.index("Surname")] == '\'=HYPERLINK("http://x")'
    assert care[1][PUPIL_HEADERS.index("School")] == "'+cmd|calc"
    assert book["Penalty threshold"]["A2"].value == "No pupils"
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


def test_cli_output_writes_the_workbook(sample_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "la.xlsx"
    result = runner.invoke(app, ["report", "la", "--output", str(target), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert target.exists() and json.loads(result.stdout)["summary"]["on_roll"] == 380
    missing = runner.invoke(app, ["report", "la", "--output", str(tmp_path / "no" / "la.xlsx")])
    assert missing.exit_code == 3
