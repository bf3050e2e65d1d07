"""Where a database may be, and which commands may create one (issues 13.14 and 14).

Only `att import`, `att db init`, `att db upgrade` and `att db restore` create a database. Every
other command, each run with made-up arguments (so commands added later are covered too), on a
database that does not exist leaves nothing behind and, when it gets as far as opening one, says
"No database at …" and exits 4. A dangling symbolic link, a device, a journal that is a link,
and a folder others can write to are refused."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from attendance_cli.db.engine import open_database
from attendance_cli.errors import DatabaseError, ExitCode, NotFoundError, UsageError
from tests.helpers import SCHOOL, UPN1, write_csv

runner = CliRunner()
CREATORS = {("import",), ("db", "init"), ("db", "upgrade"), ("db", "restore"), ("demo",)}


def _commands() -> list[tuple[tuple[str, ...], Any]]:
    """Every leaf command of the app (typer's own click, read by duck typing: never
    ``import click``)."""
    found: list[tuple[tuple[str, ...], Any]] = []

    def walk(prefix: tuple[str, ...], command: Any) -> None:
        if getattr(command, "commands", None):
            for name, sub in command.commands.items():
                walk((*prefix, name), sub)
        else:
            found.append((prefix, command))

    walk((), typer.main.get_command(app))
    return found


def _value(param: Any, tmp_path: Path) -> str:
    kinds = {cls.__name__ for cls in type(param.type).__mro__}
    name = param.name or ""
    if "Choice" in kinds:
        return str(param.type.choices[0])
    if "DateTime" in kinds:
        return "2025-11-20"
    if kinds & {"IntParamType", "FloatParamType"}:
        return "1"
    if "Path" in kinds or any(word in name for word in ("path", "file", "bundle", "workbook")):
        made = tmp_path / "input.csv"
        made.write_text("UPN,Date,Session,Mark\n")
        return str(made)
    return UPN1


def _invocation(path: tuple[str, ...], command: Any, tmp_path: Path) -> list[str]:
    args = list(path)
    for param in command.params:
        if not param.required:
            continue
        value = _value(param, tmp_path)
        if param.param_type_name == "option":
            args += [param.opts[0], value]
        else:
            args.append(value)
    return args


COMMANDS = _commands()


def test_the_commands_are_found() -> None:
    names = {path for path, _ in COMMANDS}
    assert {("schools",), ("db", "info"), ("tsm", "prepare"), ("import",)} <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_no_command_but_the_writing_ones_creates_a_database(
    path: tuple[str, ...], command: Any, tmp_path: Path
) -> None:
    if path in CREATORS:
        pytest.skip("creates a database by design")
    folder = tmp_path / "nosuchdir"
    db = folder / "x.sqlite"
    result = runner.invoke(app, ["--db", str(db), *_invocation(path, command, tmp_path)])
    assert not folder.exists(), f"att {' '.join(path)} created {folder}"
    assert result.exit_code != 0 or "no database" not in result.output.lower()
    if "No database at" in result.stderr:
        assert result.exit_code == ExitCode.NOT_FOUND
        assert "att import or att db init" in result.stderr


def test_a_read_command_on_a_missing_database_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--db", str(tmp_path / "nosuchdir" / "x.sqlite"), "schools"])
    assert result.exit_code == ExitCode.NOT_FOUND
    assert f"No database at {tmp_path / 'nosuchdir' / 'x.sqlite'}" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_empty_db_option_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = runner.invoke(app, ["--db", "", "schools"])
    assert result.exit_code == ExitCode.USAGE and "--db is empty" in result.stderr
    assert not (tmp_path / "data").exists()


def test_import_and_db_init_create_a_private_database(tmp_path: Path) -> None:
    marks = write_csv(
        tmp_path / "m.csv",
        [["UPN", "LAESTAB", "Date", "Session", "Mark"], [UPN1, SCHOOL, "2025-09-03", "AM", "/"]],
    )
    imported = runner.invoke(
        app, ["--db", str(tmp_path / "new" / "a.sqlite"), "import", str(marks)]
    )
    assert imported.exit_code == 0, imported.output
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700
    init = runner.invoke(app, ["--db", str(tmp_path / "b.sqlite"), "db", "init"])
    assert init.exit_code == 0 and (tmp_path / "b.sqlite").stat().st_mode & 0o777 == 0o600
    again = runner.invoke(app, ["--db", str(tmp_path / "b.sqlite"), "schools", "--format", "json"])
    assert again.exit_code == 0, again.output


def test_a_dangling_symbolic_link_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "att.sqlite"
    link.symlink_to(tmp_path / "elsewhere" / "target.sqlite")
    with pytest.raises(DatabaseError, match="symbolic link to a file that does not exist"):
        open_database(link)
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.sqlite_only  # a symbolic link to the SQLite file
def test_a_link_to_a_database_is_followed(db_path: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.sqlite"
    link.symlink_to(db_path)
    conn, result = open_database(link, create=False)
    conn.close()
    assert not result.created


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_device_is_refused_and_no_journal_is_made_beside_it() -> None:
    before = set(os.listdir("/dev"))
    with pytest.raises(DatabaseError, match="not a regular file"):
        open_database(Path("/dev/full"))
    assert set(os.listdir("/dev")) == before


@pytest.mark.sqlite_only  # SQLite's journal file beside the database
def test_a_journal_that_is_a_link_is_refused(db_path: Path, tmp_path: Path) -> None:
    Path(f"{db_path}-wal").symlink_to(tmp_path / "planted")
    with pytest.raises(DatabaseError, match="not a regular file"):
        open_database(db_path)


def test_no_new_database_in_a_folder_others_can_write(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(DatabaseError, match="other users can write to that folder"):
        open_database(shared / "att.sqlite")
    assert list(shared.iterdir()) == []


def test_an_empty_file_is_no_database_for_a_read_command(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.touch(mode=0o600)
    with pytest.raises(NotFoundError, match="No database at"):
        open_database(empty, create=False)
    assert empty.stat().st_size == 0


def test_database_path_rejects_empty() -> None:
    from attendance_cli.config import database_path

    with pytest.raises(UsageError):
        database_path("")


def test_most_commands_get_as_far_as_the_database_check(tmp_path: Path) -> None:
    """Keeps the test above honest: its made-up arguments get most commands to open the
    database (a command refusing its arguments first would prove nothing)."""
    reached = 0
    for number, (path, command) in enumerate(COMMANDS):
        if path in CREATORS:
            continue
        work = tmp_path / str(number)
        work.mkdir()
        db = work / "nosuchdir" / "x.sqlite"
        result = runner.invoke(app, ["--db", str(db), *_invocation(path, command, work)])
        reached += "No database at" in result.stderr
    assert reached >= 20
