"""A penalty notice and a referral export are written in the same transaction as their audit
entries (RELIABILITY.md's casework row). The audit insert is made to fail inside the database (a
trigger raising ABORT on audit_log; on PostgreSQL a PL/pgSQL trigger raising an exception): the
change must then be absent too — no notice, no action
made for it, no bundle at --out — and with the trigger gone the same commands record both."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from typer.testing import CliRunner

from attendance_cli.cli.app import app
from attendance_cli.store import Store
from tests.helpers import connect_to, is_postgres
from tests.referrals.builders import HARVEY, build_case

runner = CliRunner()
FAIL_AUDIT = (
    "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"
)
FAIL_AUDIT_POSTGRES = (
    "CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$",
    "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION fail_audit()",
)
UNSET_POSTGRES = ("DROP TRIGGER fail_audit ON audit_log", "DROP FUNCTION fail_audit()")


def _rows(db: Path) -> dict[str, int]:
    with contextlib.closing(connect_to(db)) as conn:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("penalty_notice", "case_action", "pupil_case", "audit_log")
        }


def _actions(db: Path) -> list[str]:
    with contextlib.closing(connect_to(db)) as conn:
        return [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY id")]


def _set_trigger(db: Path, on: bool) -> None:
    with contextlib.closing(connect_to(db)) as conn:
        if is_postgres(db):
            for statement in FAIL_AUDIT_POSTGRES if on else UNSET_POSTGRES:
                conn.execute(statement)
        else:
            conn.execute(FAIL_AUDIT if on else "DROP TRIGGER fail_audit")
        conn.commit()


def test_a_penalty_notice_is_written_with_its_audit_entry_or_not_at_all(sample_db: Path) -> None:
    args = ["--db", str(sample_db), "penalty", "add", HARVEY, "--parent", "Claire Marsden",
            "--issued", "2025-11-01", "--format", "json"]  # fmt: skip
    before = _rows(sample_db)
    _set_trigger(sample_db, True)
    failed = runner.invoke(app, args)
    assert failed.exit_code == 6, failed.output
    assert _rows(sample_db) == before
    _set_trigger(sample_db, False)
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    after = _rows(sample_db)
    assert after["penalty_notice"] == before["penalty_notice"] + 1
    assert "add_penalty_notice" in _actions(sample_db)
    verify = runner.invoke(app, ["--db", str(sample_db), "audit", "verify", "--format", "json"])
    assert verify.exit_code == 0 and json.loads(verify.stdout)["ok"] is True


def test_a_referral_export_is_written_with_its_audit_entry_or_not_at_all(
    sample_db: Path, tmp_path: Path
) -> None:
    conn = Store(connect_to(sample_db), sample_db)
    build_case(conn, sample_db, tmp_path)
    conn.close()
    out = tmp_path / "out" / "bundle.zip"
    out.parent.mkdir()
    args = ["--db", str(sample_db), "referral", "export", HARVEY, "--route", "prosecution",
            "--out", str(out), "--force", "--reason", "atomicity test"]  # fmt: skip
    before = _actions(sample_db)
    _set_trigger(sample_db, True)
    failed = runner.invoke(app, args)
    assert failed.exit_code == 6, failed.output
    assert list(out.parent.iterdir()) == []  # no bundle, no temporary file
    assert _actions(sample_db) == before
    _set_trigger(sample_db, False)
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert _actions(sample_db) == [*before, "referral_export"]
    verify = runner.invoke(
        app, ["--db", str(sample_db), "referral", "verify", str(out), "--format", "json"]
    )
    assert verify.exit_code == 0 and json.loads(verify.stdout)["ok"] is True
