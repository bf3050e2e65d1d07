"""A schema upgrade killed (SIGKILL) or interrupted (Ctrl-C) part-way is all or nothing.

For every CREATE statement of every migration (tables and indexes of 0001 from an empty file,
of 0002 from the oldest saved release), a forked child opens the database and is killed right
after that statement has run. The database must then be exactly as it was: the old revision,
the same tables and rows, integrity ok. The next open upgrades it to the head, and however many
upgrades were killed on the way only one pre-upgrade backup is left.

On a PostgreSQL server the whole upgrade is one transaction: a child is killed after one of 12
statements spread over it (the first and the very last, before COMMIT, included), from an empty
database and from schema 0003 holding a school; the revision, tables, indexes and rows are then
exactly as before, and the next open upgrades to the head with no row lost.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from attendance_cli.db import migrate
from attendance_cli.db.engine import open_database
from attendance_cli.errors import DatabaseError

FIXTURE = Path(__file__).parents[1] / "db" / "fixtures" / "release-0.1.0.sqlite"


def _state(path: Path) -> tuple[str | None, dict[str, list[tuple[object, ...]]]]:
    """The revision and every table's rows (sqlite_master included, so indexes count too)."""
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
        rows["sqlite_master"] = sorted(
            conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall(), key=repr
        )
        revision = migrate.current_revision(conn)
    finally:
        conn.close()
    return revision, rows


