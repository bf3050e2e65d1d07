"""Help a newcomer can use (issue 14): every command's help has an example, metavars are words,
the terminal's full width is used, date errors show a date, and --format csv is offered only
where it works."""

from __future__ import annotations

import re

import pytest
import typer.main
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from attendance_cli.cli.help import command_paths

runner = CliRunner()
PATHS = [path for path, _ in command_paths(typer.main.get_command(app))]


def _help(path: str, columns: int = 120) -> str:
    result = runner.invoke(app, [*path.split(), "--help"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("path", PATHS)
def test_every_command_help_has_an_example_of_itself(path: str) -> None:
    text = _help(path)
    assert re.search(r"^  Examples?:$", text, re.MULTILINE), text
    examples = text.split("Example", 1)[1].splitlines()[1:]
    assert examples and all(line.startswith(f"    att {path}") for line in examples if line)


@pytest.mark.parametrize("path", PATHS)
def test_metavars_are_words(path: str) -> None:
    text = _help(path)
    assert "%Y" not in text and "<str>" not in text and "<int" not in text, text
    assert "[x>=" not in text and "<path>" not in text and "{upn}" not in text, text


def test_help_uses_the_terminal_width() -> None:
    wide = _help("case add-action", columns=150)
    assert any(len(line) > 100 for line in wide.splitlines())  # not cut at click's 80
    narrow = _help("case add-action", columns=80)
    assert all(len(line) <= 80 for line in narrow.splitlines() if not line.startswith("    att"))


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["tsm", "prepare", "--school", "x", "--from", "32/13/2025"], id="tsm-from"),
        pytest.param(["case", "add-action", "A", "--due", "2025-02-30"], id="case-due"),
    ],
)
def test_a_mistyped_date_is_told_what_a_date_looks_like(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "Use a date like 30/11/2025 or 2025-11-30" in result.output
    assert "%Y" not in result.output and "%d" not in result.output


def test_record_commands_do_not_offer_csv() -> None:
    for path, command in command_paths(typer.main.get_command(app)):
        for param in command.params:
            if param.name == "output" and hasattr(param.type, "choices"):
                choices = list(param.type.choices)
                help_text = param.help or ""
                assert ("csv" in choices) == ("csv" in help_text), (path, choices, help_text)


def test_db_info_is_a_record_without_csv(db_path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["db", "info", "--format", "csv"])
    assert result.exit_code == 2 and "'csv' is not one of 'table', 'json'" in result.output
