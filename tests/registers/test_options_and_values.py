"""--columns, --layout, --sheet wiring, att codes, value parsing, rosters' yes/no details, and the
XLSX cell-extent guard on a wide (two-year) grid."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli import codes
from attendance_cli.cli.app import app
from attendance_cli.registers.importer import import_registers
from attendance_cli.registers.layouts import parse_column_map
from attendance_cli.registers.values import (
    check_date_order,
    normalise_year_group,
    parse_date,
    split_name,
)
from tests.helpers import SCHOOL, UPN1, UPN2, stored_year, weekdays, write_csv
from tests.registers.test_school_exports import figures

runner = CliRunner()


def test_columns_maps_an_unrecognised_layout(conn: sqlite3.Connection, tmp_path: Path) -> None:
    rows = [
        ["Pupil No", "Day", "Half", "Code"],
        [UPN1, "01/09/2025", "AM", "/"],
        [UPN1, "01/09/2025", "PM", "N"],
    ]
    path = write_csv(tmp_path / "odd.csv", rows)
    refused = import_registers(conn, paths=[path], school=SCHOOL).files[0]
    assert refused.status == "rejected" and "--columns" in (refused.problems[0].hint or "")
    mapping = parse_column_map("upn=Pupil No, date=Day,session=half ,mark=CODE")
    summary = import_registers(conn, paths=[path], school=SCHOOL, column_map=mapping).files[0]
    assert summary.status == "imported", summary.problems
    assert figures(conn, UPN1) == (2, 1, 0, 1)


def test_columns_finds_the_header_below_title_rows(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    rows = [["Report"], [], ["Pupil No", "Day", "Half", "Code"], [UPN1, "01/09/2025", "AM", "/"]]
    mapping = parse_column_map("upn=Pupil No,date=Day,session=Half,mark=Code")
    path = write_csv(tmp_path / "odd.csv", rows)
    summary = import_registers(conn, paths=[path], school=SCHOOL, column_map=mapping).files[0]
    assert summary.status == "imported", summary.problems


@pytest.mark.parametrize("text", ["upn", "nonsense=Pupil", "upn="])
def test_columns_refuses_what_it_cannot_use(text: str) -> None:
    from attendance_cli.errors import InvalidInputError

    with pytest.raises(InvalidInputError):
        parse_column_map(text)


def test_cli_layout_option_and_deprecated_format_layout(db_path: Path, tmp_path: Path) -> None:
    header = ["UPN", "01/09/2025 AM"]
    path = write_csv(tmp_path / "g.csv", [header, [UPN1, "/"]])
    result = runner.invoke(
        app, ["import", str(path), "--school", SCHOOL, "--layout", "grid", "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["files"][0]["layout"] == "grid"
    old = runner.invoke(
        app, ["import", str(path), "--school", SCHOOL, "--format", "grid", "--format", "json"]
    )
    assert old.exit_code == 0, old.stderr
    assert "deprecated" in old.stderr and "--layout grid" in old.stderr
    assert json.loads(old.stdout)["files"][0]["marks_unchanged"] == 1
    bad = runner.invoke(app, ["import", str(path), "--format", "csv"])
    assert bad.exit_code == 2


def test_cli_sheets_in_json(db_path: Path, tmp_path: Path) -> None:
    from tests.registers.test_school_exports import build_grid_xlsx_sheet_per_class

    path = build_grid_xlsx_sheet_per_class(tmp_path)
    result = runner.invoke(app, ["import", str(path), "--school", SCHOOL, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)["files"][0]
    assert data["sheets"] == ["4S", "4T"]
    assert [s["sheet"] for s in data["sheets_skipped"]] == ["Summary", "Key"]


def test_att_codes_lists_both_sets_and_local_codes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["codes", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["codes"]
    by_set = {(r["code"], r["code_set"]): r for r in rows}
    assert by_set[("J", "2006")]["category"] == "aea" and by_set[("J", "2006")]["attended"]
    assert by_set[("J1", "2024")]["category"] == "authorised"
    assert not by_set[("X", "2024")]["possible"]
    assert len(rows) == len(codes.CODES_2024) + len(codes.CODES_2006) + 1
    path = write_csv(tmp_path / "map.csv", [["local_code", "statutory_code"], ["L7", "N"]])
    csv_out = runner.invoke(app, ["codes", "--map", str(path), "--format", "csv"])
    assert csv_out.exit_code == 0
    assert csv_out.stdout.splitlines()[-1].startswith("L7,local,unauthorised,True,False,")


@pytest.mark.parametrize(
    "text,expected",
    [
        pytest.param("Wed 03/09/25", dt.date(2025, 9, 3), id="weekday-two-digit-year"),
        pytest.param("01/09/25", dt.date(2025, 9, 1), id="two-digit-year"),
        pytest.param("Mon 01 Sep 2025", dt.date(2025, 9, 1), id="text-month"),
        pytest.param("1 September 25", dt.date(2025, 9, 1), id="long-month-two-digit"),
        pytest.param("01-Sep-2025", dt.date(2025, 9, 1), id="dashed-month"),
        pytest.param("2025-09-03T08:45:00", dt.date(2025, 9, 3), id="iso-datetime"),
        pytest.param("2025-09-03T00:00:00Z", dt.date(2025, 9, 3), id="iso-datetime-utc"),
        pytest.param("01 Spt 2025", None, id="not-a-month"),
        pytest.param("45901", None, id="serial-not-allowed-by-default"),
    ],
)
def test_parse_date_forms(text: str, expected: dt.date | None) -> None:
    assert parse_date(text)[0] == expected


def test_excel_serial_dates() -> None:
    assert parse_date("45901", allow_serial=True) == (dt.date(2025, 9, 1), None)
    assert parse_date("45901.0", allow_serial=True)[0] == dt.date(2025, 9, 1)
    assert parse_date("10000", allow_serial=True)[0] is None  # 1927: not a register date


def test_check_date_order_accepts_uk_and_mixed_files() -> None:
    assert check_date_order(["13/09/2025", "01/10/2025"]) is None  # 13 can only be a day
    assert check_date_order(["2025-09-01", "09/13/2025"]) is None  # judged cell by cell
    assert check_date_order(["01/09/2025"]) is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Year 4", "4"), ("Y4", "4"), ("yr 04", "4"), ("4", "4"), ("Year 11", "11"),
        ("Reception", "R"), ("R", "R"), ("YR", "R"), ("N1", "N1"), ("n2", "N2"),
        ("Nursery", "N"), ("Sixth form", "Sixth form"), ("", None),
    ],
)  # fmt: skip
def test_normalise_year_group(text: str, expected: str | None) -> None:
    assert normalise_year_group(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Smith, Ann", ("Smith", "Ann", None)),
        ("  de la Cruz ,  Mary Jo ", ("de la Cruz", "Mary Jo", None)),
        ("Cara Patel", (None, None, "Cara Patel")),
        ("Smith,", (None, None, "Smith,")),
    ],
)
def test_split_name(text: str, expected: tuple[str | None, str | None, str | None]) -> None:
    assert split_name(text) == expected


def test_roster_yes_flags_and_sen_words(conn: sqlite3.Connection, tmp_path: Path) -> None:
    rows = [
        ["UPN", "Name", "DOB", "Year", "Form", "SocialWorker", "FSM", "Looked After", "SEN"],
        [UPN1, "Smith, Ann", "01/02/2017", "Year 4", "4S", "Y", "Yes", "True", "SEN support"],
        [UPN2, "Bo Jones", "02/03/2017", "Reception", "RB", "N", "1", "0", "EHC plan"],
    ]
    summary = import_registers(
        conn, paths=[write_csv(tmp_path / "r.csv", rows)], school=SCHOOL
    ).files[0]
    assert summary.status == "imported", summary.problems
    got = sorted(
        conn.connection.execute(
            "SELECT p.upn, p.surname, p.forename, p.name_as_written, p.social_worker, p.fsm, "
            "p.looked_after, p.sen, e.year_group, e.registration_group FROM pupil p "
            "JOIN enrolment e ON e.pupil_id = p.id"
        )
    )
    assert got == [
        (UPN1, "Smith", "Ann", None, "SW", 1, 1, "K", "4", "4S"),
        (UPN2, None, None, "Bo Jones", None, 1, 0, "E", "R", "RB"),
    ]


def test_wide_two_year_grid_passes_the_cell_extent_guard(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    days = weekdays(dt.date(2024, 9, 2), 330)  # 660 session columns, two academic years
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["UPN", *[f"{d:%d/%m/%Y} {s}" for d in days for s in ("AM", "PM")]])
    sheet.append([UPN1, *(["/", "\\"] * len(days))])
    path = tmp_path / "wide.xlsx"
    workbook.save(path)
    with zipfile.ZipFile(path) as archive:  # the theme part that used to trip the guard
        assert b'r="50000"' in archive.read("xl/theme/theme1.xml")
    summary = import_registers(conn, paths=[path], school=SCHOOL).files[0]
    assert summary.status == "imported", summary.problems
    assert summary.marks_added == 660
    assert stored_year(conn, UPN1, 2024) and stored_year(conn, UPN1, 2025)


def test_session_first_headers_and_padded_weekly_cells(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    grid = write_csv(
        tmp_path / "g.csv", [["UPN", "AM 01/09/2025", "PM 01/09/2025"], [UPN1, "/", "N"]]
    )
    assert import_registers(conn, paths=[grid], school=SCHOOL).files[0].status == "imported"
    assert figures(conn, UPN1) == (2, 1, 0, 1)
    weekly = write_csv(tmp_path / "w.csv", [["UPN", "08/09/2025"], [UPN2, "/\\/\\/\\/\\/\\   "]])
    summary = import_registers(conn, paths=[weekly], school=SCHOOL).files[0]
    assert summary.status == "imported", summary.problems
    assert figures(conn, UPN2) == (10, 10, 0, 0)
