"""Migration 0009_audit_integrity: every casework row of an upgraded database gets a
``baseline`` entry with its hash, chained after the entries it already had, so verify passes
after the upgrade and catches any later edit."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from attendance_cli.cases.audit import GENESIS, verify_audit
from attendance_cli.cases.audited_tables import entry_digest
from attendance_cli.db import migrate
from attendance_cli.db.engine import create_private_file
from attendance_cli.store import open_store

STAMP = "2025-10-01 09:00:00.000000"


def _casework_at_0005(path: Path) -> None:
    create_private_file(path)
    migrate.upgrade_database(path, revision="0005_letters")
    conn = sqlite3.connect(path)
    conn.executescript(
        f"""
        INSERT INTO school (id, laestab, name, created_at)
            VALUES (1, '8992001', 'Riverside Primary', '{STAMP}');
        INSERT INTO pupil (id, upn, surname, forename, created_at, updated_at)
            VALUES (1, 'B801200005001', 'Marsden', 'Eli', '{STAMP}', '{STAMP}'),
                   (2, 'B801200005002', 'Patel', 'Ria', '{STAMP}', '{STAMP}');
        INSERT INTO pupil_case (id, pupil_id, status, opened_at, opened_by)
            VALUES (1, 1, 'open', '{STAMP}', 'Jo'), (2, 2, 'closed', '{STAMP}', 'Jo');
        INSERT INTO case_note (id, case_id, text, created_at, officer)
            VALUES (1, 1, 'Home visit', '{STAMP}', 'Jo'), (2, 2, 'Phoned', '{STAMP}', 'Jo');
        INSERT INTO case_document (id, case_id, kind, file_name, sha256, bytes, document_date,
            created_at, officer)
            VALUES (1, 1, 'letter', 'w.pdf', '{"c" * 64}', 10, '2025-09-30', '{STAMP}', 'Jo');
        INSERT INTO penalty_notice (id, pupil_id, case_id, parent_name, issued, amount_pence,
            created_at, officer)
            VALUES (1, 1, 1, 'Paul Marsden', '2025-09-01', 8000, '{STAMP}', 'Jo');
        INSERT INTO meeting (id, school_id, date, kind, attendees, created_at, officer)
            VALUES (1, 1, '2025-09-30', 'tsm', '[]', '{STAMP}', 'Jo');
        """
    )
    # one genuine entry from before the upgrade (the chain's old hash, no row columns)
    detail = json.dumps({})
    digest = entry_digest(GENESIS, STAMP, "Jo", "add_note", "note", 1, "B801200005001", detail)
    conn.execute(
        "INSERT INTO audit_log (id, at, officer, action, entity, entity_id, upn, detail, "
        "prev_hash, hash) VALUES (1, ?, 'Jo', 'add_note', 'note', 1, 'B801200005001', ?, ?, ?)",
        (STAMP, detail, GENESIS, digest),
    )
    conn.commit()
    conn.close()


def test_an_upgraded_database_verifies_and_catches_later_edits(tmp_path: Path) -> None:
    path = tmp_path / "casework-0005.sqlite"
    _casework_at_0005(path)
    conn, result = open_store(path)
    assert result.upgraded_from == "0005_letters"
    baseline = conn.connection.execute(
        "SELECT row_table, row_id, upn FROM audit_log JOIN audit_detail ON entry_id = id "
        "WHERE action = 'baseline' ORDER BY id"
    ).fetchall()
    # 2 cases + 1 meeting + 2 notes + 1 document + 1 notice, in the registry's table order
    assert baseline == [
        ("pupil_case", 1, "B801200005001"),
        ("pupil_case", 2, "B801200005002"),
        ("meeting", 1, None),
        ("case_note", 1, "B801200005001"),
        ("case_note", 2, "B801200005002"),
        ("case_document", 1, "B801200005001"),
        ("penalty_notice", 1, "B801200005001"),
    ]
    check = verify_audit(conn)
    assert (check.ok, check.entries, check.rows_checked) == (True, 8, 7)
    conn.connection.execute("UPDATE penalty_notice SET amount_pence = 6000 WHERE id = 1")
    [problem] = verify_audit(conn).row_problems
    assert (problem.table, problem.row_id, problem.columns) == (
        "penalty_notice",
        1,
        ["amount_pence"],
    )
    conn.close()
