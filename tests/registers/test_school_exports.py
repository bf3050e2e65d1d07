"""Registers laid out as school systems export them: title rows, footers, two-row headers,
weekly grids, workbooks with one sheet per class, text and two-digit-year dates.

Every layout below carries the same week (Mon 1 - Fri 5 September 2025) for three pupils, so the
expected figures are counted by hand once:

    A  Smith, Ann   reg 4S  "Year 4"  / \\ / \\ / \\ / \\ / \\   possible 10, present 10, auth 0, unauth 0
    B  Jones, Bo    reg 4S  "Y4"      I I / \\ / \\ / \\ / N   possible 10, present 7, auth 2 (I I), unauth 1 (N)
    C  Cara Patel   reg 4T  "Year 4"  . . L U G G / \\ M /   possible 8 (Monday blank: not on roll),
                                                          present 4 (L / \\ /), auth 1 (M), unauth 3 (U G G)
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from attendance_cli.analysis.counts import count_segment
from attendance_cli.registers.importer import import_registers
from tests.helpers import SCHOOL, UPN1, UPN2, UPN3, stored_year, write_csv

MONDAY = dt.date(2025, 9, 1)
DAYS = [MONDAY + dt.timedelta(days=k) for k in range(5)]
WEEK = {  # ten sessions, Mon AM ... Fri PM; " " = no mark
    UPN1: "/\\/\\/\\/\\/\\",
    UPN2: "II/\\/\\/\\/N",
    UPN3: "  LUGG/\\M/",
}
PUPILS = [  # (upn, name as a register prints it, reg group, year label)
    (UPN1, "Smith, Ann", "4S", "Year 4"),
    (UPN2, "Jones, Bo", "4S", "Y4"),
    (UPN3, "Cara Patel", "4T", "Year 4"),
]
EXPECTED = {  # (possible, present, authorised, unauthorised), counted by hand above
    UPN1: (10, 10, 0, 0),
    UPN2: (10, 7, 2, 1),
    UPN3: (8, 4, 1, 3),
}
TITLE_ROWS: list[list[Any]] = [
    ["Castle Hill Primary School"],
    ["Attendance report: week beginning 01/09/2025"],
    [],
]


def figures(conn: sqlite3.Connection, upn: str) -> tuple[int, int, int, int]:
    c = count_segment(stored_year(conn, upn))
    return c.possible, c.present, c.authorised, c.unauthorised


def _pad(rows: list[list[Any]], width: int) -> list[list[Any]]:
    return [row + [""] * (width - len(row)) for row in rows]


def marks_rows(date_text: Any) -> list[list[Any]]:
    rows: list[list[Any]] = [["Name", "Reg", "Year", "UPN", "Date", "Session", "Mark"]]
    for upn, name, reg, year in PUPILS:
        for k, mark in enumerate(WEEK[upn]):
            if mark != " ":
                rows.append(
                    [name, reg, year, upn, date_text(DAYS[k // 2]), ("AM", "PM")[k % 2], mark]
                )
    return rows


def grid_two_row_header(
    date_text: Any, pupils: list[tuple[str, str, str, str]] = PUPILS
) -> list[list[Any]]:
    top: list[Any] = ["", "", "", ""]
    bottom: list[Any] = ["UPN", "Name", "Reg", "Year"]
    for day in DAYS:
        top += [date_text(day), ""]  # merged over AM and PM: written in the first cell only
        bottom += ["AM", "PM"]
    rows = [top, bottom]
    for upn, name, reg, year in pupils:
        rows.append([upn, name, reg, year, *[None if m == " " else m for m in WEEK[upn]]])
    return rows


def weekly_rows() -> list[list[Any]]:
    rows: list[list[Any]] = [["Name", "Reg", "Year", "UPN", "Adno", "01/09/2025"]]
    for number, (upn, name, reg, year) in enumerate(PUPILS, start=1):
        rows.append([name, reg, year, upn, f"{number:06d}", WEEK[upn]])
    return rows


def _xlsx(path: Path, sheets: dict[str, list[list[Any]]], merge_dates: bool = False) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if merge_dates:  # merge each date cell over its AM and PM columns
            for r, row in enumerate(rows, start=1):
                if row and row[0] == "" and len(row) > 5:
                    for c in range(5, len(row) + 1, 2):
                        sheet.merge_cells(start_row=r, start_column=c, end_row=r, end_column=c + 1)
    workbook.save(path)
    return path


def build_marks_csv_titles_and_footer(tmp: Path) -> Path:
    rows = marks_rows(lambda d: f"{d:%a %d %b %Y}")  # "Mon 01 Sep 2025"
    path = write_csv(
        tmp / "marks.csv", TITLE_ROWS + _pad(rows, 7) + [["Total", "", "", "", "", "", "28"]]
    )
    with path.open("a", encoding="utf-8") as handle:
        handle.write("Printed 02/09/2025 by SIMS\n")  # a short footer line
    return path


def build_marks_csv_serial_and_iso(tmp: Path) -> Path:
    rows = marks_rows(lambda d: str((d - dt.date(1899, 12, 30)).days))  # Excel day numbers
    for row in rows[1::2]:  # every other row as an ISO date-time
        serial = int(row[4])
        row[4] = (dt.date(1899, 12, 30) + dt.timedelta(days=serial)).isoformat() + "T00:00:00"
    return write_csv(tmp / "serial.csv", rows)


def build_marks_xlsx_date_cells(tmp: Path) -> Path:
    rows = marks_rows(lambda d: dt.datetime(d.year, d.month, d.day))
    return _xlsx(tmp / "marks.xlsx", {"Marks": TITLE_ROWS + rows})


def build_grid_csv_two_row_header(tmp: Path) -> Path:
    rows = grid_two_row_header(lambda d: f"{d:%a} {d:%d/%m/%y}")  # "Mon 01/09/25"
    totals = ["", "Total present", "", "", "1", "1", "3", "2", "1", "2", "3", "3", "2", "2"]
    return write_csv(tmp / "grid.csv", _pad(TITLE_ROWS, 14) + rows + [totals])


def build_grid_csv_one_row_text_dates(tmp: Path) -> Path:
    header: list[Any] = ["Pupil UPN", "Student", "Form", "NC Year"]
    for day in DAYS:
        header += [f"{day:%a %d %b %Y} AM", f"{day:%a %d %b %Y} PM"]  # "Mon 01 Sep 2025 AM"
    rows = [header] + [
        [upn, name, reg, year, *["" if m == " " else m for m in WEEK[upn]]]
        for upn, name, reg, year in PUPILS
    ]
    return write_csv(tmp / "grid-text.csv", rows)


def build_grid_xlsx_sheet_per_class(tmp: Path) -> Path:
    summary = [["Year", "Possible", "Attended", "Attendance %"], ["4", 28, 21, "75.0"]]
    date_cell = lambda d: dt.datetime(d.year, d.month, d.day)  # noqa: E731
    class_s = grid_two_row_header(date_cell, PUPILS[:2])
    class_t = grid_two_row_header(date_cell, PUPILS[2:])
    return _xlsx(
        tmp / "classes.xlsx",
        {"Summary": summary, "4S": TITLE_ROWS + class_s, "4T": class_t, "Key": [["/ present"]]},
        merge_dates=True,
    )


def build_weekly_csv(tmp: Path) -> Path:
    return write_csv(tmp / "weekly.csv", TITLE_ROWS + weekly_rows())


def build_weekly_xlsx(tmp: Path) -> Path:
    rows = weekly_rows()
    rows[0][5] = dt.datetime(2025, 9, 1)  # the Monday as an Excel date cell
    return _xlsx(tmp / "weekly.xlsx", {"Register": rows + [["Total", "", "", "", "", ""]]})


BUILDERS = {
    "marks-csv-title-rows-and-footers": build_marks_csv_titles_and_footer,
    "marks-csv-excel-serials-and-iso-datetimes": build_marks_csv_serial_and_iso,
    "marks-xlsx-title-rows-date-cells": build_marks_xlsx_date_cells,
    "grid-csv-two-row-header-two-digit-years-totals-row": build_grid_csv_two_row_header,
    "grid-csv-text-dates": build_grid_csv_one_row_text_dates,
    "grid-xlsx-sheet-per-class-merged-dates": build_grid_xlsx_sheet_per_class,
    "weekly-csv": build_weekly_csv,
    "weekly-xlsx": build_weekly_xlsx,
}


@pytest.mark.parametrize("build", BUILDERS.values(), ids=BUILDERS.keys())
def test_every_export_layout_gives_the_hand_counted_figures(
    conn: sqlite3.Connection, tmp_path: Path, build: Any
) -> None:
    path = build(tmp_path)
    result = import_registers(conn, paths=[path], school=SCHOOL)
    summary = result.files[0]
    assert summary.status == "imported", summary.problems
    assert summary.marks_added == 28  # 10 + 10 + 8, counted above
    for upn, expected in EXPECTED.items():
        assert figures(conn, upn) == expected, upn
    names = dict(
        conn.connection.execute(
            "SELECT upn, coalesce(surname || ', ' || forename, name_as_written) FROM pupil"
        )
    )
    if "marks-" in build.__name__ or "grid" in build.__name__ or "weekly" in build.__name__:
        assert names == {UPN1: "Smith, Ann", UPN2: "Jones, Bo", UPN3: "Cara Patel"}
    assert conn.connection.execute(
        "SELECT surname FROM pupil WHERE upn = ?", (UPN3,)
    ).fetchone() == (None,)
    groups = sorted(conn.connection.execute("SELECT year_group, registration_group FROM enrolment"))
    assert groups == [("4", "4S"), ("4", "4S"), ("4", "4T")]


def test_title_and_footer_rows_are_noted(conn: sqlite3.Connection, tmp_path: Path) -> None:
    summary = import_registers(
        conn, paths=[build_marks_csv_titles_and_footer(tmp_path)], school=SCHOOL
    ).files[0]
    assert summary.footer_rows == 2  # "Total" (same width) and "Printed ..." (short line)
    assert any("header found on row 4" in n for n in summary.notes)


def test_a_workbook_reads_every_class_sheet_and_names_the_others(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    summary = import_registers(
        conn, paths=[build_grid_xlsx_sheet_per_class(tmp_path)], school=SCHOOL
    ).files[0]
    assert summary.sheets == ["4S", "4T"]
    skipped = {s["sheet"]: s["reason"] for s in summary.sheets_skipped}
    assert set(skipped) == {"Summary", "Key"}
    assert "totals" in skipped["Summary"]
    assert any("sheet 'Summary' skipped" in n for n in summary.notes)
    logged = [
        r[0] for r in conn.connection.execute("SELECT file_format FROM import_log ORDER BY id")
    ]
    assert logged == ["grid/xlsx:4S", "grid/xlsx:4T"]


def test_sheet_option_reads_one_sheet(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = build_grid_xlsx_sheet_per_class(tmp_path)
    summary = import_registers(conn, paths=[path], school=SCHOOL, sheet="4T").files[0]
    assert (summary.status, summary.sheets, summary.marks_added) == ("imported", ["4T"], 8)
    assert stored_year(conn, UPN1) == ""
    assert figures(conn, UPN3) == EXPECTED[UPN3]


def test_sheet_option_names_the_sheets_when_wrong(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = build_grid_xlsx_sheet_per_class(tmp_path)
    summary = import_registers(conn, paths=[path], school=SCHOOL, sheet="4X").files[0]
    assert summary.status == "rejected"
    assert "no sheet named '4X'" in summary.problems[0].message
    assert "'4S', '4T'" in summary.problems[0].message


def test_a_bad_mark_on_one_sheet_rejects_the_whole_workbook(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    date_cell = lambda d: dt.datetime(d.year, d.month, d.day)  # noqa: E731
    bad = grid_two_row_header(date_cell, PUPILS[2:])
    bad[2][5] = "QQ"
    path = _xlsx(tmp_path / "b.xlsx", {"4S": grid_two_row_header(date_cell, PUPILS[:2]), "4T": bad})
    summary = import_registers(conn, paths=[path], school=SCHOOL).files[0]
    assert summary.status == "rejected"
    (problem,) = summary.problems
    assert (problem.file, problem.row, problem.column) == (
        "b.xlsx (sheet '4T')",
        3,
        "2025-09-01 PM",
    )
    assert conn.connection.execute("SELECT count(*) FROM mark_year").fetchone() == (0,)


def test_weekly_grid_column_must_be_a_monday(conn: sqlite3.Connection, tmp_path: Path) -> None:
    rows = weekly_rows()
    rows[0][5] = "02/09/2025"
    summary = import_registers(
        conn, paths=[write_csv(tmp_path / "w.csv", rows)], school=SCHOOL
    ).files[0]
    assert summary.status == "rejected" and not summary.skippable
    assert "not a Monday" in summary.problems[0].message
    assert summary.problems[0].column == "02/09/2025"


def test_weekly_grid_cell_longer_than_a_week_is_refused(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    rows = weekly_rows()
    rows[2][5] = WEEK[UPN2] + "/"
    summary = import_registers(
        conn, paths=[write_csv(tmp_path / "w.csv", rows)], school=SCHOOL
    ).files[0]
    assert summary.status == "rejected"
    assert (summary.problems[0].row, summary.problems[0].column) == (3, "01/09/2025")
    assert "11 characters" in summary.problems[0].message


def test_weekly_grid_keeps_leading_spaces_in_xlsx(conn: sqlite3.Connection, tmp_path: Path) -> None:
    # C's Monday is two spaces: stripping the cell would shift her week by a day
    import_registers(conn, paths=[build_weekly_xlsx(tmp_path)], school=SCHOOL)
    text = stored_year(conn, UPN3)
    from attendance_cli import marks

    assert text[marks.position(DAYS[0], 0)] == "."
    assert text[marks.position(DAYS[1], 0)] == "L"
