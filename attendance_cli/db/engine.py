"""Opening the database: private file, WAL, busy timeout, schema brought up to date.

Connections are stdlib ``sqlite3`` in autocommit mode; writers wrap their work in
``transaction(conn)`` (BEGIN IMMEDIATE ... COMMIT, ROLLBACK on any error or Ctrl-C), so a write
either lands whole or not at all.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from attendance_cli.errors import DatabaseError

BUSY_TIMEOUT_MS = 60_000


@dataclass
class OpenResult:
    """What happened while opening: for the CLI to report on stderr."""

    created: bool = False
    upgraded_from: str | None = None
    backup: Path | None = None
    warnings: list[str] = field(default_factory=list)


def make_private_folders(folder: Path) -> None:
    """Create ``folder`` and any missing folders above it, each readable by its owner only
    (0700 whatever the umask; ``mkdir(parents=True)`` would make the upper ones 0777 & ~umask).
    Folders that already exist are left as they are."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue
        os.chmod(path, 0o700)


def create_private_file(path: Path) -> None:
    """Create ``path`` (and its folder) readable and writable by its owner only."""
    make_private_folders(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def exposure_warning(path: Path) -> str | None:
    mode = path.stat().st_mode
    if mode & (stat.S_IRGRP | stat.S_IROTH | stat.S_IWGRP | stat.S_IWOTH):
        return (
            f"The database {path} can be read by other users (mode {stat.filemode(mode)}); "
            f"it holds children's personal data. Run: chmod 600 '{path}'"
        )
    return None


def connect(path: Path) -> sqlite3.Connection:
    """A raw connection with att's pragmas; no schema check."""
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise _open_error(exc, path, "Cannot open") from exc
    return conn


def _open_error(exc: sqlite3.Error, path: Path, verb: str) -> DatabaseError:
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_IOERR", "SQLITE_FULL", "SQLITE_READONLY", "SQLITE_BUSY")):
        return describe_sqlite_error(exc, path)
    return DatabaseError(
        f"{verb} the database {path}: {exc}",
        hint="Check the path (--db or ATT_DB) and that the file is an att database.",
    )


def open_database(path: Path, *, upgrade: bool = True) -> tuple[sqlite3.Connection, OpenResult]:
    """Open (creating if needed) the database at ``path`` and bring its schema to the head.

    An up-to-date database opens directly. Creating or upgrading one happens under an exclusive
    lock on ``PATH.setup-lock`` (removed afterwards), so two commands started at once on a new
    or older database never both run the migrations: the second waits, then finds it done."""
    from attendance_cli.db.migrate import SCHEMA_HEAD, current_revision

    result = OpenResult()
    if path.is_dir():
        raise DatabaseError(
            f"{path} is a folder, not a database file", hint="Pass a file path to --db."
        )
    if path.exists() and path.stat().st_size > 0:
        warning = exposure_warning(path)
        if warning:
            result.warnings.append(warning)
        conn = connect(path)
        try:
            revision = current_revision(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise _open_error(exc, path, "Cannot read") from exc
        if revision == SCHEMA_HEAD or not upgrade:
            return conn, result
        conn.close()
    with _setup_lock(path):
        return _open_and_set_up(path, result, upgrade=upgrade)


def _open_and_set_up(
    path: Path, result: OpenResult, *, upgrade: bool
) -> tuple[sqlite3.Connection, OpenResult]:
    from attendance_cli.db.migrate import (
        SCHEMA_HEAD,
        backup_before_upgrade,
        current_revision,
        known_revisions,
        upgrade_database,
    )

    if not path.exists():
        try:
            create_private_file(path)
        except OSError as exc:
            raise DatabaseError(
                f"Cannot create the database {path}: {exc.strerror}",
                hint="Choose a writable location with --db or ATT_DB.",
            ) from exc
        result.created = True
    conn = connect(path)
    try:
        revision = current_revision(conn)
        if revision == SCHEMA_HEAD or not upgrade:
            return conn, result
        if revision is None and _has_tables(conn):
            raise DatabaseError(
                f"{path} is an SQLite file but not an att database",
                hint="Point --db or ATT_DB at an att database, or at a new file.",
            )
        if revision is not None:
            if revision not in known_revisions():
                raise DatabaseError(
                    f"The database {path} was written by a newer release of att "
                    f"(schema {revision})",
                    hint="Upgrade att (pip install --upgrade attendance-cli).",
                )
            result.upgraded_from = revision
            result.backup = backup_before_upgrade(path, revision)
        upgrade_database(path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _open_error(exc, path, "Cannot read") from exc
    except BaseException:
        conn.close()
        raise
    return conn, result


@contextlib.contextmanager
def _setup_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock (flock) on ``PATH.setup-lock``, removed on release. The lock
    file is re-checked after locking: if another process removed it meanwhile, lock again."""
    import fcntl

    lock_path = path.with_name(path.name + ".setup-lock")
    while True:
        try:
            make_private_folders(path.parent)
            fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
        except OSError as exc:
            raise DatabaseError(
                f"Cannot create the database {path}: {exc.strerror}",
                hint="Choose a writable location with --db or ATT_DB.",
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.fstat(fd).st_ino == os.stat(lock_path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock_path)
        os.close(fd)


def _has_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    return bool(row[0])


def describe_sqlite_error(exc: sqlite3.Error, path: Path | str | None = None) -> DatabaseError:
    """A DatabaseError saying what went wrong in words an officer can act on: busy, read-only,
    disk full, damaged, cannot open; anything else keeps SQLite's own message."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    where = f" {path}" if path else ""
    text = str(exc)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return DatabaseError(
            f"The database{where} is busy: another command is using it",
            hint="Another att command is writing; try again when it has finished.",
        )
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return DatabaseError(
            f"The database{where} cannot be written: the file or its folder is read-only",
            hint="Check that you can write to the database file and the folder it is in.",
        )
    if name == "SQLITE_FULL" or "disk is full" in text:
        return DatabaseError(
            f"Could not write to the database{where}: the disk is full",
            hint="Free some disk space and run the command again; nothing from it was saved.",
        )
    if name.startswith("SQLITE_IOERR"):
        return DatabaseError(
            f"Could not read or write the database{where}: disk I/O error (the disk may be "
            "full, the file too large for this system, or the disk failing)",
            hint="Check disk space and the disk, then run the command again; nothing from it "
            "was saved.",
        )
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return DatabaseError(
            f"The database{where} is damaged or not a database ({text})",
            hint="Restore a backup with att db restore BACKUP.",
        )
    if name.startswith("SQLITE_CANTOPEN"):
        return DatabaseError(
            f"Cannot open the database{where}",
            hint="Check the path (--db or ATT_DB) and the permissions of the file and its folder.",
        )
    return DatabaseError(
        f"Database problem: {text}",
        hint="Check disk space and permissions; if another att command is running, wait for it.",
    )


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT; rolled back on any exception, KeyboardInterrupt included.
    SQLite errors (busy, read-only, disk full) come out as a DatabaseError saying which."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise describe_sqlite_error(exc) from exc
    try:
        yield conn
    except BaseException as exc:
        _rollback(conn)
        if isinstance(exc, sqlite3.Error):
            raise describe_sqlite_error(exc) from exc
        raise
    else:
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(conn)
            raise describe_sqlite_error(exc) from exc


def _rollback(conn: sqlite3.Connection) -> None:
    # SQLite may already have rolled back by itself (disk full, I/O error)
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
