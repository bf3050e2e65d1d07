"""CLI wiring: exit codes, JSON on stdout, messages on stderr, fast start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from tests.helpers import SCHOOL, UPN1, write_csv

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


def _marks(tmp_path: Path, rows: list[list[str]], name: str = "m.csv") -> Path:
    return write_csv(tmp_path / name, [["UPN", "Date", "Session", "Mark"], *rows])


def test_help_lists_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("import", "db", "demo"):
        assert command in result.output


def test_import_json_summary(db_path: Path, tmp_path: Path) -> None:
    path = _marks(tmp_path, [[UPN1, "2025-09-03", "AM", "/"], [UPN1, "2025-09-03", "PM", "N"]])
    result = runner.invoke(app, ["import", str(path), "--school", SCHOOL, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["dry_run"] is False
    (summary,) = data["files"]
    assert (summary["file"], summary["layout"], summary["status"], summary["marks_added"]) == (
        "m.csv",
        "marks",
        "imported",
        2,
    )
    assert summary["date_from"] == "2025-09-03"


def test_import_layout_and_output_together(db_path: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "g.csv", [["UPN", "2025-09-03 AM"], [UPN1, "/"]])
    result = runner.invoke(
        app, ["import", str(path), "--school", SCHOOL, "--format", "grid", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["files"][0]["layout"] == "grid"


def test_invalid_file_exits_3_with_location_on_stderr(db_path: Path, tmp_path: Path) -> None:
    path = _marks(tmp_path, [[UPN1, "2025-09-03", "AM", "QQ"]])
    result = runner.invoke(app, ["import", str(path), "--school", SCHOOL])
    assert result.exit_code == 3
    assert "in m.csv, row 2, column 'Mark': 'QQ' is not a DfE attendance code" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_bad_school_option_is_a_clean_error(db_path: Path, tmp_path: Path) -> None:
    path = _marks(tmp_path, [[UPN1, "2025-09-03", "AM", "/"]])
    result = runner.invoke(app, ["import", str(path), "--school", "12"])
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: --school '12' is not a LAESTAB")


def test_unknown_format_value_is_a_usage_error(db_path: Path, tmp_path: Path) -> None:
    path = _marks(tmp_path, [[UPN1, "2025-09-03", "AM", "/"]])
    result = runner.invoke(app, ["import", str(path), "--format", "yaml"])
    assert result.exit_code == 2


def test_db_info_json(db_path: Path, tmp_path: Path) -> None:
    runner.invoke(
        app,
        ["import", str(_marks(tmp_path, [[UPN1, "2025-09-03", "AM", "/"]])), "--school", SCHOOL],
    )
    result = runner.invoke(app, ["db", "info", "--format", "json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["path"] == str(db_path)
    assert (info["schools"], info["pupils"], info["enrolments"], info["marks"]) == (1, 1, 1, 1)
    assert (info["first_date"], info["last_date"]) == ("2025-09-03", "2025-09-03")


def test_db_option_overrides_environment(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    assert runner.invoke(app, ["--db", str(other), "db", "init"]).exit_code == 0
    result = runner.invoke(app, ["--db", str(other), "db", "info", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["path"] == str(other)
    assert oct(other.stat().st_mode & 0o777) == "0o600"


def test_database_problem_exits_6(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_text("not a database " * 200)
    result = runner.invoke(app, ["--db", str(bad), "db", "info"])
    assert result.exit_code == 6
    assert result.stderr.startswith("Error:")


def test_every_command_has_help_and_is_in_the_readme() -> None:
    import typer.main

    readme = (ROOT / "README.md").read_text()
    group = typer.main.get_command(app)

    def walk(command, prefix):  # type: ignore[no-untyped-def]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                yield from walk(sub, [*prefix, name])
        else:
            yield " ".join(prefix), command

    names = list(walk(group, []))
    assert names
    for name, command in names:
        assert (command.help or "").strip(), f"att {name} has no help text"
        assert f"att {name}" in readme, f"att {name} is not in the README"


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from attendance_cli.cli.app import app\n"
        "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'alembic', 'openpyxl', 'pyarrow', 'numpy', "
        "'questionary', 'python_calamine') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_python_dash_m_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "attendance_cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith("att ")


@pytest.mark.skipif(os.environ.get("ATT_SKIP_WHEEL_TEST") == "1", reason="ATT_SKIP_WHEEL_TEST=1")
def test_installed_wheel_runs_from_another_folder(tmp_path: Path) -> None:
    """Build the wheel, install it (not editable) into a folder of its own and run att from
    elsewhere: the migrations and sample data must ship inside the package."""
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("*.whl")
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(target),
        "ATT_DB": str(tmp_path / "w.sqlite"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    where = subprocess.run(
        [sys.executable, "-c", "import attendance_cli; print(attendance_cli.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(target))
    init = subprocess.run(
        [sys.executable, "-m", "attendance_cli", "db", "init"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert init.returncode == 0, init.stderr
    info = subprocess.run(
        [sys.executable, "-m", "attendance_cli", "db", "info", "--format", "json"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["schema_revision"]
    demo = subprocess.run(
        [sys.executable, "-m", "attendance_cli", "demo"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert demo.returncode == 0, demo.stderr
    # the built-in letter templates ship inside the package (issue 15)
    templates = subprocess.run(
        [sys.executable, "-m", "attendance_cli", "letter", "templates", "--format", "json"],
        cwd=elsewhere,
        env={**env, "ATT_CONFIG": str(tmp_path / "none.toml")},
        capture_output=True,
        text=True,
    )
    assert templates.returncode == 0, templates.stderr
    shipped = json.loads(templates.stdout)
    assert len(shipped) == 10 and all(t["path"].startswith(str(target)) for t in shipped)
