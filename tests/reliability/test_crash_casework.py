"""SIGKILL during ``att tsm record --from-workbook`` and ``att referral export``.

``tsm record``: the meeting, every action, lead and note of the workbook are one transaction, so
after a kill at any point the database is intact, holds the whole meeting or none of it, the
audit chain verifies, and running the command again either records everything (nothing was
there) or is refused as already recorded. ``referral export``: the zip is written under a
temporary name and renamed, so the final name either does not exist or holds a bundle that
``att referral verify`` accepts. Both engines: on PostgreSQL the killed process's transaction
is rolled back by the server.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from attendance_cli.cases.audit import verify_audit
from attendance_cli.config import document_store
from attendance_cli.errors import RefusedError
from attendance_cli.referrals.bundle import verify_referral_bundle
from attendance_cli.store import Store
from attendance_cli.tsm.record import record_tsm
from tests.helpers import connect_to, is_postgres
from tests.referrals.builders import HARVEY, build_case
from tests.reliability.support import att_command, child_env, integrity

KILLS = 8
SCHOOL = "8994001"


def _run(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        att_command(*args, db=db), capture_output=True, text=True, env=child_env(), check=False
    )


def _kill_at(args: list[str], db: Path, at: float) -> bool:
    """Start att, SIGKILL it ``at`` seconds later; False if it finished first."""
    process = subprocess.Popen(
        att_command(*args, db=db),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=child_env(),
    )
    deadline = time.perf_counter() + at
    while process.poll() is None:
        if time.perf_counter() >= deadline:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return process.returncode == -signal.SIGKILL
        time.sleep(0.0005)
    return False


def _kill_after_commit(args: list[str], db: Path) -> bool:
    """Start att, SIGKILL it as soon as its meeting is committed (seen from another
    connection); False if it finished first."""
    process = subprocess.Popen(
        att_command(*args, db=db),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=child_env(),
    )
    while process.poll() is None:
        try:
            with contextlib.closing(_reader(db)) as conn:
                committed = conn.execute("SELECT count(*) FROM meeting").fetchone()[0]
        except Exception:  # noqa: BLE001 - busy (SQLite) or not yet connectable: not yet
            committed = 0
        if committed:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return process.returncode == -signal.SIGKILL
        time.sleep(0.0005)
    return False


def _timed(args: list[str], db: Path) -> float:
    started = time.perf_counter()
    result = _run(*args, db=db)
    assert result.returncode == 0, result.stderr
    return time.perf_counter() - started


def _record_again(conn: sqlite3.Connection, pack: Path) -> None:
    record_tsm(
        conn,
        school=SCHOOL,
        date=dt.date(2025, 11, 20),
        officer="Test Officer",
        workbook=pack,
    )


def _reader(db: Path) -> Any:
    if is_postgres(db):
        return connect_to(db)
    return sqlite3.connect(db, timeout=0.01)


def _counts(db: Path) -> tuple[int, int, int]:
    with contextlib.closing(_reader(db)) as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("meeting", "case_action", "lead_practitioner")
        )


@pytest.fixture
def filled_pack(sample_db: Path, tmp_path: Path) -> Path:
    """The school's whole-roll pack with an action and a lead on every row."""
    from openpyxl import load_workbook

    pack = tmp_path / "pack.xlsx"
    made = _run("tsm", "prepare", "--school", SCHOOL, "--all", "--output", str(pack), db=sample_db)
    assert made.returncode == 0, made.stderr
    workbook = load_workbook(pack)
    sheet = workbook["Actions"]
    column = {cell.value: cell.column for cell in sheet[1]}
    for row in range(2, sheet.max_row + 1):
        if not sheet.cell(row=row, column=column["UPN"]).value:
            continue
        sheet.cell(row=row, column=column["Agreed action"], value=f"Plan for row {row}")
        sheet.cell(row=row, column=column["Action kind"], value="attendance plan")
        sheet.cell(row=row, column=column["Lead practitioner"], value="Head of Year")
        sheet.cell(row=row, column=column["Agency"], value="school")
        sheet.cell(row=row, column=column["Barriers"], value="Discussed")
    workbook.save(pack)
    return pack


