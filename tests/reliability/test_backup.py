"""``att db backup`` and ``att db restore``: consistent copies while in use, checked before a
restore, never a partial file under the final name, private files, the replaced database kept.

These are about the SQLite file. On PostgreSQL ``att db backup`` drives pg_dump and restore is
pg_restore's (tests/postgres/test_engine.py); the consistency guarantee is tested here too:
a server backup while a writer is mid-transaction holds only committed data, and the audit
chain head it prints is the dump's own."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from attendance_cli.db import migrate
from attendance_cli.db.backup import backup_database, check_backup, restore_database
from attendance_cli.db.engine import connect
from attendance_cli.errors import DatabaseError, InvalidInputError, NotFoundError
from attendance_cli.files import OutputExistsError
from attendance_cli.registers.importer import import_registers
from attendance_cli.store import Store
from tests.reliability.support import integrity, marks_held, write_big_marks_csv

runner = CliRunner()
FIXTURES = Path(__file__).parents[1] / "db" / "fixtures"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leftovers(folder: Path) -> list[str]:
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.name.endswith((".tmp", "-partial", "-wal", "-journal"))
    )


def _import_small(db: Path, folder: Path, *, first: int = 0) -> int:
    file = folder / f"small{first}.csv"
    count = write_big_marks_csv(file, pupils=20, days=3, first=first)
    conn = Store(connect(db), db)
    try:
        assert import_registers(conn, paths=[file]).ok
    finally:
        conn.close()
    return count


@pytest.mark.sqlite_only  # the SQLite file (a server backup is pg_dump's: see below)
def test_backup_is_a_checked_private_single_file(sample_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "copy.sqlite"
    target.parent.mkdir()
    result = backup_database(sample_db, target)
    assert result.backup == target and result.schema_revision == migrate.SCHEMA_HEAD
    assert target.stat().st_mode & 0o777 == 0o600
    assert integrity(target) == ["ok"]
    assert marks_held(target) == marks_held(sample_db) > 0
    assert _leftovers(target.parent) == []
    with sqlite3.connect(target) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


@pytest.mark.sqlite_only  # the SQLite file (a server backup is pg_dump's: see below)
def test_backup_while_a_writer_is_mid_transaction_holds_only_committed_data(
    db_path: Path, tmp_path: Path
) -> None:
    committed = _import_small(db_path, tmp_path)
    # A school committed while another connection is open, with no checkpoint: it is only in
    # the write-ahead log, where a plain copy of the database file misses it.
    holder = connect(db_path)
    holder.execute("SELECT count(*) FROM school").fetchone()
    late = connect(db_path)
    late.execute("PRAGMA wal_autocheckpoint = 0")
    late.execute(
        "INSERT INTO school (laestab, name, created_at) "
        "VALUES ('8990098', 'Committed School', '2025-09-01 00:00:00')"
    )
    late.close()
    plain = tmp_path / "plain-copy.sqlite"
    shutil.copyfile(db_path, plain)
    with contextlib.closing(sqlite3.connect(plain)) as check:
        in_plain = [r[0] for r in check.execute("SELECT name FROM school")]
    assert "Committed School" not in in_plain, "the scenario must defeat a plain file copy"
    writer = connect(db_path)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO school (laestab, name, created_at) "
        "VALUES ('8990099', 'Uncommitted School', '2025-09-01 00:00:00')"
    )
    try:
        backup_database(db_path, tmp_path / "during.sqlite")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        holder.close()
    copy = sqlite3.connect(tmp_path / "during.sqlite")
    names = [r[0] for r in copy.execute("SELECT name FROM school")]
    copy.close()
    assert "Uncommitted School" not in names and "Committed School" in names
    assert marks_held(tmp_path / "during.sqlite") == committed


@pytest.mark.sqlite_only  # the SQLite file (a server backup is pg_dump's: see below)
def test_backup_refuses_to_overwrite_without_force(db_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "b.sqlite"
    target.write_text("an earlier file")
    with pytest.raises(OutputExistsError, match="already exists"):
        backup_database(db_path, target)
    assert target.read_text() == "an earlier file"
    backup_database(db_path, target, overwrite=True)
    assert integrity(target) == ["ok"]


@pytest.mark.sqlite_only  # the SQLite file (a server backup is pg_dump's: see below)
@pytest.mark.parametrize(
    ("target", "message"),
    [
        pytest.param("missing-folder/b.sqlite", "does not exist", id="folder-missing"),
        pytest.param(".", "is a folder", id="a-folder"),
        pytest.param("att.sqlite", "the database itself", id="the-database"),
    ],
)
def test_backup_bad_targets(db_path: Path, tmp_path: Path, target: str, message: str) -> None:
    before = _digest(db_path)
    with pytest.raises(InvalidInputError, match=message):
        backup_database(db_path, tmp_path / target, overwrite=True)
    assert _digest(db_path) == before


def test_backup_of_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        backup_database(tmp_path / "none.sqlite", tmp_path / "b.sqlite")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.sqlite_only  # the SQLite file (a server backup is pg_dump's: see below)
def test_restore_round_trip_keeps_the_replaced_database(db_path: Path, tmp_path: Path) -> None:
    first = _import_small(db_path, tmp_path)
    backup = backup_database(db_path, tmp_path / "backup.sqlite").backup
    second = _import_small(db_path, tmp_path, first=100)
    reader = connect(db_path)  # another connection open throughout, as a running command
    assert marks_held(db_path) == first + second
    result = restore_database(backup, db_path)
    assert marks_held(db_path) == first
    assert reader.execute("SELECT count(*) FROM pupil").fetchone()[0] == 20
    reader.close()
    assert result.replaced_copy is not None
    assert result.replaced_copy.name.startswith("att.replaced-")
    assert marks_held(result.replaced_copy) == first + second
    for path in (db_path, result.replaced_copy):
        assert path.stat().st_mode & 0o777 == 0o600
        assert integrity(path) == ["ok"]
    assert _leftovers(tmp_path) == []


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(3 * page, len(data), page):  # scribble over every page's cell area
        data[offset + 8 : offset + 200] = b"\xa5" * 192
    path.write_bytes(bytes(data))


def _not_att(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()


def _newer(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()


@pytest.mark.sqlite_only  # the SQLite file (a server backup is pg_dump's: see below)
@pytest.mark.parametrize(
    ("spoil", "error", "message"),
    [
        pytest.param(_corrupt, DatabaseError, "integrity|damaged|malformed", id="corrupted"),
        pytest.param(
            lambda p: p.write_bytes(b"UPN,Date\n" * 100),
            InvalidInputError,
            "not an SQLite",
            id="csv",
        ),
        pytest.param(_not_att, InvalidInputError, "not an att database", id="other-sqlite"),
        pytest.param(_newer, DatabaseError, "newer release", id="newer-schema"),
    ],
)
def test_restore_checks_the_backup_before_touching_anything(
    sample_db: Path, tmp_path: Path, spoil, error: type[Exception], message: str
) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.sqlite"
    if spoil in (_not_att,):
        spoil(bad)
    else:
        backup_database(sample_db, bad)
        spoil(bad)
    before = _digest(sample_db)
    with pytest.raises(error, match=message):
        restore_database(bad, sample_db)
    assert _digest(sample_db) == before
    assert not [p for p in tmp_path.iterdir() if "replaced" in p.name]


@pytest.mark.sqlite_only  # the SQLite file (a server backup is pg_dump's: see below)
def test_restore_an_older_release_backup_upgrades_it(db_path: Path, tmp_path: Path) -> None:
    old = tmp_path / "release-0.1.0.sqlite"
    shutil.copyfile(FIXTURES / "release-0.1.0.sqlite", old)
    revision = check_backup(old)
    assert revision != migrate.SCHEMA_HEAD
    result = runner.invoke(app, ["--db", str(db_path), "db", "restore", str(old)])
    assert result.exit_code == 0, result.stderr
    assert "Upgraded the database" in result.stderr
    conn = connect(db_path)
    assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD
    conn.close()


@pytest.mark.sqlite_only  # the SQLite file (a server backup is pg_dump's: see below)
def test_restore_into_a_database_that_does_not_exist_yet(sample_db: Path, tmp_path: Path) -> None:
    backup = backup_database(sample_db, tmp_path / "b.sqlite").backup
    target = tmp_path / "new" / "att.sqlite"
    result = restore_database(backup, target)
    assert result.replaced_copy is None
    assert target.stat().st_mode & 0o777 == 0o600
    assert marks_held(target) == marks_held(sample_db)


@pytest.mark.sqlite_only  # the SQLite file (a server backup is pg_dump's: see below)
def test_cli_backup_and_restore(sample_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "cli-backup.sqlite"
    result = runner.invoke(app, ["--db", str(sample_db), "db", "backup", str(target)])
    assert result.exit_code == 0, result.stderr
    assert str(target) in result.stdout and "integrity ok" in result.stdout
    again = runner.invoke(app, ["--db", str(sample_db), "db", "backup", str(target)])
    assert again.exit_code == 3 and again.stderr.startswith("Error:") and "--force" in again.stderr
    restored = runner.invoke(app, ["--db", str(sample_db), "db", "restore", str(target)])
    assert restored.exit_code == 0, restored.stderr
    assert "kept in" in restored.stderr
    missing = runner.invoke(app, ["--db", str(sample_db), "db", "restore", "nope.sqlite"])
    assert missing.exit_code == 4 and missing.stderr.startswith("Error:")
    default = runner.invoke(app, ["--db", str(sample_db), "db", "backup"])
    assert default.exit_code == 0
    assert len(list(tmp_path.glob("att.backup-*.sqlite"))) == 1


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_server_backup_while_a_writer_is_mid_transaction_holds_only_committed_data(
    sample_db: object, tmp_path: Path, postgres_server: object
) -> None:
    from attendance_cli.cases.notes import add_note
    from attendance_cli.db.info import audit_head
    from tests.helpers import connect_to
    from tests.referrals.builders import HARVEY

    conn = connect_to(sample_db)
    add_note(Store(conn, sample_db), upn=HARVEY, text="Committed note", officer="Test Officer")
    head = audit_head(conn)
    writer = connect_to(sample_db)
    writer.raw.autocommit = False  # a casework write under way, not yet committed
    add_note(Store(writer, sample_db), upn=HARVEY, text="Uncommitted note", officer="Test Officer")
    try:
        target = tmp_path / "team.dump"
        done = runner.invoke(app, ["db", "backup", str(target)])
    finally:
        writer.rollback()
        writer.close()
    assert done.exit_code == 0, done.output
    assert f"Audit chain head in the backup: {head} " in done.stdout
    add_note(Store(conn, sample_db), upn=HARVEY, text="Later note", officer="Test Officer")
    assert audit_head(conn) != head
    conn.close()
    # restored into a new database, the dump holds the committed note only, and its chain
    # ends at the head printed
    restored_url = postgres_server.create_database(f"restored_{tmp_path.name}")  # type: ignore[attr-defined]
    from attendance_cli.db.postgres import connect_arguments, parse_database_url

    restored = parse_database_url(restored_url)
    arguments = connect_arguments(restored)
    subprocess.run(
        ["pg_restore", "--no-owner", f"--host={arguments['host']}",
         f"--username={arguments['user']}", f"--dbname={arguments['dbname']}", str(target)],
        check=True, capture_output=True,
    )  # fmt: skip
    check = connect_to(restored)
    try:
        notes = [r[0] for r in check.execute("SELECT text FROM case_note ORDER BY id")]
        assert "Committed note" in notes and "Uncommitted note" not in notes
        assert "Later note" not in notes
        assert audit_head(check) == head
    finally:
        check.close()
