"""No command overwrites an existing output file without being told to (issue 14): a meeting
workbook an officer filled in survives `att tsm prepare --output` run again by mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from attendance_cli.errors import ExitCode
from attendance_cli.store import Store
from tests.referrals.builders import HARVEY, build_case

runner = CliRunner()
FILLED_IN = b"PK the meeting workbook with every agreed action typed in"


@pytest.mark.parametrize(
    ("command", "name", "replace"),
    [
        pytest.param(
            ["tsm", "prepare", "--school", "castle", "--output"],
            "pack.xlsx",
            "--force",
            id="tsm-prepare",
        ),
        pytest.param(["report", "la", "--output"], "la.xlsx", "--force", id="report-la"),
        pytest.param(["db", "backup"], "backup.sqlite", "--force", id="db-backup"),
    ],
)
def test_an_existing_output_is_kept_without_force(
    sample_db: Path, tmp_path: Path, command: list[str], name: str, replace: str
) -> None:
    target = tmp_path / name
    target.write_bytes(FILLED_IN)
    refused = runner.invoke(app, ["--db", str(sample_db), *command, str(target)])
    assert refused.exit_code == ExitCode.INVALID_INPUT, refused.output
    assert "already exists" in refused.stderr and replace in refused.stderr
    assert target.read_bytes() == FILLED_IN
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    replaced = runner.invoke(app, ["--db", str(sample_db), *command, str(target), replace])
    assert replaced.exit_code == 0, replaced.output
    assert target.read_bytes() != FILLED_IN and target.stat().st_mode & 0o777 == 0o600


def test_referral_export_keeps_an_existing_bundle_without_overwrite(
    sample_db: Path, tmp_path: Path
) -> None:
    from tests.helpers import connect_to

    conn = Store(connect_to(sample_db), sample_db)
    build_case(conn, sample_db, tmp_path)
    conn.close()
    target = tmp_path / "bundle.zip"
    target.write_bytes(FILLED_IN)
    args = ["--db", str(sample_db), "referral", "export", HARVEY, "--route", "prosecution"]
    refused = runner.invoke(app, [*args, "--out", str(target)])
    assert refused.exit_code == ExitCode.INVALID_INPUT, refused.output
    assert "already exists" in refused.stderr and "--overwrite" in refused.stderr
    assert target.read_bytes() == FILLED_IN
    replaced = runner.invoke(app, [*args, "--out", str(target), "--overwrite"])
    assert replaced.exit_code == 0, replaced.output
    assert target.read_bytes().startswith(b"PK\x03\x04")


def test_a_file_appearing_while_att_works_is_not_replaced(tmp_path: Path) -> None:
    """The check is made again at the rename (a hard link fails on an existing name)."""
    from attendance_cli.files import OutputExistsError, output_file

    target = tmp_path / "late.xlsx"
    with pytest.raises(OutputExistsError), output_file(target, force=False) as partial:
        partial.path.write_bytes(b"new")
        target.write_bytes(FILLED_IN)  # another program saved here meanwhile
        partial.commit()
    assert target.read_bytes() == FILLED_IN
    assert sorted(p.name for p in tmp_path.iterdir()) == ["late.xlsx"]
