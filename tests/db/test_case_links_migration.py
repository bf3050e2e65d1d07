"""Migration 0004_case_links: a database with casework at 0002 upgrades with every row kept,
and the links that were text become keys (backfilled from the text they matched)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from attendance_cli.cases.audited_tables import entry_digest
from attendance_cli.db import migrate
from attendance_cli.db.engine import create_private_file, open_database

STAMP = "2025-10-01T09:00:00"


def _casework_at_0002(path: Path) -> None:
    create_private_file(path)
    migrate.upgrade_database(path, revision="0002_casework")
    conn = sqlite3.connect(path)
    conn.executescript(
        f"""
        INSERT INTO school (id, laestab, name, created_at)
            VALUES (1, '8992001', 'Riverside Primary', '{STAMP}');
        INSERT INTO pupil (id, upn, surname, forename, created_at, updated_at)
            VALUES (1, 'B801200005001', 'Marsden', 'Eli', '{STAMP}', '{STAMP}');
        INSERT INTO pupil_case (id, pupil_id, status, opened_at, opened_by)
            VALUES (1, 1, 'open', '{STAMP}', 'Jo'), (2, 1, 'closed', '{STAMP}', 'Jo');
        INSERT INTO penalty_notice (id, pupil_id, case_id, parent_name, issued, amount_pence,
            created_at, officer)
            VALUES (1, 1, 1, 'Paul Marsden', '2025-09-01', 8000, '{STAMP}', 'Jo'),
                   (2, 1, 2, 'Paul Marsden', '2025-09-20', 16000, '{STAMP}', 'Jo'),
                   (12, 1, 1, 'Ann Marsden', '2025-09-22', 8000, '{STAMP}', 'Jo');
        INSERT INTO meeting (id, school_id, date, kind, attendees, created_at, officer)
            VALUES (1, 1, '2025-09-30', 'tsm', '[]', '{STAMP}', 'Jo');
        INSERT INTO case_action (id, case_id, tier, kind, description, status, created_at,
            officer) VALUES
            (1, 1, 'legal', 'penalty notice', 'Penalty notice 1 to Paul Marsden: £80 by x',
             'agreed', '{STAMP}', 'Jo'),
            (2, 1, 'support', 'home visit', 'Penalty notice 1 to be explained', 'agreed',
             '{STAMP}', 'Jo'),
            (3, 2, 'legal', 'penalty notice', 'Penalty notice 2 to Paul Marsden: £160 by y',
             'done', '{STAMP}', 'Jo'),
            (4, 1, 'legal', 'penalty notice', 'Penalty notice 12 to Ann Marsden: £80 by z',
             'cancelled', '{STAMP}', 'Jo'),
            (5, 1, 'legal', 'penalty notice', 'Penalty notice 2 to Paul Marsden: in case 1',
             'agreed', '{STAMP}', 'Jo');
        """
    )
    prev_hash = "0" * 64  # a genuine chain: 0011_audit_detail refuses a broken one
    for entry_id, sha in ((1, "a" * 64), (2, "b" * 64), (3, "a" * 64)):
        detail = json.dumps({"file_name": f"pack{entry_id}.xlsx", "workbook_sha256": sha})
        digest = entry_digest(
            prev_hash, STAMP, "Jo", "record_meeting_workbook", "meeting", 1, None, detail
        )
        conn.execute(
            "INSERT INTO audit_log (id, at, officer, action, entity, entity_id, upn, detail, "
            "prev_hash, hash) VALUES (?, ?, 'Jo', 'record_meeting_workbook', 'meeting', 1, "
            "NULL, ?, ?, ?)",
            (entry_id, STAMP, detail, prev_hash, digest),
        )
        prev_hash = digest
    conn.commit()
    conn.close()


def test_casework_at_0002_upgrades_with_links_as_keys(tmp_path: Path) -> None:
    path = tmp_path / "casework-0002.sqlite"
    _casework_at_0002(path)
    before = sqlite3.connect(path)
    tables = [
        r[0]
        for r in before.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name != 'alembic_version'"
        )
    ]
    columns = {t: [r[1] for r in before.execute(f"PRAGMA table_info({t})")] for t in tables}
    snapshot = {t: sorted(before.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
    before.close()

    conn, result = open_database(path)
    assert result.upgraded_from == "0002_casework"
    assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD
    for table, rows in snapshot.items():
        if table == "audit_log":  # 0011_audit_detail: the personal part in audit_detail, the
            # entries re-chained with their old hash kept (prev_hash: the old hash before)
            after = conn.execute(
                "SELECT l.id, l.at, l.officer, l.action, l.entity, l.entity_id, d.upn, d.detail, "
                "coalesce(lag(l.v1_hash) OVER (ORDER BY l.id), ?), l.v1_hash FROM audit_log l "
                "JOIN audit_detail d ON d.entry_id = l.id",
                ("0" * 64,),
            ).fetchall()
            # 0009_audit_integrity appends a baseline entry per row
            after = [row for row in after if row[3] != "baseline"]
        else:
            after = conn.execute(f"SELECT {', '.join(columns[table])} FROM {table}").fetchall()
        assert sorted(after) == rows, table
    links = dict(conn.execute("SELECT id, penalty_notice_id FROM case_action"))
    # 1: notice 1's own sentence in its case; 2: another kind; 3: notice 2 in notice 2's case;
    # 4: "12 to" is notice 12, not 1; 5: notice 2's sentence but not in notice 2's case
    assert links == {1: 1, 2: None, 3: 2, 4: 12, 5: None}
    workbooks = conn.execute(
        "SELECT meeting_id, sha256, file_name, officer FROM meeting_workbook ORDER BY id"
    ).fetchall()
    assert workbooks == [(1, "a" * 64, "pack1.xlsx", "Jo"), (1, "b" * 64, "pack2.xlsx", "Jo")]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()
