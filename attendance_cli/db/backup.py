"""Backing up and restoring the database with SQLite's online backup API.

``backup_database`` copies a consistent snapshot (writers may keep working while it runs) into a
temporary file beside the target, checks the copy (``PRAGMA integrity_check``), makes it a
self-contained single file (no ``-wal`` beside it), and only then renames it to the final name:
a crash or a full disk never leaves a partial backup under the name asked for. Backups are
readable and writable by their owner only (0600).

``restore_database`` checks a backup before touching anything: it must be an SQLite file that
passes ``PRAGMA integrity_check`` and holds an att schema this release knows (the current one, or
an older one that opening will upgrade). The database being replaced is first copied beside
itself as ``NAME.replaced-YYYYmmdd-HHMMSS.sqlite`` (0600); the backup is then copied into the
database through the backup API, in one transaction, so other connections see either the old
database or the restored one, never a mixture.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from attendance_cli.errors import DatabaseError, InvalidInputError, NotFoundError

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 60.0


@dataclass
class BackupResult:
    database: Path
    backup: Path
    schema_revision: str | None
    size_bytes: int


@dataclass
class RestoreResult:
    database: Path
    restored_from: Path
    schema_revision: str
    replaced_copy: Path | None  # the database as it was before the restore (None if new)


def default_backup_path(database: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return database.with_name(f"{database.stem}.backup-{stamp}.sqlite")


def backup_database(database: Path, target: Path, *, overwrite: bool = False) -> BackupResult:
    """Copy ``database`` to ``target`` (consistent while in use, verified, 0600, atomic)."""
    database, target = Path(database), Path(target)
    if not database.is_file():
        raise NotFoundError(
            f"There is no database at {database}",
            hint="Check --db or ATT_DB; nothing was backed up.",
        )
    _check_target(database, target, overwrite=overwrite)
    source = _connect(database, read_only=True)
    try:
        revision = _revision(source)
        copy = _copy_to_temporary(source, target.parent, target.name)
    finally:
        source.close()
    try:
        _check_integrity(copy, what=f"The backup copy of {database}")
        _fsync(copy)
        os.replace(copy, target)
    except BaseException:
        with contextlib.suppress(OSError):
            copy.unlink()
        raise
    _fsync_folder(target.parent)
    return BackupResult(database, target, revision, target.stat().st_size)


def check_backup(path: Path) -> str:
    """The schema revision of a usable backup; raises when ``path`` is not one."""
    from attendance_cli.db.migrate import SCHEMA_HEAD, known_revisions

    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"No such backup file: {path}", hint="Check the path.")
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise InvalidInputError(
            f"{path.name} is not an SQLite database, so not an att backup",
            file=path.name,
            hint="Pass a file written by att db backup.",
        )
    conn = _connect(path, read_only=True)
    try:
        _integrity(conn, what=f"The backup {path.name}")
        revision = _revision(conn)
    finally:
        conn.close()
    if revision is None:
        raise InvalidInputError(
            f"{path.name} is an SQLite file but not an att database",
            file=path.name,
            hint="Pass a file written by att db backup.",
        )
    if revision != SCHEMA_HEAD and revision not in known_revisions():
        raise DatabaseError(
            f"The backup {path.name} was written by a newer release of att (schema {revision})",
            hint="Upgrade att (pip install --upgrade attendance-cli), then restore it.",
        )
    return revision


def restore_database(backup: Path, database: Path) -> RestoreResult:
    """Replace ``database`` with the checked ``backup``, keeping the replaced one beside it."""
    from attendance_cli.db.engine import connect, create_private_file

    backup, database = Path(backup), Path(database)
    if database.exists() and backup.exists() and database.samefile(backup):
        raise InvalidInputError(
            "The backup is the database itself", hint="Pass a file written by att db backup."
        )
    revision = check_backup(backup)
    replaced: Path | None = None
    if database.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        replaced = database.with_name(f"{database.stem}.replaced-{stamp}.sqlite")
        current = _connect(database)
        try:
            copy = _copy_to_temporary(current, database.parent, replaced.name)
        finally:
            current.close()
        _fsync(copy)
        os.replace(copy, replaced)
    else:
        create_private_file(database)
    source = _connect(backup, read_only=True)
    try:
        target = connect(database)
        try:
            source.backup(target)
            _integrity(target, what=f"The restored database {database}")
            target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise DatabaseError(
                f"Could not restore into {database}: {exc}",
                hint=f"The database as it was is kept in {replaced}." if replaced else "",
            ) from exc
        finally:
            target.close()
    finally:
        source.close()
    return RestoreResult(database, backup, revision, replaced)


# ------------------------------------------------------------------------------------ helpers


def _check_target(database: Path, target: Path, *, overwrite: bool) -> None:
    if target.is_dir():
        raise InvalidInputError(
            f"{target} is a folder", hint="Give the backup file's name, e.g. att-backup.sqlite."
        )
    if not target.parent.is_dir():
        raise InvalidInputError(
            f"The folder {target.parent} does not exist",
            hint="Create the folder first, or choose a path in an existing folder.",
        )
    if target.exists():
        if target.samefile(database):
            raise InvalidInputError(
                "The backup path is the database itself", hint="Choose another file name."
            )
        if not overwrite:
            raise InvalidInputError(
                f"{target} already exists",
                hint="Choose another name, or add --force to replace it.",
            )


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    try:
        if read_only:
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro",
                uri=True,
                timeout=BUSY_TIMEOUT_S,
                isolation_level=None,
            )
        else:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        from attendance_cli.db.engine import describe_sqlite_error

        name = getattr(exc, "sqlite_errorname", "") or ""
        if name.startswith(("SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_FULL", "SQLITE_BUSY")):
            raise describe_sqlite_error(exc, path) from exc
        raise DatabaseError(
            f"Cannot read {path}: {exc}",
            hint="Check that the file is an att database and that you can read it.",
        ) from exc
    return conn


def _revision(conn: sqlite3.Connection) -> str | None:
    from attendance_cli.db.migrate import current_revision

    return current_revision(conn)


def _copy_to_temporary(source: sqlite3.Connection, folder: Path, name: str) -> Path:
    """Back ``source`` up into a new private temporary file in ``folder``; a single file in
    rollback-journal mode, so it can be moved or copied on its own."""
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    os.close(handle)
    path = Path(temporary)
    try:
        os.chmod(path, 0o600)
        dest = sqlite3.connect(path, isolation_level=None)
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        os.chmod(path, 0o600)
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return path


def _check_integrity(path: Path, *, what: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        _integrity(conn, what=what)
    finally:
        conn.close()


def _integrity(conn: sqlite3.Connection, *, what: str) -> None:
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{what} is damaged: {exc}", hint="Use another backup.") from exc
    if rows != ["ok"]:
        raise DatabaseError(
            f"{what} failed SQLite's integrity check ({len(rows)} problem(s), first: {rows[0]})",
            hint="Use another backup.",
        )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be synced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
