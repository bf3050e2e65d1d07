"""Letters att files are casework the audit log commits to (issue 13.3): after two letters to
parents, verify checks the case, both documents and both letter rows; a letter row changed
behind att's back fails."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from attendance_cli.cli.app import app
from tests.helpers import connect_to

runner = CliRunner()
HARVEY = "A899200218001"


def test_filed_letters_verify_and_an_edit_fails(sample_db: Path, tmp_path: Path) -> None:
    args = ["letter", "generate", HARVEY, "--template", "attendance-concern"]
    made = runner.invoke(app, [*args, "--out", str(tmp_path / "out"), "--date", "2025-11-17"])
    assert made.exit_code == 0, made.stderr
    check = json.loads(runner.invoke(app, ["audit", "verify", "--format", "json"]).stdout)
    # one case, two case documents (kind letter), two letter rows
    assert (check["ok"], check["rows_checked"]) == (True, 5)
    conn = connect_to(sample_db)  # another connection, outside att, on either engine
    try:
        conn.execute("UPDATE letter SET letter_date = '2025-10-01' WHERE id = 2")
    finally:
        conn.close()
    bad = json.loads(runner.invoke(app, ["audit", "verify", "--format", "json"]).stdout)
    [problem] = bad["row_problems"]
    assert (bad["ok"], problem["table"], problem["row_id"], problem["columns"]) == (
        False, "letter", 2, ["letter_date"],
    )  # fmt: skip
