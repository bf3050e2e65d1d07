"""``database_info``: what a database holds, for ``att db info`` (counts, the marks' first and
last dates, the schema revision, the audit chain's head). Portable Core over ``db.models``;
``att db info`` is no hot path."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attendance_cli import marks
from attendance_cli.codes import NO_MARK
from attendance_cli.store.connection import Store


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


def database_info(store: Store, path: Path | Any) -> DatabaseInfo:
    """What the database at ``path`` holds (on PostgreSQL ``path`` is the ``ServerDatabase``
    and the size is the server's figure for the database)."""
    from sqlalchemy import func, select

    from attendance_cli.db import models
    from attendance_cli.db.info import audit_head
    from attendance_cli.db.migrate import current_revision

    def count(table: Any) -> int:
        return int(store.execute(select(func.count()).select_from(table)).scalar_one())

    tables = models.metadata.tables
    mark_year = tables["mark_year"]
    total_marks = 0
    first: dt.date | None = None
    last: dt.date | None = None
    for row in store.execute(select(mark_year.c.academic_year, mark_year.c.marks)):
        year, text = row.academic_year, row.marks
        filled = len(text) - text.count(NO_MARK)
        if not filled:
            continue
        total_marks += filled
        lo = len(text) - len(text.lstrip(NO_MARK))
        hi = len(text.rstrip(NO_MARK)) - 1
        start, end = marks.date_at(year, lo)[0], marks.date_at(year, hi)[0]
        first = start if first is None or start < first else first
        last = end if last is None or end > last else last
    if store.dialect == "postgresql":
        size = int(
            store.execute(select(func.pg_database_size(func.current_database()))).scalar_one()
        )
    else:
        size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    return DatabaseInfo(
        path=str(path),
        schema_revision=current_revision(store.connection),
        size_bytes=size,
        schools=count(tables["school"]),
        pupils=count(tables["pupil"]),
        enrolments=count(tables["enrolment"]),
        marks=total_marks,
        imports=count(tables["import_log"]),
        first_date=first,
        last_date=last,
        audit_head=audit_head(store.connection),
    )
