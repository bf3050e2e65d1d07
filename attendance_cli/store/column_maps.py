"""Saved column maps: the ``column_map`` table of migration ``0006_column_maps`` (issue 10).

A school whose register export att does not recognise gets its ``--columns`` mapping saved once
(one row per field), and every later import for that school (``att import --school``) uses it.
Why a table and not a file: the map belongs to one school in this database — it travels with
the database's backups, is removed with it, shows in ``att import`` notes and the import log,
and on PostgreSQL (issue 16) is shared by the whole team, where a file in one officer's home
folder would not be.

Writes and the listing are SQLAlchemy Core over ``db.models`` inside the caller's
``transaction``. :func:`column_map_for` is raw sqlite3 on ``store.connection``: it runs on every
``att import --school`` before any file is read, and an import into an existing database
otherwise never loads SQLAlchemy: importing it and the models for this one indexed SELECT costs
0.46 s (``import attendance_cli.db.models`` after the importer, measured on the shared 2-core
build host, December 2026) for statements that compiles to the same SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from attendance_cli.store.connection import Store
from attendance_cli.store.conversions import to_datetime


@dataclass(frozen=True, slots=True)
class SavedColumnMap:
    """A school's saved column map: att's field -> the school's header, in field order."""

    laestab: str
    school_name: str
    columns: dict[str, str]
    saved_at: dt.datetime | None
    officer: str

    @property
    def text(self) -> str:
        """The map as ``--columns`` takes it (``upn=Pupil No,mark=Code``)."""
        return ",".join(f"{field}={header}" for field, header in self.columns.items())


def _models() -> Any:
    from attendance_cli.db import models

    return models


def school_id(store: Store, laestab: str) -> int | None:
    """The id of the school with this LAESTAB, or None."""
    from sqlalchemy import select

    table = _models().School.__table__
    found = store.execute(select(table.c.id).where(table.c.laestab == laestab)).scalar()
    return int(found) if found is not None else None


def save_column_map(store: Store, *, school_id: int, columns: dict[str, str], officer: str) -> None:
    """Replace the school's saved map with ``columns`` (inside the caller's transaction)."""
    from sqlalchemy import delete, insert

    table = _models().ColumnMap.__table__
    stamp = dt.datetime.now(dt.UTC)
    store.execute(delete(table).where(table.c.school_id == school_id))
    store.execute(
        insert(table),
        [
            {
                "school_id": school_id,
                "field": field,
                "header": header,
                "saved_at": stamp,
                "officer": officer,
            }
            for field, header in columns.items()
        ],
    )


def forget_column_map(store: Store, *, school_id: int) -> int:
    """Delete the school's saved map; the number of fields it had."""
    from sqlalchemy import delete

    table = _models().ColumnMap.__table__
    return int(store.execute(delete(table).where(table.c.school_id == school_id)).rowcount or 0)


def list_column_maps(store: Store) -> list[SavedColumnMap]:
    """Every school's saved map, by LAESTAB."""
    from sqlalchemy import select

    models = _models()
    maps, schools = models.ColumnMap.__table__, models.School.__table__
    rows = store.execute(
        select(
            schools.c.laestab,
            schools.c.name,
            maps.c.field,
            maps.c.header,
            maps.c.saved_at,
            maps.c.officer,
        )
        .join(schools, schools.c.id == maps.c.school_id)
        .order_by(schools.c.laestab, maps.c.id)
    ).all()
    return _group(rows)


def column_map_for(store: Store, laestab: str) -> SavedColumnMap | None:
    """The map saved for the school with this LAESTAB, or None (raw sqlite3: see above)."""
    rows = store.connection.execute(
        "SELECT s.laestab, s.name, m.field, m.header, m.saved_at, m.officer "
        "FROM column_map m JOIN school s ON s.id = m.school_id "
        "WHERE s.laestab = ? ORDER BY m.id",
        (laestab,),
    ).fetchall()
    found = _group(rows)
    return found[0] if found else None


def _group(rows: Any) -> list[SavedColumnMap]:
    by_school: dict[str, SavedColumnMap] = {}
    for laestab, name, field, header, saved_at, officer in rows:
        saved = by_school.get(laestab)
        if saved is None:
            stamp = saved_at if isinstance(saved_at, dt.datetime) else to_datetime(saved_at)
            saved = by_school[laestab] = SavedColumnMap(laestab, name, {}, stamp, officer)
        saved.columns[field] = header
    return list(by_school.values())
