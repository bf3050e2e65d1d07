"""The DfE Common Transfer File: pupils and marks, read safely, ambiguous strings refused.

Hand-counted: pupil A's string from Mon 1 Sep 2025, school days only, is
``/\\ /\\ IN /\\ G/`` = Mon present, Tue present, Wed I (AM) N (PM), Thu present, Fri G (AM) /:
possible 10, present 7, authorised 1, unauthorised 2.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from attendance_cli import marks
from attendance_cli.analysis.counts import count_segment
from attendance_cli.registers.importer import import_registers
from tests.helpers import SCHOOL, UPN1, UPN2, stored_year
from tests.registers.test_school_exports import figures

A_WEEK = "/\\/\\IN/\\G/"


def _pupil(upn: str, marks_text: str, start: str = "2025-09-01", totals: str = "") -> str:
    return f"""
    <Pupil>
      <UPN>{upn}</UPN><Surname>Smith</Surname><Forename>Ann</Forename>
      <DOB>2017-02-01</DOB><Gender>F</Gender>
      <Attendance><YearData><Year>2025</Year>{totals}
        <AttendSessions>
          <AttendanceStartDate>{start}</AttendanceStartDate>
          <AttendanceMarks>{marks_text}</AttendanceMarks>
        </AttendSessions>
      </YearData></Attendance>
    </Pupil>"""


def _ctf(tmp: Path, *pupils: str, prolog: str = "") -> Path:
    path = tmp / "8992001_CTF_8992002_001.xml"
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>{prolog}
<CTfile>
  <Header><DocumentName>Common Transfer File</DocumentName>
    <SourceSchool><LEA>{SCHOOL[:3]}</LEA><Estab>{SCHOOL[3:]}</Estab><SchoolName>Castle Hill</SchoolName></SourceSchool>
  </Header>
  <CTFpupilData>{"".join(pupils)}</CTFpupilData>
</CTfile>""",
        encoding="utf-8",
    )
    return path


def test_ctf_school_days_only(conn: sqlite3.Connection, tmp_path: Path) -> None:
    totals = "<SessionsPossible>10</SessionsPossible><SessionsAuthorised>1</SessionsAuthorised>"
    summary = import_registers(
        conn, paths=[_ctf(tmp_path, _pupil(UPN1, A_WEEK, totals=totals))]
    ).files[0]
    assert (summary.status, summary.layout) == ("imported", "ctf"), summary.problems
    assert summary.schools == [SCHOOL]
    assert figures(conn, UPN1) == (10, 7, 1, 2)
    row = conn.connection.execute(
        "SELECT surname, forename, date_of_birth, gender FROM pupil"
    ).fetchone()
    assert row == ("Smith", "Ann", "2017-02-01", "F")


def test_ctf_calendar_days_with_blank_weekends(conn: sqlite3.Connection, tmp_path: Path) -> None:
    # Mon 1 - Tue 9 Sep as calendar days: the weekend (Sat 6, Sun 7) written "####"
    text = A_WEEK + "####" + "/\\" + "I\\"
    summary = import_registers(conn, paths=[_ctf(tmp_path, _pupil(UPN1, text))]).files[0]
    assert summary.status == "imported", summary.problems
    assert figures(conn, UPN1) == (14, 10, 2, 2)
    stored = stored_year(conn, UPN1)
    from datetime import date

    assert stored[marks.position(date(2025, 9, 9), 0)] == "I"


def test_ctf_with_some_weekends_blank_is_refused(conn: sqlite3.Connection, tmp_path: Path) -> None:
    # 14 calendar days: the first weekend blank, the second holding marks
    text = A_WEEK + "    " + A_WEEK + "/\\/\\"
    summary = import_registers(conn, paths=[_ctf(tmp_path, _pupil(UPN1, text))]).files[0]
    assert summary.status == "rejected" and not summary.skippable
    (problem,) = summary.problems
    assert (problem.row, problem.column) == (1, "AttendanceMarks")
    assert "cannot tell whether the string counts weekends" in problem.message


def test_ctf_totals_that_disagree_with_the_marks_are_refused(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    totals = "<SessionsPossible>12</SessionsPossible><SessionsUnauthorised>2</SessionsUnauthorised>"
    path = _ctf(tmp_path, _pupil(UPN1, A_WEEK), _pupil(UPN2, A_WEEK, totals=totals))
    summary = import_registers(conn, paths=[path]).files[0]
    assert summary.status == "rejected"
    (problem,) = summary.problems
    assert (problem.row, problem.column) == (2, "SessionsPossible")
    assert "is 12 but the AttendanceMarks give 10" in problem.message
    assert conn.connection.execute("SELECT count(*) FROM pupil").fetchone() == (0,)


def test_ctf_character_that_is_no_code_is_refused(conn: sqlite3.Connection, tmp_path: Path) -> None:
    summary = import_registers(
        conn, paths=[_ctf(tmp_path, _pupil(UPN1, "/\\9/" + A_WEEK[4:]))]
    ).files[0]
    assert summary.status == "rejected"
    assert "'9' is not a DfE attendance code" in summary.problems[0].message


def test_ctf_odd_length_is_refused(conn: sqlite3.Connection, tmp_path: Path) -> None:
    summary = import_registers(conn, paths=[_ctf(tmp_path, _pupil(UPN1, A_WEEK + "/"))]).files[0]
    assert summary.status == "rejected"
    assert "not a whole number of days" in summary.problems[0].message


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE CTfile [<!ENTITY x "xxxxxxxxxx">]>',
        '<!DOCTYPE CTfile [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ],
)
def test_ctf_entities_are_refused(conn: sqlite3.Connection, tmp_path: Path, prolog: str) -> None:
    path = _ctf(tmp_path, _pupil(UPN1, "&x;"), prolog=prolog)
    summary = import_registers(conn, paths=[path]).files[0]
    assert summary.status == "rejected"
    assert "XML features att refuses" in summary.problems[0].message


