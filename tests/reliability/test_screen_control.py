"""Terminal control characters in the data never reach the screen (issue 13.12): a surname or a
note holding an ESC sequence (clear the screen, print a fake "All clear") or a bidi override is
shown without them in tables, records and error messages, while JSON and CSV keep the data
exactly as stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from attendance_cli.exports.safety import screen_text
from tests.helpers import connect_to
from tests.referrals.builders import HARVEY

runner = CliRunner()
HOSTILE = "Marsden\x1b[2J\x1b[HAll clear\x07\x9b31m\u202egninrut\u2066x\r"
CONTROLS = ["\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\r"]


@pytest.fixture
def hostile_db(sample_db: Path) -> Path:
    conn = connect_to(sample_db)
    conn.execute("UPDATE pupil SET surname = ? WHERE upn = ?", (HOSTILE, HARVEY))
    conn.commit()
    conn.close()
    return sample_db


def _shown(result: object) -> str:
    return result.stdout + result.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["pupil", "show", HARVEY], id="pupil-show"),
        pytest.param(["tsm", "prepare", "--school", "8994001", "--all"], id="tsm-prepare"),
        pytest.param(["report", "la", "--limit", "0"], id="report-la"),
    ],
)
def test_tables_and_records_show_no_control_characters(hostile_db: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["--db", str(hostile_db), *args])
    assert result.exit_code == 0, result.output
    shown = _shown(result)
    assert "Marsden" in shown  # the name is shown, cleaned
    assert [c for c in CONTROLS if c in shown] == []


def test_json_keeps_the_data_as_stored(hostile_db: Path) -> None:
    result = runner.invoke(
        app, ["--db", str(hostile_db), "pupil", "show", HARVEY, "--format", "json"]
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["surname"] == HOSTILE


def test_error_messages_show_no_control_characters(db_path: Path) -> None:
    result = runner.invoke(app, ["--db", str(db_path), "case", "show", "A899\x1b[2J20021800"])
    assert result.exit_code != 0
    assert "\x1b" not in _shown(result)


def test_a_note_is_shown_clean(sample_db: Path) -> None:
    added = runner.invoke(
        app,
        ["--db", str(sample_db), "case", "note", HARVEY, "Visited\x1b]0;pwned\x07 ok"],
    )
    assert added.exit_code == 0, added.output
    shown = runner.invoke(app, ["--db", str(sample_db), "case", "show", HARVEY])
    assert shown.exit_code == 0, shown.output
    assert "Visited" in shown.stdout and "\x1b" not in shown.stdout and "\x07" not in shown.stdout


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        pytest.param("a\tb\nc", "a\tb\nc", id="tab-and-newline-kept"),
        pytest.param("x\x1b[31my", "x[31my", id="esc-removed"),
        pytest.param("x\x9b31my", "x31my", id="c1-csi-removed"),
        pytest.param("\u202eabc\u202c", "abc", id="bidi-override-removed"),
        pytest.param("Ísla Ó'Brien", "Ísla Ó'Brien", id="letters-kept"),
    ],
)
def test_screen_text(text: str, shown: str) -> None:
    assert screen_text(text) == shown