def _on_create(action: Callable[[], None], after: int) -> Callable[[], None]:
    """Run ``action`` just after the ``after``-th CREATE statement of a migration; returns the
    function removing the listener."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    seen = [0]

    def listener(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("CREATE"):
            seen[0] += 1
            if seen[0] == after:
                action()

    event.listen(Engine, "after_cursor_execute", listener)
    return lambda: event.remove(Engine, "after_cursor_execute", listener)


def _creates_in_upgrade(start: Path, tmp_path: Path) -> int:
    """How many CREATE statements an uninterrupted upgrade of a copy of ``start`` runs."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    path = tmp_path / "count.sqlite"
    shutil.copyfile(start, path)
    count = [0]

    def listener(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        count[0] += statement.lstrip().upper().startswith("CREATE")

    event.listen(Engine, "after_cursor_execute", listener)
    try:
        conn, _ = open_database(path)
        conn.close()
    finally:
        event.remove(Engine, "after_cursor_execute", listener)
    return count[0]


def _killed_open(path: Path, after: int) -> int:
    """Fork; the child opens ``path`` and SIGKILLs itself after the ``after``-th CREATE."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            _on_create(lambda: os.kill(os.getpid(), signal.SIGKILL), after)
            conn, _ = open_database(path)
            conn.close()
        finally:
            os._exit(3)  # reached only if the kill never came
    _, status = os.waitpid(pid, 0)
    return status


def _start(kind: str, tmp_path: Path) -> Path:
    path = tmp_path / "att.sqlite"
    if kind == "release-0.1.0":
        shutil.copyfile(FIXTURE, path)
        path.chmod(0o600)
    else:
        path.touch(mode=0o600)
    return path


@pytest.mark.parametrize("kind", ["release-0.1.0", "empty-file"])
def test_upgrade_killed_after_each_create_leaves_the_old_revision(
    kind: str, tmp_path: Path, figures
) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "empty"
    empty.mkdir()
    start = _start(kind, empty)
    creates = _creates_in_upgrade(start, tmp_path)
    # 0001 makes 7 tables and 0002 9 more, each with its indexes: at least one CREATE a table
    assert creates >= (16 if kind == "empty-file" else 9)
    path = _start(kind, tmp_path)
    before = _state(path)
    for after in range(1, creates + 1):
        status = _killed_open(path, after)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, after
        assert _state(path) == before, f"killed after CREATE number {after}"
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
    conn, result = open_database(path)
    assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD
    conn.close()
    backups = sorted(tmp_path.glob("att.sqlite.before-*.bak"))
    if kind == "release-0.1.0":
        assert len(backups) == 1, backups  # the retries reused the first kill's backup
        assert result.backup == backups[0]
        assert _state(backups[0])[0] == "0001_initial"
    else:
        assert backups == []  # nothing to back up in an empty file
    figures(f"schema upgrade kills, one after each CREATE ({kind})", creates)


def test_ctrl_c_during_an_upgrade_leaves_the_old_revision(tmp_path: Path) -> None:
    path = _start("release-0.1.0", tmp_path)
    before = _state(path)

    def interrupt() -> None:
        raise KeyboardInterrupt

    remove = _on_create(interrupt, 3)
    try:
        with pytest.raises(KeyboardInterrupt):
            open_database(path)
    finally:
        remove()
    assert _state(path) == before


def test_a_failed_upgrade_names_the_backup_and_retries_reuse_it(tmp_path: Path) -> None:
    path = _start("release-0.1.0", tmp_path)
    before = _state(path)

    def fail() -> None:
        raise sqlite3.OperationalError("disk I/O error")

    failures = []
    for _ in range(2):
        remove = _on_create(fail, 2)
        try:
            with pytest.raises(DatabaseError) as failed:
                open_database(path)
        finally:
            remove()
        failures.append(failed.value)
    first, second = failures
    backups = sorted(tmp_path.glob("att.sqlite.before-0001_initial-*.bak"))
    assert len(backups) == 1
    assert str(backups[0]) in first.hint and str(backups[0]) in second.hint
    assert "unchanged (schema 0001_initial)" in first.hint
    assert _state(path) == before


def test_a_backup_of_a_different_database_is_not_reused(tmp_path: Path) -> None:
    """A backup left by a killed upgrade is reused only while the database is unchanged."""
    path = _start("release-0.1.0", tmp_path)

    def fail() -> None:
        raise sqlite3.OperationalError("disk I/O error")

    remove = _on_create(fail, 1)
    try:
        with pytest.raises(DatabaseError):
            open_database(path)
    finally:
        remove()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE school SET name = name || ' (renamed)'")
    conn.commit()
    conn.close()
    open_database(path)[0].close()
    backups = sorted(tmp_path.glob("att.sqlite.before-0001_initial-*.bak"))
    assert len(backups) == 2
    names = {_state(b)[1]["school"][0][2] for b in backups}
    assert len(names) == 2


# --- on a PostgreSQL server: the upgrade is one transaction; a kill anywhere leaves it as it was


def _server_state(url: str) -> tuple[object, ...]:
    """The revision, att's tables and indexes, and every table's rows, of a server database."""
    import psycopg

    from attendance_cli.db.postgres import connect_arguments, parse_database_url

    with psycopg.connect(**connect_arguments(parse_database_url(url))) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' ORDER BY table_name"
            )
        ]
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "ORDER BY indexname"
        ).fetchall()
        rows = {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }
    revision = rows.get("alembic_version")
    return revision, tables, indexes, rows


def _server_statements(url: str) -> int:
    """How many statements an uninterrupted upgrade of the server database runs (it is then
    dropped and made again by the caller)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from attendance_cli.db.open import open_database
    from attendance_cli.db.postgres import parse_database_url

    count = [0]

    def listener(*_args: object) -> None:
        count[0] += 1

    event.listen(Engine, "after_cursor_execute", listener)
    try:
        conn, _ = open_database(parse_database_url(url))
        conn.close()
    finally:
        event.remove(Engine, "after_cursor_execute", listener)
    return count[0]


def _server_killed_open(url: str, after: int) -> int:
    """Fork; the child opens the server database and SIGKILLs itself right after the
    upgrade's ``after``-th statement (the last one: only the COMMIT was still to come)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from attendance_cli.db.open import open_database
    from attendance_cli.db.postgres import parse_database_url

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            seen = [0]

            def listener(*_args: object) -> None:
                seen[0] += 1
                if seen[0] == after:
                    os.kill(os.getpid(), signal.SIGKILL)

            event.listen(Engine, "after_cursor_execute", listener)
            conn, _ = open_database(parse_database_url(url))
            conn.close()
        finally:
            os._exit(3)  # reached only if the kill never came
    _, status = os.waitpid(pid, 0)
    return status


SERVER_KILLS = 12


def _server_start(server: object, name: str, kind: str) -> str:
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    url = server.create_database(name)  # type: ignore[attr-defined]
    if kind == "older-schema":  # 0003, with a school in it: no row may be lost
        config = Config()
        config.set_main_option("script_location", str(migrate.migrations_dir()))
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0003_register_details")
            connection.execute(
                sa.text(
                    "INSERT INTO school (laestab, name, created_at) "
                    "VALUES ('8994001', 'Castle Hill', '2025-09-01 00:00:00')"
                )
            )
        engine.dispose()
    return url


@pytest.mark.parametrize("kind", ["older-schema", "empty-database"])
def test_a_server_upgrade_killed_anywhere_leaves_the_old_revision(
    kind: str, postgres_server: object, tmp_path: Path, figures
) -> None:  # type: ignore[no-untyped-def]
    from attendance_cli.db.open import open_database
    from attendance_cli.db.postgres import parse_database_url

    name = f"upgrade_kill_{kind.replace('-', '_')}_{os.getpid()}"
    count_url = _server_start(postgres_server, f"{name}_count", kind)
    statements = _server_statements(count_url)
    assert statements >= 30, statements  # every migration's tables, indexes and copies
    url = _server_start(postgres_server, name, kind)
    before = _server_state(url)
    # kills spread over the whole upgrade, the first and the last statement included
    points = sorted({1 + (statements - 1) * k // (SERVER_KILLS - 1) for k in range(SERVER_KILLS)})
    for after in points:
        status = _server_killed_open(url, after)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, after
        assert _server_state(url) == before, f"killed after statement {after} of {statements}"
    conn, result = open_database(parse_database_url(url))
    try:
        assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD
        if kind == "older-schema":
            assert result.upgraded_from == "0003_register_details"
            assert conn.execute("SELECT name FROM school").fetchall() == [("Castle Hill",)]
    finally:
        conn.close()
    figures(f"schema upgrade kills on PostgreSQL ({kind})", len(points))
