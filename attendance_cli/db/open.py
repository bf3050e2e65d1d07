"""Opening the database: path rules, private file, WAL, busy timeout, schema brought up to date.

Above ``db.connection`` (raw connections), ``db.migrate`` (Alembic) and ``db.backup`` (the copy
made before an upgrade); nothing in ``db/`` imports this module back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attendance_cli.db.connection import (
    check_database_path,
    connect,
    create_private_file,
    current_revision,
    exposure_warning,
    has_tables,
    make_private_folders,
    open_error,
)
from attendance_cli.errors import DatabaseError, NotFoundError

if TYPE_CHECKING:
    from attendance_cli.db.postgres import PostgresConnection, ServerDatabase


@dataclass
class OpenResult:
    """What happened while opening: for the CLI to report on stderr."""

    created: bool = False
    upgraded_from: str | None = None
    backup: Path | None = None
    warnings: list[str] = field(default_factory=list)


def open_database(
    path: Path | ServerDatabase, *, upgrade: bool = True, create: bool = True
) -> tuple[Any, OpenResult]:
    """Open the database at ``path`` (creating it when ``create``) and bring its schema to the
    head; a ``ServerDatabase`` opens on PostgreSQL (:func:`open_server_database`). With ``create=False`` a missing (or empty) database is a NotFoundError ("No database
    at …; run att import or att db init"); the path must pass ``check_database_path``.

    An up-to-date database opens directly. Creating or upgrading one happens under an exclusive
    lock on ``PATH.setup-lock`` (removed afterwards), so two commands started at once on a new
    or older database never both run the migrations: the second waits, then finds it done."""
    from attendance_cli.db.migrate import SCHEMA_HEAD

    if not isinstance(path, (str, os.PathLike)):
        return open_server_database(path, upgrade=upgrade, create=create)
    path = Path(path)
    result = OpenResult()
    exists = check_database_path(path, create=create)
    _sweep(path)
    if exists:
        warning = exposure_warning(path)
        if warning:
            result.warnings.append(warning)
        conn = connect(path)
        try:
            revision = current_revision(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise open_error(exc, path, "Cannot read") from exc
        if revision == SCHEMA_HEAD or not upgrade:
            return conn, result
        conn.close()
    elif not create:  # an empty file: not a database yet
        raise NotFoundError(
            f"No database at {path} (the file is empty); run att import or att db init",
            hint="Check --db or ATT_DB; att import (or att db init) creates a new database.",
        )
    with _setup_lock(path):
        return _open_and_set_up(path, result, upgrade=upgrade)


def _open_and_set_up(
    path: Path, result: OpenResult, *, upgrade: bool
) -> tuple[sqlite3.Connection, OpenResult]:
    from attendance_cli.db.migrate import SCHEMA_HEAD, known_revisions, upgrade_database

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
        if revision is None and has_tables(conn):
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
        try:
            upgrade_database(path)
        except DatabaseError as exc:
            if result.backup is not None:
                exc.hint = (
                    f"{exc.hint} The database is unchanged (schema {revision}); the copy made "
                    f"before the upgrade is {result.backup}."
                ).strip()
            raise
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise open_error(exc, path, "Cannot read") from exc
    except BaseException:
        conn.close()
        raise
    return conn, result


def open_server_database(
    database: ServerDatabase, *, upgrade: bool = True, create: bool = True
) -> tuple[PostgresConnection, OpenResult]:
    """Open a PostgreSQL database (which the server's administrator created, README "For a
    team") and bring its schema to the head. The upgrade is one transaction under an advisory
    lock (``db.postgres.upgrade_server_database``), so two officers' first runs never both
    migrate, and a failed upgrade leaves the schema as it was; there is no file copy to make
    first — the server's backups (pg_dump) are the server's. With ``create=False`` a database
    without att's schema is a NotFoundError saying to run att db init."""
    from attendance_cli.config import document_store
    from attendance_cli.db import postgres
    from attendance_cli.db.migrate import SCHEMA_HEAD, known_revisions

    result = OpenResult()
    conn = postgres.connect(database)
    _sweep_documents(document_store(database))
    try:
        revision = postgres.current_revision(conn)
        if revision == SCHEMA_HEAD or not upgrade:
            return conn, result
        if revision is None:
            if postgres.has_tables(conn):
                raise DatabaseError(
                    f"The database {database} holds tables but not att's",
                    hint="Point --db or ATT_DB at an att database, or at a new, empty one.",
                )
            if not create:
                raise NotFoundError(
                    f"The database {database} has no att tables yet; run att db init",
                    hint="att db init (or att db upgrade) creates them; the database itself is "
                    "made by the server's administrator (README, 'For a team').",
                )
            result.created = True
        elif revision not in known_revisions():
            raise DatabaseError(
                f"The database {database} was written by a newer release of att "
                f"(schema {revision})",
                hint="Upgrade att (pip install --upgrade attendance-cli).",
            )
        else:
            result.upgraded_from = revision
        postgres.upgrade_server_database(database)
    except BaseException:
        conn.close()
        raise
    return conn, result


def backup_before_upgrade(path: Path, revision: str) -> Path:
    """Copy the database beside itself before a schema upgrade (``db.backup``: online backup,
    verified, 0600, a single file written under a temporary name then renamed) as
    ``NAME.before-REVISION-STAMP.bak``. When an earlier upgrade from the same revision was cut
    short, its copy is reused if the database still holds exactly what it holds, so retries
    after kills do not pile up copies of children's data."""
    from attendance_cli.db.backup import backup_database, content_digest

    earlier = sorted(path.parent.glob(f"{glob.escape(path.name)}.before-{revision}-*.bak"))
    if earlier:
        latest = earlier[-1]
        with contextlib.suppress(sqlite3.Error, DatabaseError, OSError):
            if content_digest(latest) == content_digest(path):
                return latest
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = path.with_name(f"{path.name}.before-{revision}-{stamp}.bak")
    return backup_database(path, target).backup


def _sweep(path: Path) -> None:
    """Remove hidden copies of children's data a killed att left beside the database (backup
    and restore temporaries) and in its document store (attachments being copied)."""
    from attendance_cli.config import document_store
    from attendance_cli.files import sweep_partials

    sweep_partials(path.parent)
    _sweep_documents(document_store(path))


def _sweep_documents(store: Path) -> None:
    """Remove attachments' temporaries a killed att left in the document store (on a server,
    the team's shared folder: a temporary another officer's att is still writing is locked,
    and kept)."""
    from attendance_cli.files import sweep_partials

    if store.is_dir():
        sweep_partials(store)
        for legacy in store.glob(".*.partial"):  # att 0.1's attachment temporaries
            legacy.unlink(missing_ok=True)


@contextlib.contextmanager
def _setup_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock (flock) on ``PATH.setup-lock``, removed on release. The lock
    file is re-checked after locking: if another process removed it meanwhile, lock again."""
    import fcntl

    lock_path = path.with_name(path.name + ".setup-lock")
    while True:
        try:
            make_private_folders(path.parent)
            fd = os.open(lock_path, os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
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
