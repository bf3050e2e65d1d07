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

import datetime as dt
import functools
import hashlib
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from attendance_cli.db.connection import (
    check_database_path,
    connect,
    create_private_file,
    current_revision,
    describe_sqlite_error,
)
from attendance_cli.db.info import audit_head
from attendance_cli.errors import DatabaseError, InvalidInputError, NotFoundError
from attendance_cli.files import PartialFile, check_output_path

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 60.0


@dataclass
class BackupResult:
    database: Path
    backup: Path
    schema_revision: str | None
    size_bytes: int
    audit_head: str | None = None  # the backup's audit chain head, ID:HASH (an anchor)


@dataclass
class RestoreResult:
    database: Path
    restored_from: Path
    schema_revision: str
    replaced_copy: Path | None  # the database as it was before the restore (None if new)
    audit_head: str | None = None  # the restored audit chain head, ID:HASH


def default_backup_path(database: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return database.with_name(f"{database.stem}.backup-{stamp}.sqlite")


def backup_database(database: Path, target: Path, *, overwrite: bool = False) -> BackupResult:
    """Copy ``database`` to ``target`` (consistent while in use, verified, 0600, atomic). An
    existing ``target`` is replaced only with ``overwrite`` (``--force``)."""
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
        copy = _copy_to_temporary(source, target, force=overwrite)
    finally:
        source.close()
    try:
        _check_integrity(copy.path, what=f"The backup copy of {database}")
        head = _audit_head(copy.path)  # of the snapshot itself, not of the live database
        copy.commit()
    finally:
        copy.discard()
        copy.close()
    return BackupResult(database, target, revision, target.stat().st_size, head)


def content_digest(path: Path) -> str:
    """A SHA-256 of what the database at ``path`` holds: its schema and every table's rows in
    rowid order. Two files with the same digest hold the same data, whatever their pages look
    like (a backup is not byte-identical to its source)."""
    conn = _connect(Path(path), read_only=True)
    try:
        digest = hashlib.sha256()
        schema = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        digest.update(repr(schema).encode())
        for kind, name, _table, _sql in schema:
            if kind != "table" or name.startswith("sqlite_"):
                continue
            quoted = '"' + name.replace('"', '""') + '"'
            for row in conn.execute(f"SELECT * FROM {quoted} ORDER BY rowid"):
                digest.update(repr(row).encode())
        return digest.hexdigest()
    finally:
        conn.close()


def check_backup(path: Path) -> str:
    """The schema revision of a usable backup; raises when ``path`` is not one.

    Usable means: an SQLite file passing ``PRAGMA integrity_check`` whose whole schema (tables,
    columns, indexes, triggers, views) is exactly what this release's migrations make for its
    revision. A file with an extra trigger (one could rewrite notes and delete their audit
    entries behind att's back), a missing table such as ``audit_log``, or any other change is
    refused."""
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
        found = schema_of(conn)
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
    differences = schema_differences(found, expected_schema(revision))
    if differences:
        raise InvalidInputError(
            f"{path.name} does not have the schema att {revision} databases have: "
            + "; ".join(differences[:5])
            + (f"; and {len(differences) - 5} more" if len(differences) > 5 else ""),
            file=path.name,
            hint="Restore a file written by att db backup; a database changed by other tools "
            "cannot be trusted as evidence.",
        )
    return revision


Schema = dict[tuple[str, str], str]


def schema_of(conn: sqlite3.Connection) -> Schema:
    """Every table, index, trigger and view: (type, name) -> its SQL, whitespace normalised and,
    in a table, its table constraints in sorted order. SQLite's own statistics tables
    (ANALYZE) are left out."""
    schema: Schema = {}
    for kind, name, sql in conn.execute("SELECT type, name, sql FROM sqlite_master"):
        if name.startswith("sqlite_stat"):
            continue
        text = re.sub(r"\s+", " ", sql or "").strip()
        schema[(kind, name)] = _constraints_sorted(text) if kind == "table" else text
    return schema


_TABLE_CONSTRAINT = re.compile(r"(CONSTRAINT|PRIMARY KEY|FOREIGN KEY|UNIQUE|CHECK)\b", re.I)


def _constraints_sorted(sql: str) -> str:
    """A CREATE TABLE statement with its table constraints (the clauses after the columns) in
    sorted order. Alembic's batch migrations rebuild a table with its foreign keys in an order
    that changes from one run to the next (a set), so the same migration writes the same
    constraints in another order; the columns keep theirs."""
    start, end = sql.find("("), sql.rfind(")")
    if start < 0 or end < start:
        return sql
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in sql[start + 1 : end]:
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        depth += (ch == "(") - (ch == ")")
        current.append(ch)
    parts.append("".join(current).strip())
    columns = [p for p in parts if not _TABLE_CONSTRAINT.match(p)]
    constraints = sorted(p for p in parts if _TABLE_CONSTRAINT.match(p))
    return f"{sql[: start + 1]} {', '.join(columns + constraints)} {sql[end:]}"


def schema_differences(found: Schema, expected: Schema) -> list[str]:
    out = [f"{kind} {name} is missing" for kind, name in sorted(expected.keys() - found.keys())]
    out += [f"unexpected {kind} {name}" for kind, name in sorted(found.keys() - expected.keys())]
    out += [
        f"{kind} {name} differs"
        for kind, name in sorted(found.keys() & expected.keys())
        if found[(kind, name)] != expected[(kind, name)]
    ]
    return out


def expected_schema(revision: str) -> Schema:
    """The schema this release's migrations make at ``revision``: built in a private temporary
    folder (Alembic, ~0.3 s; restores are rare), once per process."""
    return dict(_expected_schema(revision))


@functools.cache
def _expected_schema(revision: str) -> Schema:
    import tempfile

    from attendance_cli.db.migrate import upgrade_database

    with tempfile.TemporaryDirectory(prefix="att-schema-") as folder:
        path = Path(folder) / "expected.sqlite"
        create_private_file(path)
        upgrade_database(path, revision=revision)
        conn = sqlite3.connect(path)
        try:
            return schema_of(conn)
        finally:
            conn.close()


def restore_database(backup: Path, database: Path) -> RestoreResult:
    """Replace ``database`` with the checked ``backup``, keeping the replaced one beside it."""
    backup, database = Path(backup), Path(database)
    if database.exists() and backup.exists() and database.samefile(backup):
        raise InvalidInputError(
            "The backup is the database itself", hint="Pass a file written by att db backup."
        )
    revision = check_backup(backup)
    replaced: Path | None = None
    if check_database_path(database, create=True) or database.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        replaced = database.with_name(f"{database.stem}.replaced-{stamp}.sqlite")
        current = _connect(database)
        try:
            copy = _copy_to_temporary(current, replaced, force=False)
        finally:
            current.close()
        try:
            copy.commit()
        finally:
            copy.discard()
            copy.close()
    else:
        create_private_file(database)
    source = _connect(backup, read_only=True)
    try:
        target = connect(database)
        try:
            source.backup(target)
            _integrity(target, what=f"The restored database {database}")
            head = audit_head(target)
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
    return RestoreResult(database, backup, revision, replaced, head)


# ------------------------------------------------------------------------------------ helpers


def _check_target(database: Path, target: Path, *, overwrite: bool) -> None:
    if target.exists() and target.samefile(database):
        raise InvalidInputError(
            "The backup path is the database itself", hint="Choose another file name."
        )
    check_output_path(target, force=overwrite)


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
        name = getattr(exc, "sqlite_errorname", "") or ""
        if name.startswith(("SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_FULL", "SQLITE_BUSY")):
            raise describe_sqlite_error(exc, path) from exc
        raise DatabaseError(
            f"Cannot read {path}: {exc}",
            hint="Check that the file is an att database and that you can read it.",
        ) from exc
    return conn


def _revision(conn: sqlite3.Connection) -> str | None:
    return current_revision(conn)


def _copy_to_temporary(source: sqlite3.Connection, target: Path, *, force: bool) -> PartialFile:
    """Back ``source`` up into a new private temporary file beside ``target`` (``files``: 0600,
    removed on failure, swept after a kill); a single file in rollback-journal mode, so it can
    be moved or copied on its own. The caller commits (moves it to ``target``) or discards it."""
    partial = PartialFile(target, force=force)
    try:
        dest = sqlite3.connect(partial.path, isolation_level=None)
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        os.chmod(partial.path, 0o600)
    except BaseException:
        partial.discard()
        partial.close()
        raise
    return partial


def _audit_head(path: Path) -> str | None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        return audit_head(conn)
    finally:
        conn.close()


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