def test_sigkill_during_tsm_record_is_all_or_nothing(
    sample_db: Path, tmp_path: Path, filled_pack: Path, figures, copy_database
) -> None:  # type: ignore[no-untyped-def]
    args = ["tsm", "record", "--school", SCHOOL, "--date", "2025-11-20",
            "--from-workbook", str(filled_pack)]  # fmt: skip
    reference = copy_database(sample_db, "reference")
    duration = _timed(args, reference)
    full = _counts(reference)
    second = copy_database(sample_db, "reference2")
    duration = min(duration, _timed(args, second))  # the quicker of two: kills land under load
    assert full[0] == 1 and full[1] > 50
    landed = whole = 0
    for i in range(KILLS + 1):
        db = copy_database(sample_db, f"kill{i}")
        if i == KILLS:  # the last one just after the commit: the "already recorded" branch
            if not _kill_after_commit(args, db):
                continue
        elif not _kill_at(args, db, duration * (0.2 + 0.75 * i / (KILLS - 1))):
            duration *= 0.7  # it finished first (the machine got faster): aim earlier
            continue
        landed += 1
        assert integrity(db) == ["ok"]
        held = _counts(db)
        assert held in ((0, 0, 0), full), f"kill {i}: {held} of {full}"
        whole += held == full
        conn = Store(connect_to(db), db)
        try:
            assert verify_audit(conn).ok
            if held == full:
                with pytest.raises(RefusedError, match="already recorded"):
                    _record_again(conn, filled_pack)
            else:
                _record_again(conn, filled_pack)
        finally:
            conn.close()
        assert _counts(db) == full
    assert landed >= KILLS // 2, f"only {landed} kills landed before the command finished"
    assert whole >= 1, "no kill landed after the commit: the already-recorded branch never ran"
    figures("crash: SIGKILLs survived during att tsm record --from-workbook", landed)
    figures("crash: tsm record kills after the commit (meeting whole)", whole)


def test_sigkill_during_referral_export_leaves_no_partial_bundle(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path, figures, copy_database
) -> None:  # type: ignore[no-untyped-def]
    build_case(sample_conn, sample_db, tmp_path)
    sample_conn.close()
    out = tmp_path / "out" / "bundle.zip"
    out.parent.mkdir()
    args = ["referral", "export", HARVEY, "--route", "prosecution", "--out", str(out),
            "--force", "--reason", "Crash test"]  # fmt: skip
    reference = copy_database(sample_db, "reference")
    if not is_postgres(sample_db):  # on PostgreSQL both share the folder ATT_DOCUMENTS names
        shutil.copytree(document_store(sample_db), document_store(reference))
    duration = _timed(args, reference)
    out.unlink()
    duration = min(duration, _timed(args, reference))  # the quicker of two: kills land under load
    out.unlink()
    landed = 0
    for i in range(KILLS):
        if not _kill_at(args, sample_db, duration * (0.2 + 0.75 * i / (KILLS - 1))):
            out.unlink(missing_ok=True)
            duration *= 0.7  # it finished first (the machine got faster): aim earlier
            continue
        landed += 1
        assert integrity(sample_db) == ["ok"]
        if out.exists():  # killed after the rename: the bundle must be whole
            assert verify_referral_bundle(out).ok
            out.unlink()
        conn = Store(connect_to(sample_db), sample_db)
        try:
            assert verify_audit(conn).ok
        finally:
            conn.close()
    leftovers = [p.name for p in out.parent.iterdir()]
    assert all(name != "bundle.zip" for name in leftovers)
    assert landed >= KILLS // 2, f"only {landed} kills landed before the command finished"
    figures("crash: SIGKILLs survived during att referral export", landed)
    final = _run(*args, db=sample_db)
    assert final.returncode == 0, final.stderr
    verified = _run("referral", "verify", str(out), "--format", "json", db=sample_db)
    report = json.loads(verified.stdout)
    assert verified.returncode == 0 and report["ok"] is True and report["audit_checked"] is True
    assert report["recorded_export"]["zip_identical"] is True
