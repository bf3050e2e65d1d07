"""`att db restore` accepts only a file whose whole schema (tables, columns, indexes, triggers,
views) is what this release's migrations make for its revision (issue 13.7): a backup carrying a
trigger that rewrites notes and deletes their audit entries, or one lacking audit_log, would
otherwise become the officer's database."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from attendance_cli.db.backup import backup_database, check_backup, restore_database
from attendance_cli.db.migrate import SCHEMA_HEAD
from attendance_cli.errors import ExitCode, InvalidInputError

FIXTURE = Path(__file__).parents[1] / "db" / "fixtures" / "release-0.1.0.sqlite"
# restoring an SQLite backup file; a server database is restored with pg_restore
pytestmark = pytest.mark.sqlite_only

TAMPERING = {
    "extra-trigger": (
        "CREATE TRIGGER rewrite AFTER INSERT ON case_note BEGIN "
        "UPDATE case_note SET text = 'nothing happened' WHERE id = new.id; "
        "DELETE FROM audit_log WHERE entity = 'note'; END",
        "unexpected trigger rewrite",
    ),
    "no-audit-log": ("DROP TABLE audit_log", "table audit_log is missing"),
    "extra-view": ("CREATE VIEW v AS SELECT 1", "unexpected view v"),
    "dropped-index": ("DROP INDEX ix_case_note_case_id", "index ix_case_note_case_id is missing"),
    "changed-table": (
        "ALTER TABLE case_note ADD COLUMN hidden TEXT",
        "table case_note differs",
    ),
}


def _tampered(db_path: Path, tmp_path: Path, sql: str) -> Path:
    path = tmp_path / "tampered.sqlite"
    shutil.copyfile(db_path, path)
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.close()
    return path


def test_a_genuine_backup_and_the_oldest_release_are_accepted(
    db_path: Path, tmp_path: Path
) -> None:
    backup = backup_database(db_path, tmp_path / "b.sqlite").backup
    assert check_backup(backup) == SCHEMA_HEAD
    old = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURE, old)
    assert check_backup(old) == "0001_initial"


@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_a_changed_schema_is_refused_and_nothing_is_replaced(
    db_path: Path, tmp_path: Path, kind: str
) -> None:
    sql, says = TAMPERING[kind]
    tampered = _tampered(db_path, tmp_path, sql)
    before = db_path.read_bytes()
    with pytest.raises(InvalidInputError, match="does not have the schema") as raised:
        restore_database(tampered, db_path)
    assert says in raised.value.message
    assert db_path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if "replaced" in p.name]


def test_cli_restore_refuses_a_trigger(db_path: Path, tmp_path: Path) -> None:
    tampered = _tampered(db_path, tmp_path, TAMPERING["extra-trigger"][0])
    result = CliRunner().invoke(app, ["--db", str(db_path), "db", "restore", str(tampered)])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "unexpected trigger rewrite" in result.stderr


def test_table_constraints_in_another_order_are_the_same_schema() -> None:
    """Alembic's batch migrations write a rebuilt table's foreign keys in an order that changes
    between runs; the comparison must not call that a different schema (but a different
    constraint is one)."""
    import sqlite3

    from attendance_cli.db.backup import schema_differences, schema_of

    def schema(sql: str) -> dict[tuple[str, str], str]:
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE p (id INTEGER PRIMARY KEY)")
        conn.execute(sql)
        try:
            return schema_of(conn)
        finally:
            conn.close()

    one = schema(
        "CREATE TABLE a (id INTEGER, x INTEGER, y INTEGER, CONSTRAINT fx FOREIGN KEY(x) "
        "REFERENCES p (id), CONSTRAINT fy FOREIGN KEY(y) REFERENCES p (id))"
    )
    other_order = schema(
        "CREATE TABLE a (id INTEGER, x INTEGER, y INTEGER, CONSTRAINT fy FOREIGN KEY(y) "
        "REFERENCES p (id), CONSTRAINT fx FOREIGN KEY(x) REFERENCES p (id))"
    )
    changed = schema(
        "CREATE TABLE a (id INTEGER, x INTEGER, y INTEGER, CONSTRAINT fy FOREIGN KEY(y) "
        "REFERENCES p (id), CONSTRAINT fx FOREIGN KEY(y) REFERENCES p (id))"
    )
    columns_swapped = schema(
        "CREATE TABLE a (id INTEGER, y INTEGER, x INTEGER, CONSTRAINT fx FOREIGN KEY(x) "
        "REFERENCES p (id), CONSTRAINT fy FOREIGN KEY(y) REFERENCES p (id))"
    )
    assert schema_differences(other_order, one) == []
    assert schema_differences(changed, one) == ["table a differs"]
    assert schema_differences(columns_swapped, one) == ["table a differs"]
