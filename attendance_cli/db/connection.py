"""The raw SQLite connection: att's pragmas, private files, path rules, transactions, errors.

This is the bottom layer of ``attendance_cli.db``: it imports nothing else from the package but
``errors``. ``db.migrate`` (Alembic), ``db.backup`` and ``db.open`` sit above it, in that order,
so no module of ``db/`` imports one that imports it back.

Connections are stdlib ``sqlite3`` in autocommit mode; writers wrap their work in
``transaction(conn)`` (BEGIN IMMEDIATE ... COMMIT, ROLLBACK on any error or Ctrl-C), so a write
either lands whole or not at all. Every connection runs with ``synchronous = FULL``: a commit
is on disk before att says it is saved, so a power cut never rolls back a casework or audit entry
whose bundle or letter is already on disk (with NORMAL, WAL mode may lose the last commits, and
verify would then call a genuine bundle forged). Imports are one transaction per file, so the
extra sync per commit costs them nothing measurable (bench/bench_durability.py).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

from attendance_cli.errors import DatabaseError, NotFoundError, UsageError

BUSY_TIMEOUT_MS = 60_000

# files SQLite keeps beside a database while it is in use
SIDE_FILES = ("-wal", "-shm", "-journal")


def make_private_folders(folder: Path) -> None:
    """Create ``folder`` and any missing folders above it, each readable by its owner only
    (0700 whatever the umask; ``mkdir(parents=True)`` would make the upper ones 0777 & ~umask).
    Folders that already exist are left as they are."""
    missing = []
    while not os.path.lexists(folder):
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
    """Create ``path`` (and its folder) readable and writable by its owner only. Refuses to
    follow a symbolic link or to open anything but a new or existing regular file."""
    make_private_folders(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise DatabaseError(
                f"{path} is not a regular file", hint="Pass a file path to --db or ATT_DB."
            )
    finally:
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


def check_database_path(path: Path, *, create: bool) -> bool:
    """Check ``path`` is somewhere att may keep a database; True when a database is there.

    A database is a regular file (not a folder, device or dangling symbolic link), and so are
    the journals beside it. A new one is made only when ``create`` (the commands that write:
    import, db init, db upgrade), in a folder that only its owner can write to (else another
    user could plant or swap its journals) — missing folders are created 0700. Otherwise a
    missing database is an error saying how to make one."""
    if str(path) in ("", "."):
        raise UsageError("The database path is empty", hint="Pass a file path to --db or ATT_DB.")
    if os.path.islink(path) and not path.exists():
        raise DatabaseError(
            f"{path} is a symbolic link to a file that does not exist",
            hint="Point --db or ATT_DB at the database itself, or at a new file in an existing "
            "folder.",
        )
    if path.is_dir():
        raise DatabaseError(
            f"{path} is a folder, not a database file", hint="Pass a file path to --db."
        )
    if path.exists():
        if not stat.S_ISREG(path.stat().st_mode):
            raise DatabaseError(
                f"{path} is not a regular file (a device or other special file), so not a database",
                hint="Pass a file path to --db or ATT_DB.",
            )
        for suffix in SIDE_FILES:
            side = Path(f"{path}{suffix}")
            if os.path.lexists(side) and (
                side.is_symlink() or not stat.S_ISREG(side.lstat().st_mode)
            ):
                raise DatabaseError(
                    f"{side} beside the database is not a regular file",
                    hint="Remove it (it is not att's), then run the command again.",
                )
        return path.stat().st_size > 0
    if not create:
        raise NotFoundError(
            f"No database at {path}; run att import or att db init",
            hint="Check --db or ATT_DB; att import (or att db init) creates a new database.",
        )
    folder = _nearest_existing_folder(path.parent)
    if folder is not None and folder.stat().st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise DatabaseError(
            f"Will not create a database in {folder}: other users can write to that folder "
            "(they could replace the database's journal files)",
            hint="Choose a folder only you can write to (e.g. mkdir -m 700 att-data).",
        )
    return False


def _nearest_existing_folder(folder: Path) -> Path | None:
    while not folder.exists():
        if folder.parent == folder:
            return None
        folder = folder.parent
    return folder


def connect(path: Path) -> sqlite3.Connection:
    """A raw connection with att's pragmas; no schema check."""
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise open_error(exc, path, "Cannot open") from exc
    return conn


def current_revision(conn: sqlite3.Connection) -> str | None:
    """The schema revision recorded in the database (Alembic's version table), or None."""
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def has_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    return bool(row[0])


def open_error(exc: sqlite3.Error, path: Path, verb: str) -> DatabaseError:
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_IOERR", "SQLITE_FULL", "SQLITE_READONLY", "SQLITE_BUSY")):
        return describe_sqlite_error(exc, path)
    return DatabaseError(
        f"{verb} the database {path}: {exc}",
        hint="Check the path (--db or ATT_DB) and that the file is an att database.",
    )


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
