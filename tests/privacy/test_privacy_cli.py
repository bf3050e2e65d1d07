"""The `att privacy` commands' wiring: exit codes, JSON and CSV, the confirmation."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from tests.privacy.builders import HARVEY

runner = CliRunner()


def test_access_json_and_files(
    conn: sqlite3.Connection, db_path: Path, tmp_path: Path, family: dict[str, int]
) -> None:
    out = tmp_path / "sar"
    result = runner.invoke(
        app, ["privacy", "access", "--upn", HARVEY, "--out", str(out), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["subject"]["upn"] == HARVEY
    assert json.loads((out / "subject-access.json").read_text(encoding="utf-8")) == data
    again = runner.invoke(app, ["privacy", "access", "--upn", HARVEY, "--out", str(out)])
    assert again.exit_code == 3 and "already exists" in again.stderr
    both = runner.invoke(app, ["privacy", "access", "--upn", HARVEY, "--parent", "x"])
    assert both.exit_code == 2
    parent = runner.invoke(app, ["privacy", "access", "--parent", "Claire Marsden"])
    assert parent.exit_code == 0, parent.output
    assert "penalty notices: 1" in parent.stdout


def test_retention_csv_lists_what_is_past(conn: sqlite3.Connection, family: dict[str, int]) -> None:
    result = runner.invoke(app, ["privacy", "retention", "--on", "01/08/2025", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["table"], r["academic_year"], r["ends_on"]) for r in rows] == [
        ("mark_year", "2018", "2025-07-31")
    ]
    table = runner.invoke(app, ["privacy", "retention", "--on", "31/07/2025"])
    assert (
        table.exit_code == 0
        and "Nothing is past its retention period on 31/07/2025" in table.stdout
    )


def test_erase_needs_confirming_then_erases(
    conn: sqlite3.Connection, family: dict[str, int]
) -> None:
    note = f"case_note:{family['note']}"
    refused = runner.invoke(app, ["privacy", "erase", "--row", note])
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert conn.connection.execute("SELECT count(*) FROM case_note").fetchone()[0] == 2
    done = runner.invoke(app, ["privacy", "erase", "--row", note, "--yes", "--format", "json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["rows"] == {"case_note": 1}
    assert conn.connection.execute("SELECT count(*) FROM case_note").fetchone()[0] == 1
    nothing = runner.invoke(app, ["privacy", "erase"])
    assert nothing.exit_code == 2
    bad = runner.invoke(app, ["privacy", "erase", "--row", "audit_log:1", "--yes"])
    assert bad.exit_code == 2 and "TABLE:ID" in bad.stderr
    whole = runner.invoke(app, ["privacy", "erase", "--upn", HARVEY, "--yes"])
    assert whole.exit_code == 0 and "tombstones in the audit log" in whole.stdout


def test_erase_on_a_terminal_asks_first(
    conn: sqlite3.Connection, family: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from attendance_cli.cli import prompts

    note = f"case_note:{family['note']}"
    for answer, exit_code, notes_left in (("n", 130, 2), ("y", 0, 1)):
        with create_pipe_input() as pipe:
            monkeypatch.setattr(prompts, "PROMPT_IO", (pipe, DummyOutput()))
            monkeypatch.setattr(prompts, "FORCE_TTY", True)
            pipe.send_text(answer)
            result = runner.invoke(app, ["privacy", "erase", "--row", note])
        assert result.exit_code == exit_code, result.output
        assert conn.connection.execute("SELECT count(*) FROM case_note").fetchone()[0] == notes_left