def test_xml_that_is_not_a_ctf(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text('<?xml version="1.0"?><Something/>')
    summary = import_registers(conn, paths=[path]).files[0]
    assert summary.status == "rejected"
    assert "not a Common Transfer File" in summary.problems[0].message


def test_ctf_weekends_written_as_no_mark_yet_are_refused(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    # '-' on every weekend: "no session" or "no mark yet on a weekday"? att cannot tell
    text = A_WEEK + "----" + A_WEEK
    summary = import_registers(conn, paths=[_ctf(tmp_path, _pupil(UPN1, text))]).files[0]
    assert summary.status == "rejected"
    assert "att cannot tell which" in summary.problems[0].message


def test_ctf_two_character_code_written_inline_is_refused(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    # "Y1" whole in the string: every later mark moves one session on, so no date is certain
    text = "/\\Y1/\\/\\/\\/"
    summary = import_registers(conn, paths=[_ctf(tmp_path, _pupil(UPN1, text))]).files[0]
    assert summary.status == "rejected"
    (problem,) = summary.problems
    assert problem.column == "AttendanceMarks"
    assert "'Y1' at characters 3-4" in problem.message
    assert "a 2024 two-character code" in problem.message
    assert conn.connection.execute("SELECT count(*) FROM pupil").fetchone() == (0,)


@pytest.mark.parametrize(
    ("mark", "why"),
    [
        pytest.param("Y", "any of Y1-Y7", id="Y-could-be-any-of-seven"),
        pytest.param("J", "J1 (interview) is now a leave of absence", id="J-changed-category"),
    ],
)
def test_ctf_bare_2006_letter_on_a_2024_date_is_refused(
    conn: sqlite3.Connection, tmp_path: Path, mark: str, why: str
) -> None:
    text = f"/\\{mark}\\" + A_WEEK[4:]  # Tue 2 Sep 2025 AM
    summary = import_registers(conn, paths=[_ctf(tmp_path, _pupil(UPN1, text))]).files[0]
    assert summary.status == "rejected"
    (problem,) = summary.problems
    assert f"{mark!r} on 2025-09-02 AM is no code of the 2024 set" in problem.message
    assert why in problem.message


def test_ctf_y_before_the_2024_set_is_the_2006_enforced_closure(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    # Mon 4 - Fri 8 Sep 2023 (2006 set): Wed AM Y (enforced closure, not possible)
    text = "/\\/\\Y\\/\\/\\"
    summary = import_registers(
        conn, paths=[_ctf(tmp_path, _pupil(UPN1, text, start="2023-09-04"))]
    ).files[0]
    assert summary.status == "imported", summary.problems
    c = count_segment(stored_year(conn, UPN1, 2023))
    assert (c.possible, c.present) == (9, 9)


def test_ctf_25_sex_element_is_read(conn: sqlite3.Connection, tmp_path: Path) -> None:
    pupil = _pupil(UPN1, A_WEEK).replace("<Gender>F</Gender>", "<Sex>F</Sex>")
    summary = import_registers(conn, paths=[_ctf(tmp_path, pupil)]).files[0]
    assert summary.status == "imported", summary.problems
    assert conn.connection.execute("SELECT gender FROM pupil").fetchone() == ("F",)


def test_ctf_blank_weekends_between_marked_days_are_weekends(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    # Mon 1 - Tue 9 Sep as calendar days, the weekend written as spaces between Fri and Mon marks
    text = A_WEEK + "    " + "/\\" + "I\\"
    summary = import_registers(conn, paths=[_ctf(tmp_path, _pupil(UPN1, text))]).files[0]
    assert summary.status == "imported", summary.problems
    assert figures(conn, UPN1) == (14, 10, 2, 2)


def test_ctf_blank_weekends_that_may_be_a_spell_off_roll_are_refused(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    # 7 days blank, then 3 marked: as calendar days the marks are Mon 8 - Wed 10 Sep, as
    # school days Wed 10 - Fri 12; the weekend lies inside the blank spell, so nothing says which
    text = " " * 14 + "/\\" * 3
    summary = import_registers(conn, paths=[_ctf(tmp_path, _pupil(UPN1, text))]).files[0]
    assert summary.status == "rejected"
    assert "may be a spell off roll" in summary.problems[0].message


def test_ctf_la_single_character_code_is_read_through_the_code_map(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    from attendance_cli.registers.importer import CodeMap

    # Tue 2 Sep AM '+', the LA's character for X01 (non-compulsory school age): not possible
    text = "/\\+\\" + A_WEEK[4:]
    path = _ctf(tmp_path, _pupil(UPN1, text))
    refused = import_registers(conn, paths=[path]).files[0]
    assert refused.status == "rejected"
    assert "'+' is not a DfE attendance code" in refused.problems[0].message
    mapped = import_registers(
        conn, paths=[path], code_map=CodeMap("la-codes.csv", "0" * 64, {"+": "X"})
    ).files[0]
    assert mapped.status == "imported", mapped.problems
    assert figures(conn, UPN1) == (9, 6, 1, 2)
