"""Out-of-range values are usage errors (exit 2) naming the option, never a crash (issue 13.13):
ids >= 2**63 (SQLite's integers end there), years and dates outside 2000-2099 (`--year 0`,
`--from 0001-01-01`), a document dated 9999-12-31."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from attendance_cli.errors import ExitCode
from tests.helpers import database_contents
from tests.referrals.builders import HARVEY

runner = CliRunner()
TOO_BIG = str(2**63)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        pytest.param(
            ["case", "complete-action", TOO_BIG, "--outcome", "x"], "'ID'", id="action-id"
        ),
        pytest.param(["penalty", "update", TOO_BIG], "'ID'", id="notice-id"),
        pytest.param(
            ["case", "add-action", HARVEY, "--action", "x", "--meeting", TOO_BIG],
            "--meeting",
            id="meeting-id",
        ),
        pytest.param(["schools", "--year", "0"], "--year", id="year-0"),
        pytest.param(["report", "la", "--year", "99999"], "--year", id="year-99999"),
        pytest.param(
            ["tsm", "prepare", "--school", "castle", "--year", "0"], "--year", id="tsm-year-0"
        ),
        pytest.param(
            ["tsm", "prepare", "--school", "castle", "--from", "0001-01-01"],
            "--from",
            id="from-year-1",
        ),
        pytest.param(["report", "la", "--to", "9999-12-31"], "--to", id="to-9999"),
        pytest.param(
            ["referral", "check", HARVEY, "--route", "prosecution", "--from", "0001-01-01"],
            "--from",
            id="referral-from",
        ),
        pytest.param(
            ["case", "attach", HARVEY, "FILE", "--kind", "letter", "--date", "9999-12-31"],
            "--date",
            id="document-date",
        ),
        pytest.param(
            ["tsm", "record", "--school", "castle", "--date", "0001-01-01"],
            "--date",
            id="meeting-date",
        ),
    ],
)
def test_out_of_range_values_are_usage_errors(
    sample_db: Path, tmp_path: Path, args: list[str], option: str
) -> None:
    letter = tmp_path / "letter.txt"
    letter.write_text("Dear parent")
    args = [str(letter) if a == "FILE" else a for a in args]
    before = database_contents(sample_db)
    result = runner.invoke(app, ["--db", str(sample_db), *args])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert option in result.stderr and "Internal error" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert database_contents(sample_db) == before


@pytest.mark.parametrize(
    ("start", "end"),
    [("2000-01-01", "2099-12-31"), ("01/09/2025", "30/11/2025")],
    ids=["range-ends", "uk-dates"],
)
def test_dates_inside_the_range_are_accepted(sample_db: Path, start: str, end: str) -> None:
    args = ["report", "la", "--from", start, "--to", end, "--format", "json"]
    result = runner.invoke(app, ["--db", str(sample_db), *args])
    assert result.exit_code == 0, result.output
