"""A mistyped file name for att import is a file problem (issue 14): exit 7 "No such file",
said before any database is opened or created, never a rejected-import row."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from attendance_cli.cli.app import app
from attendance_cli.errors import ExitCode
from tests.helpers import SCHOOL, UPN1, write_csv

runner = CliRunner()


def test_a_missing_file_is_exit_7_and_creates_nothing(tmp_path: Path) -> None:
    database = tmp_path / "new" / "att.sqlite"
    (tmp_path / "new").mkdir(mode=0o700)
    good = write_csv(
        tmp_path / "good.csv", [["UPN", "Date", "Session", "Mark"], [UPN1, "2025-09-03", "AM", "/"]]
    )
    result = runner.invoke(
        app,
        [
            "--db",
            str(database),
            "import",
            str(good),
            str(tmp_path / "nosuch.csv"),
            "--school",
            SCHOOL,
        ],
    )
    assert result.exit_code == ExitCode.FILE == 7
    assert result.stderr.startswith(f"Error: No such file: {tmp_path / 'nosuch.csv'}")
    assert "skip-invalid" not in result.stderr and "REJECTED" not in result.stdout
    assert not database.exists()  # nothing opened or created, the good file not imported


def test_a_folder_is_not_a_register(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(tmp_path), "--school", SCHOOL])
    assert result.exit_code == 7 and "is a folder, not a file" in result.stderr
