"""Issue 13's register items: no marks after today, ASCII-only identifiers, one text encoding."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from attendance_cli.identifiers import upn_problem
from attendance_cli.registers.importer import import_registers
from tests.helpers import SCHOOL, UPN1, UPN2, write_csv


def _marks(tmp: Path, rows: list[list[str]]) -> Path:
    return write_csv(tmp / "m.csv", [["UPN", "Date", "Session", "Mark", "LAESTAB"], *rows])


def test_marks_after_today_are_refused_naming_the_row(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    while tomorrow.weekday() >= 5:
        tomorrow += dt.timedelta(days=1)
    path = _marks(
        tmp_path,
        [[UPN1, "2025-09-01", "AM", "/", SCHOOL], [UPN1, tomorrow.isoformat(), "AM", "/", SCHOOL]],
    )
    summary = import_registers(conn, paths=[path]).files[0]
    assert summary.status == "rejected"
    (problem,) = summary.problems
    assert (problem.row, problem.column) == (3, "Date")
    assert "is after today" in problem.message


def test_non_ascii_digits_in_a_upn_are_refused(conn: sqlite3.Connection, tmp_path: Path) -> None:
    arabic = UPN1[:4] + "\u0662" + UPN1[5:]  # an Arabic-Indic two where a 2 should be
    assert upn_problem(arabic) is not None and "ASCII" in (upn_problem(arabic) or "")
    path = _marks(tmp_path, [[arabic, "2025-09-01", "AM", "/", SCHOOL]])
    summary = import_registers(conn, paths=[path]).files[0]
    assert summary.status == "rejected"
    assert (summary.problems[0].row, summary.problems[0].column) == (2, "UPN")


def test_non_ascii_digits_in_a_laestab_are_refused(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    path = _marks(tmp_path, [[UPN1, "2025-09-01", "AM", "/", "899\u0662001"]])
    summary = import_registers(conn, paths=[path]).files[0]
    assert summary.status == "rejected"
    assert summary.problems[0].column == "LAESTAB" and "0-9" in summary.problems[0].message


def test_roster_mixing_utf8_and_windows_1252_is_refused(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(
        b"UPN,Surname,Forename,DOB\r\n"
        + f"{UPN1},Zo\u00eb,Ann,01/02/2017\r\n".encode()  # UTF-8
        + f"{UPN2},Ren\u00e9e,Bo,02/03/2017\r\n".encode("cp1252")  # Windows-1252
    )
    summary = import_registers(conn, paths=[path], school=SCHOOL).files[0]
    assert summary.status == "rejected" and not summary.skippable
    message = summary.problems[0].message
    assert "row(s) 2 are UTF-8 but row(s) 3 are not" in message


def test_windows_1252_throughout_is_still_read(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(
        (f"UPN,Surname,Forename,DOB\r\n{UPN2},Ren\u00e9e,Bo,02/03/2017\r\n").encode("cp1252")
    )
    summary = import_registers(conn, paths=[path], school=SCHOOL).files[0]
    assert summary.status == "imported"
    assert conn.connection.execute("SELECT surname FROM pupil").fetchone() == ("Ren\u00e9e",)
