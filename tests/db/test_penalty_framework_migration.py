"""Migration 0008_penalty_framework: notices recorded at 0005 upgrade with every row kept, as
attendance notices with no service recorded, and a paid notice gets its one payment row."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from attendance_cli.cases.penalty import list_penalty_notices
from attendance_cli.db import migrate
from attendance_cli.db.engine import create_private_file
from attendance_cli.store import open_store

STAMP = "2025-10-01 09:00:00.000000"


def test_notices_at_0005_upgrade_with_their_payments(tmp_path: Path) -> None:
    path = tmp_path / "notices-0005.sqlite"
    create_private_file(path)
    migrate.upgrade_database(path, revision="0005_letters")
    conn = sqlite3.connect(path)
    conn.executescript(
        f"""
        INSERT INTO pupil (id, upn, surname, forename, created_at, updated_at)
            VALUES (1, 'B801200005001', 'Marsden', 'Eli', '{STAMP}', '{STAMP}');
        INSERT INTO penalty_notice (id, pupil_id, parent_name, issued, amount_pence, paid,
            withdrawn, withdrawn_reason, created_at, officer) VALUES
            (1, 1, 'Paul Marsden', '2025-09-01', 8000, '2025-09-15', NULL, NULL, '{STAMP}', 'Jo'),
            (2, 1, 'Paul Marsden', '2025-09-20', 16000, NULL, NULL, NULL, '{STAMP}', 'Jo'),
            (3, 1, 'Ann Marsden', '2025-09-22', 8000, NULL, '2025-09-23', 'error', '{STAMP}',
             'Jo');
        """
    )
    conn.commit()
    before = sorted(conn.execute("SELECT * FROM penalty_notice").fetchall())
    conn.close()

    upgraded, result = open_store(path)
    assert result.upgraded_from == "0005_letters"
    assert migrate.current_revision(upgraded.connection) == migrate.SCHEMA_HEAD
    columns = "id, pupil_id, case_id, parent_name, issued, amount_pence, paid, withdrawn, "
    columns += "withdrawn_reason, created_at, officer"
    assert (
        sorted(upgraded.connection.execute(f"SELECT {columns} FROM penalty_notice").fetchall())
        == before
    )
    assert upgraded.connection.execute("SELECT DISTINCT kind FROM penalty_notice").fetchall() == [
        ("attendance",)
    ]
    assert upgraded.connection.execute(
        "SELECT notice_id, paid_on, amount_pence, officer FROM penalty_payment"
    ).fetchall() == [(1, "2025-09-15", 8000, "Jo")]
    notices = {n.id: n for n in list_penalty_notices(upgraded)}
    # no service recorded: the periods run from the issue date, as before the migration
    # (issued Sat 20 Sep 2025: the 28 days end Fri 17 Oct)
    assert (notices[2].periods_from, notices[2].pay_by) == ("issue", dt.date(2025, 10, 17))
    assert notices[1].payments == [{"id": 1, "paid_on": notices[1].paid, "amount_pence": 8000}]
    upgraded.close()
