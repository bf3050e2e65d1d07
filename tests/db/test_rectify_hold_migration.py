"""Migration 0012_rectify_hold: the release-0.1.0 database upgrades with every row kept and
the two new tables empty; a correction and a hold can then be recorded on its pupils and the
audit log verifies."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from attendance_cli.cases.audit import verify_audit
from attendance_cli.db import migrate
from attendance_cli.db.engine import open_database
from attendance_cli.privacy.hold import place_hold
from attendance_cli.privacy.rectify import correct_contact
from attendance_cli.store import Store

FIXTURE = Path(__file__).parent / "fixtures" / "release-0.1.0.sqlite"
NEW_TABLES = {"contact_correction", "legal_hold"}


def _rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        conn.close()


def test_release_database_upgrades_and_takes_corrections_and_holds(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURE, path)
    before = _rows(path)
    conn, _ = open_database(path)
    try:
        assert (
            migrate.current_revision(conn) == migrate.SCHEMA_HEAD
        )  # 0012_rectify_hold and every later one
        for table in ("pupil", "contact", "school", "enrolment", "mark_year", "import_log"):
            # later migrations added columns: the release's columns keep their values
            after = sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            width = len(before[table][0]) if before[table] else 0
            assert [tuple(r)[:width] for r in after] == before[table], table
        for table in NEW_TABLES:
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
        store = Store(conn, path)
        contact_id, upn = conn.execute(
            "SELECT c.id, p.upn FROM contact c JOIN pupil p ON p.id = c.pupil_id ORDER BY c.id"
        ).fetchone()
        correct_contact(
            store, contact_id=contact_id, changes={"phone": "01632 960 000"}, reason="phoned",
            officer="t",
        )  # fmt: skip
        place_hold(store, upn=upn, reason="complaint", officer="t")
        assert verify_audit(store).ok
    finally:
        conn.close()
