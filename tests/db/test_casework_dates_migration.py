"""Migration 0007_casework_dates: casework written before it gets the day each thing happened,
backfilled from when it was recorded (an action agreed in a meeting: the meeting's date), with
every row kept; the release-0.1.0 database (no casework) upgrades with the new columns."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

from attendance_cli.db import migrate
from attendance_cli.db.engine import create_private_file, open_database

FIXTURES = Path(__file__).parent / "fixtures"
STAMP = "2025-10-01 09:00:00.000000"  # UTC
LATE = "2025-11-20 14:30:00.000000"


def _local(stamp: str) -> str:
    moment = dt.datetime.fromisoformat(stamp).replace(tzinfo=dt.UTC)
    return moment.astimezone().date().isoformat()


def _casework_at_0005(path: Path) -> None:
    create_private_file(path)
    migrate.upgrade_database(path, revision="0005_letters")
    conn = sqlite3.connect(path)
    conn.executescript(
        f"""
        INSERT INTO school (id, laestab, name, created_at)
            VALUES (1, '8992001', 'Riverside Primary', '{STAMP}');
        INSERT INTO pupil (id, upn, surname, forename, created_at, updated_at)
            VALUES (1, 'B801200005001', 'Marsden', 'Eli', '{STAMP}', '{STAMP}');
        INSERT INTO pupil_case (id, pupil_id, status, opened_at, opened_by, closed_at, outcome)
            VALUES (1, 1, 'open', '{STAMP}', 'Jo', NULL, NULL),
                   (2, 1, 'closed', '{STAMP}', 'Jo', '{LATE}', 'Back in school');
        INSERT INTO meeting (id, school_id, date, kind, attendees, created_at, officer)
            VALUES (1, 1, '2025-09-30', 'tsm', '[]', '{LATE}', 'Jo');
        INSERT INTO lead_practitioner (id, case_id, name, agency, set_at, officer)
            VALUES (1, 1, 'Ms Reid', 'school', '{LATE}', 'Jo');
        INSERT INTO case_action (id, case_id, tier, kind, description, status, meeting_id,
            created_at, completed_at, officer) VALUES
            (1, 1, 'support', 'home visit', 'Visit', 'agreed', 1, '{LATE}', NULL, 'Jo'),
            (2, 1, 'support', 'home visit', 'Call', 'done', NULL, '{STAMP}', '{LATE}', 'Jo');
        INSERT INTO case_note (id, case_id, text, created_at, officer)
            VALUES (1, 1, 'Mum phoned', '{LATE}', 'Jo');
        INSERT INTO case_document (id, case_id, kind, file_name, sha256, bytes, created_at,
            officer) VALUES (1, 1, 'letter', 'a.pdf', '{"a" * 64}', 3, '{STAMP}', 'Jo');
        """
    )
    conn.commit()
    conn.close()


def test_casework_dates_are_backfilled_from_the_recorded_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    _casework_at_0005(path)
    before = sqlite3.connect(path)
    kept = {
        t: before.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
        for t in ("pupil_case", "lead_practitioner", "case_action", "case_note", "case_document")
    }
    before.close()
    conn, result = open_database(path)
    assert result.upgraded_from == "0005_letters"
    for table, rows in kept.items():  # every old column of every row as it was
        width = len(rows[0])
        assert [r[:width] for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1")] == rows
    assert conn.execute(
        "SELECT id, opened_on, closed_on FROM pupil_case ORDER BY id"
    ).fetchall() == [
        (1, _local(STAMP), None),
        (2, _local(STAMP), _local(LATE)),
    ]
    assert conn.execute("SELECT set_on FROM lead_practitioner").fetchall() == [(_local(LATE),)]
    assert conn.execute(
        "SELECT id, agreed_on, ended_on FROM case_action ORDER BY id"
    ).fetchall() == [
        (1, "2025-09-30", None),  # agreed in the meeting of 30 Sep, typed in on 20 Nov
        (2, _local(STAMP), _local(LATE)),
    ]
    assert conn.execute("SELECT happened_on FROM case_note").fetchall() == [(_local(LATE),)]
    assert conn.execute("SELECT happened_on FROM case_document").fetchall() == [(_local(STAMP),)]
    assert conn.execute("SELECT count(*) FROM penalty_request").fetchone() == (0,)
    conn.close()


def test_release_database_gets_the_new_columns_and_tables(tmp_path: Path) -> None:
    path = tmp_path / "release-0.1.0.sqlite"
    shutil.copyfile(FIXTURES / "release-0.1.0.sqlite", path)
    conn, _ = open_database(path)
    assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD
    for table, column in (
        ("pupil_case", "opened_on"),
        ("pupil_case", "closed_on"),
        ("lead_practitioner", "set_on"),
        ("case_action", "agreed_on"),
        ("case_action", "ended_on"),
        ("case_note", "happened_on"),
        ("case_document", "happened_on"),
    ):
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        assert column in columns, (table, column)
    assert conn.execute("SELECT count(*) FROM penalty_request_document").fetchone() == (0,)
    conn.close()
