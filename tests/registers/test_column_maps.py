"""A school's saved column map: --columns once, applied to its later files, named in the log.

Hand-counted: each odd-layout file holds UPN1's Mon 1 and Tue 2 Sep 2025, AM and PM: wk1 has
``/ \\ / \\`` (4 present), wk2 ``I N / \\`` (2 present, 1 authorised, 1 unauthorised).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from attendance_cli.errors import InvalidInputError, NotFoundError
from attendance_cli.registers.column_maps import (
    forget_school_columns,
    list_saved_columns,
    save_school_columns,
)
from attendance_cli.registers.importer import import_registers
from tests.helpers import SCHOOL, UPN1, write_csv
from tests.registers.test_school_exports import figures

MAP = "upn=Pupil No,date=Day,session=Half,mark=Code"
ODD_HEADER = ["Pupil No", "Day", "Half", "Code"]


def _odd(path: Path, codes: str) -> Path:
    sessions = [
        ("01/09/2025", "AM"),
        ("01/09/2025", "PM"),
        ("02/09/2025", "AM"),
        ("02/09/2025", "PM"),
    ]
    rows = [[UPN1, day, half, code] for (day, half), code in zip(sessions, codes, strict=True)]
    return write_csv(path, [ODD_HEADER, *rows])


def _import(conn: sqlite3.Connection, path: Path, **kwargs):  # type: ignore[no-untyped-def]
    return import_registers(conn, paths=[path], school=SCHOOL, **kwargs).files[0]


def test_saved_map_is_used_for_the_schools_later_files(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    from attendance_cli.registers.layouts import parse_column_map

    first = _import(conn, _odd(tmp_path / "wk1.csv", "/\\/\\"), column_map=parse_column_map(MAP))
    assert first.status == "imported", first.problems
    saved = save_school_columns(conn, laestab=SCHOOL, columns=MAP)
    assert saved.columns == {"upn": "Pupil No", "date": "Day", "session": "Half", "mark": "Code"}
    later = _import(conn, _odd(tmp_path / "wk2.csv", "IN/\\"))
    assert (later.status, later.layout, later.marks_changed) == ("imported", "marks", 2)
    assert figures(conn, UPN1) == (4, 2, 1, 1)
    assert f"wk2.csv: columns chosen by the column map saved for {SCHOOL}: upn='Pupil No', " in (
        "\n".join(later.notes)
    ), later.notes
    logged = conn.connection.execute("SELECT column_map FROM import_log ORDER BY id").fetchall()
    assert logged == [(f"--columns {MAP}",), (f"saved for {SCHOOL}: {MAP}",)]


def test_without_the_saved_map_the_odd_layout_is_refused(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    summary = _import(conn, _odd(tmp_path / "wk2.csv", "IN/\\"))
    assert summary.status == "rejected"


def test_a_file_without_the_mapped_columns_is_read_as_usual(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    from attendance_cli.registers.layouts import parse_column_map

    _import(conn, _odd(tmp_path / "wk1.csv", "/\\/\\"), column_map=parse_column_map(MAP))
    save_school_columns(conn, laestab=SCHOOL, columns=MAP)
    usual = write_csv(
        tmp_path / "marks.csv",
        [["UPN", "Date", "Session", "Mark"], [UPN1, "03/09/2025", "AM", "/"]],
    )
    summary = _import(conn, usual)
    assert summary.status == "imported", summary.problems
    assert any("was not used (no column 'Pupil No'" in note for note in summary.notes)
    assert conn.connection.execute(
        "SELECT column_map FROM import_log ORDER BY id DESC"
    ).fetchone() == (None,)


def test_explicit_columns_win_over_the_saved_map(conn: sqlite3.Connection, tmp_path: Path) -> None:
    from attendance_cli.registers.layouts import parse_column_map

    _import(conn, _odd(tmp_path / "wk1.csv", "/\\/\\"), column_map=parse_column_map(MAP))
    save_school_columns(conn, laestab=SCHOOL, columns="upn=Pupil No,mark=Nothing")
    summary = _import(conn, _odd(tmp_path / "wk2.csv", "IN/\\"), column_map=parse_column_map(MAP))
    assert summary.status == "imported"
    assert any("columns chosen by --columns" in note for note in summary.notes)


def test_forget_and_listing(conn: sqlite3.Connection, tmp_path: Path) -> None:
    from attendance_cli.registers.layouts import parse_column_map

    _import(conn, _odd(tmp_path / "wk1.csv", "/\\/\\"), column_map=parse_column_map(MAP))
    save_school_columns(conn, laestab=SCHOOL, columns=MAP)
    save_school_columns(conn, laestab=SCHOOL, columns="upn=Pupil No,mark=Code")  # replaces
    (listed,) = list_saved_columns(conn)
    assert (listed.laestab, listed.text) == (SCHOOL, "upn=Pupil No,mark=Code")
    assert forget_school_columns(conn, laestab=SCHOOL) == 2
    assert list_saved_columns(conn) == []
    with pytest.raises(NotFoundError, match="No column map is saved"):
        forget_school_columns(conn, laestab=SCHOOL)
    assert _import(conn, _odd(tmp_path / "wk2.csv", "IN/\\")).status == "rejected"


@pytest.mark.parametrize(
    ("laestab", "columns", "error", "match"),
    [
        pytest.param("8999999", MAP, NotFoundError, "No school 8999999", id="unknown-school"),
        pytest.param(
            SCHOOL, "mark=Code", InvalidInputError, "must say which column is the UPN", id="no-upn"
        ),
        pytest.param(SCHOOL, "colour=Code,upn=X", InvalidInputError, "not a field", id="bad-field"),
        pytest.param("89920", MAP, InvalidInputError, "not a LAESTAB", id="bad-laestab"),
    ],
)
def test_save_refuses(
    conn: sqlite3.Connection, laestab: str, columns: str, error: type, match: str
) -> None:
    conn.connection.execute(
        "INSERT INTO school (laestab, name, created_at) VALUES (?, 'Castle Hill', '2025-09-01')",
        (SCHOOL,),
    )
    conn.connection.commit()
    with pytest.raises(error, match=match):
        save_school_columns(conn, laestab=laestab, columns=columns)


# --------------------------------------------------------------------------- the CLI wiring

runner = CliRunner()


def test_cli_save_columns_then_import_then_list(db_path: Path, tmp_path: Path) -> None:
    wk1, wk2 = _odd(tmp_path / "wk1.csv", "/\\/\\"), _odd(tmp_path / "wk2.csv", "IN/\\")
    first = runner.invoke(
        app, ["import", str(wk1), "--school", SCHOOL, "--columns", MAP, "--save-columns"]
    )
    assert first.exit_code == 0, first.output
    assert f"column map saved for {SCHOOL}" in first.output
    later = runner.invoke(app, ["import", str(wk2), "--school", SCHOOL, "--format", "json"])
    assert later.exit_code == 0, later.output
    listed = runner.invoke(app, ["columns", "list", "--format", "json"])
    (row,) = json.loads(listed.stdout)["column_maps"]
    assert (row["laestab"], row["columns"], row["fields"]["mark"]) == (SCHOOL, MAP, "Code")
    assert set(row) == {"laestab", "school_name", "columns", "fields", "saved_at", "officer"}
    forgot = runner.invoke(app, ["columns", "forget", "--school", SCHOOL])
    assert forgot.exit_code == 0 and "Forgot the column map of 4 fields" in forgot.output


def test_cli_save_columns_needs_school_and_columns(db_path: Path, tmp_path: Path) -> None:
    wk1 = _odd(tmp_path / "wk1.csv", "/\\/\\")
    result = runner.invoke(app, ["import", str(wk1), "--columns", MAP, "--save-columns"])
    assert result.exit_code == 2
    assert "--save-columns" in result.output


def test_cli_forget_unknown_is_not_found(db_path: Path) -> None:
    result = runner.invoke(app, ["columns", "forget", "--school", SCHOOL])
    assert result.exit_code == 4
    assert "No column map is saved" in result.output
