"""``database_info``: what a database holds, for ``att db info``."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attendance_cli import marks
from attendance_cli.codes import NO_MARK


@dataclass
class DatabaseInfo:
    path: str
    schema_revision: str | None
    size_bytes: int
    schools: int
    pupils: int
    enrolments: int
    marks: int
    imports: int
    first_date: dt.date | None
    last_date: dt.date | None
    audit_head: str | None = None  # the audit chain's head, ID:HASH (an anchor to keep)


def audit_head(conn: Any) -> str | None:
    """The audit log's last entry as ``ID:HASH`` (``att audit verify --anchor`` takes it); None
    when the log is empty or absent."""
    try:
        row = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.OperationalError:  # an SQLite file with no audit_log (a server database is
        # always at the head: att db init/upgrade made it)
        return None
    return f"{row[0]}:{row[1]}" if row else None


def database_info(conn: Any, path: Path | Any) -> DatabaseInfo:
    """``conn`` is an SQLite connection or a ``db.postgres.PostgresConnection`` (then ``path`` is
    the ``ServerDatabase`` and the size is the server's figure for the database)."""
    from attendance_cli.db.migrate import current_revision

    def count(table: str) -> int:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    total_marks = 0
    first: dt.date | None = None
    last: dt.date | None = None
    for year, text in conn.execute("SELECT academic_year, marks FROM mark_year"):
        filled = len(text) - text.count(NO_MARK)
        if not filled:
            continue
        total_marks += filled
        lo = len(text) - len(text.lstrip(NO_MARK))
        hi = len(text.rstrip(NO_MARK)) - 1
        start, end = marks.date_at(year, lo)[0], marks.date_at(year, hi)[0]
        first = start if first is None or start < first else first
        last = end if last is None or end > last else last
    if getattr(conn, "dialect", "sqlite") == "postgresql":
        size = int(conn.execute("SELECT pg_database_size(current_database())").fetchone()[0])
    else:
        size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    return DatabaseInfo(
        path=str(path),
        schema_revision=current_revision(conn),
        size_bytes=size,
        schools=count("school"),
        pupils=count("pupil"),
        enrolments=count("enrolment"),
        marks=total_marks,
        imports=count("import_log"),
        first_date=first,
        last_date=last,
        audit_head=audit_head(conn),
    )
