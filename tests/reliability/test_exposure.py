"""Exposure: files att creates are private (0600, folders 0700) whatever the umask; an existing
database readable by others is warned about; every spreadsheet export (CSV and XLSX) neutralises
text that a spreadsheet would run as a formula; names from data never choose where a file goes;
problem messages name the location, never a whole row or contact details."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cases.documents import attach_document
from attendance_cli.cli.app import app
from attendance_cli.config import document_store
from attendance_cli.registers.importer import import_registers
from tests.helpers import SCHOOL, UPN1, connect_to, write_csv
from tests.reliability.support import att_command, child_env, write_big_marks_csv

runner = CliRunner()
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ['=HYPERLINK("http://evil","x")', "+44 7700 900000", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
CASTLE_HILL = "8994001"


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


# ------------------------------------------------------------------------------- modes


def test_new_database_folder_and_files_are_private_even_with_umask_0(tmp_path: Path) -> None:
    db = tmp_path / "new" / "deeper" / "att.sqlite"
    small = tmp_path / "small.csv"
    write_big_marks_csv(small, pupils=5, days=2)
    script = (
        "import os, runpy, sys; os.umask(0); sys.argv = ['att', *sys.argv[1:]]; "
        "runpy.run_module('attendance_cli', run_name='__main__')"
    )
    command = att_command("import", str(small), db=db)
    command[1:3] = ["-c", script]  # same arguments, run after umask(0)
    result = subprocess.run(command, capture_output=True, text=True, env=child_env())
    assert result.returncode == 0, result.stderr
    assert _mode(db) == 0o600
    assert _mode(db.parent) == 0o700 and _mode(db.parent.parent) == 0o700
    for sidecar in (Path(f"{db}-wal"), Path(f"{db}-shm")):
        if sidecar.exists():
            assert _mode(sidecar) == 0o600


def test_exports_and_backups_are_private_even_with_umask_0(sample_db: Path, tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        pack = runner.invoke(
            app, ["tsm", "prepare", "--school", CASTLE_HILL, "--output", str(tmp_path / "p.xlsx")]
        )
        backup = runner.invoke(app, ["db", "backup", str(tmp_path / "b.sqlite")])
        rows = [["UPN", "Date", "Session", "Mark"], [UPN1, "2025-09-03", "AM", "QQ"]]
        bad = write_csv(tmp_path / "bad.csv", rows)
        skipped = runner.invoke(app, ["import", str(bad), "--school", SCHOOL, "--skip-invalid"])
    finally:
        os.umask(old)
    assert pack.exit_code == backup.exit_code == skipped.exit_code == 0
    for name in ("p.xlsx", "b.sqlite", "bad.rejected.csv"):
        assert _mode(tmp_path / name) == 0o600, name


def test_document_store_is_private_and_names_cannot_escape_it(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    upn = sample_conn.connection.execute("SELECT upn FROM pupil LIMIT 1").fetchone()[0]
    outside = tmp_path / "outside"
    outside.mkdir()
    sneaky = outside / "..%2F..%2Fescape.txt"  # a name made to look like a path
    sneaky.write_text("letter to parents")
    store = document_store(sample_db)

    def files() -> set[Path]:  # this test's folder, and the folder above (../ from the store)
        return {p for p in [*tmp_path.rglob("*"), *tmp_path.parent.iterdir()] if p.is_file()}

    before = files()
    record = attach_document(
        sample_conn, upn=upn, file=sneaky, kind="letter", store=store, officer="Test Officer"
    )
    stored = Path(record.stored_path)
    assert stored.parent == store and stored.name == record.sha256
    assert _mode(store) == 0o700 and _mode(stored) == 0o600
    # the only new file anywhere is the stored copy (the database's journals aside): nothing was
    # written under the document's own name, inside or outside the store
    new = files() - before
    assert {p for p in new if not p.name.startswith(sample_db.name)} == {stored}
    assert record.file_name == sneaky.name  # kept only as a label, never as a path


@pytest.mark.sqlite_only  # the database FILE's mode; a server's data is the server's
def test_cli_warns_when_the_database_is_readable_by_others(db_path: Path) -> None:
    db_path.chmod(0o644)
    result = runner.invoke(app, ["db", "info", "--format", "json"])
    assert result.exit_code == 0
    assert "Warning:" in result.stderr and "chmod 600" in result.stderr
    json.loads(result.stdout)  # the warning never spoils the result on stdout


# ------------------------------------------------------------------- formula injection


@pytest.fixture
def hostile_db(sample_db: Path) -> Path:
    """The sample LA with Castle Hill pupils renamed to formula-like text."""
    conn = connect_to(sample_db)
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT p.id FROM pupil p JOIN enrolment e ON e.pupil_id = p.id "
            "JOIN school s ON s.id = e.school_id WHERE s.laestab = ? ORDER BY p.id",
            (CASTLE_HILL,),
        )
    ]
    for number, pupil_id in enumerate(ids):
        value = HOSTILE[number % len(HOSTILE)]
        conn.execute(
            "UPDATE pupil SET surname = ?, forename = ? WHERE id = ?", (value, value, pupil_id)
        )
    conn.commit()
    conn.close()
    return sample_db


def test_tsm_csv_export_neutralises_formulas(hostile_db: Path) -> None:
    result = runner.invoke(
        app, ["tsm", "prepare", "--school", CASTLE_HILL, "--all", "--format", "csv"]
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows
    for row in rows:
        for value in row.values():
            assert not value.startswith(TRIGGERS), value
        # guarded with an apostrophe; a carriage return inside becomes a quoted line feed
        shown = row["surname"].lstrip("'").replace("\n", "\r")
        assert shown in HOSTILE and row["surname"].startswith("'")


def test_tsm_workbook_export_neutralises_formulas(hostile_db: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "pack.xlsx"
    result = runner.invoke(
        app, ["tsm", "prepare", "--school", CASTLE_HILL, "--all", "--output", str(path)]
    )
    assert result.exit_code == 0, result.stderr
    seen = 0
    workbook = load_workbook(path)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(TRIGGERS), (sheet.title, cell.value)
                    seen += cell.value.lstrip("'") in HOSTILE
    assert seen >= len(HOSTILE)


def test_rejected_rows_export_neutralises_formulas(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    rows = [["UPN", "Date", "Session", "Mark"], [UPN1, "2025-09-03", "AM", "/"]]
    rows += [[UPN1, "2025-09-04", "AM", value] for value in HOSTILE]
    path = write_csv(tmp_path / "hostile.csv", rows)
    result = import_registers(conn, paths=[path], school=SCHOOL, skip_invalid=True)
    rejected = Path(result.files[0].rejected_file or "")
    with rejected.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    assert len(lines) > 1
    for line in lines:
        for value in line:
            assert not value.startswith(TRIGGERS), value


# ------------------------------------------------------------------- messages and logs

CONTACT = ["07700 900123", "pat.smith@example.com", "12 Secret Lane, Kestrelford KF1 1AA"]


def test_problem_messages_never_carry_contact_details(db_path: Path, tmp_path: Path) -> None:
    header = [
        "UPN", "Surname", "Forename", "DOB", "Gender", "Year", "LAESTAB", "School Name",
        "Entry Date", "Leaving Date", "FSM", "SEN", "Social Worker", "Looked After",
        "Parent 1 Name", "Parent 1 Phone", "Parent 1 Email", "Parent 1 Address",
    ]  # fmt: skip
    bad = [
        "NOT-A-UPN", "Smith", "Pat", "31/02/2014", "Q", "99", SCHOOL, "Castle", "2025-13-01", "",
        "maybe", "Z", "??", "perhaps", "Pat Smith", *CONTACT,
    ]  # fmt: skip
    path = write_csv(tmp_path / "roster.csv", [header, bad, bad])
    result = runner.invoke(app, ["import", str(path), "--format", "json"])
    assert result.exit_code == 3
    problems = json.loads(result.stdout)["files"][0]["problems"]
    assert len(problems) >= 5  # the bad cells are reported, each with its row and column
    assert all(p["row"] in (2, 3) and p["column"] for p in problems)
    for text in (result.stdout, result.stderr):
        for detail in CONTACT:
            assert detail not in text


def test_unreadable_csv_message_does_not_echo_the_row(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(
        'UPN,Date,Session,Mark\n"' + CONTACT[2] + " ,2025-09-03,AM,/\n" + "x,y,z,w\n" * 3,
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(path), "--school", SCHOOL])
    assert result.exit_code == 3
    assert "broken.csv" in result.stderr
    assert CONTACT[2] not in result.stderr and "Secret Lane" not in result.stderr
