"""``att`` builds only the command group it runs (``cli.app.main``, issue 11's speed): the
table of top-level commands must name every command of the whole tree, each registration must
add exactly its own name, and a run through ``main`` must behave as the whole app does."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer.main

from attendance_cli.cli import app as app_module
from attendance_cli.cli.help import command_paths

FULL = typer.main.get_command(app_module.app)


def test_the_table_names_every_top_level_command() -> None:
    assert sorted(app_module.COMMANDS) == sorted(FULL.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", list(app_module.COMMANDS))
def test_each_registration_builds_its_own_commands_only(name: str) -> None:
    one = typer.main.get_command(app_module.build_app(name))
    assert list(one.commands) == [name]  # type: ignore[attr-defined]
    mine = {path for path, _ in command_paths(one)}
    whole = {path for path, _ in command_paths(FULL) if path.split()[0] == name}
    assert mine == whole
    for path, command in command_paths(one):  # polished as in the whole tree (cli.help)
        assert command.epilog, path


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["tsm", "prepare", "--school", "x"], "tsm", id="group"),
        pytest.param(["--db", "tsm", "pupil", "show", "A"], "pupil", id="db-value-skipped"),
        pytest.param(["--db=x.sqlite", "--debug", "case", "show"], "case", id="root-options"),
        pytest.param(["tasks"], "tasks", id="command"),
        pytest.param([], None, id="nothing"),
        pytest.param(["--help"], None, id="root-help"),
        pytest.param(["tsmm", "prepare"], None, id="misspelt"),
    ],
)
def test_the_invoked_command_is_found_after_the_root_options(
    args: list[str], expected: str | None
) -> None:
    assert app_module.invoked_command(args) == expected


def test_a_run_builds_only_its_group() -> None:
    code = (
        "import sys; sys.argv = ['att', 'codes', '--format', 'json']\n"
        "from attendance_cli.cli import app\n"
        "try:\n    app.main()\nexcept SystemExit:\n    pass\n"
        "print([m for m in ('attendance_cli.cli.tsm', 'attendance_cli.cli.cases', "
        "'attendance_cli.cli.penalty') if m in sys.modules], file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.lstrip().startswith("{")  # the codes as JSON
    assert out.stderr.strip() == "[]"
