"""The audit log in the database: append an entry, read entries, read the chain to verify.

The chain's rules (what is hashed, how a break is found) live in ``cases.audit``; this module
only reads and writes. The append reads the last entry's hash and writes the next entry under
``writing(store, LOCK_AUDIT_CHAIN)``, so no other writer can append in between (today SQLite's
write lock; a PostgreSQL advisory lock later). Reads are raw sqlite3: ``att case show`` reads
the pupil's entries for its chronology (see ``store.cases`` for the figures).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from attendance_cli.store.connection import Store
from attendance_cli.store.conversions import timestamp_text
from attendance_cli.store.transactions import LOCK_AUDIT_CHAIN, writing


@dataclass(frozen=True, slots=True)
class StoredAuditEntry:
    """An entry as stored: ``detail`` is its JSON text, exactly as hashed."""

    id: int
    at: str
    officer: str
    action: str
    entity: str
    entity_id: int | None
    upn: str | None
    detail: str
    prev_hash: str
    hash: str
    row_table: str | None = None  # the casework row the entry commits to (cases.audited_tables)
    row_id: int | None = None
    row_hash: str | None = None  # its canonical form's SHA-256 after the change; None: erased
    row_digests: str | None = None  # JSON: column -> digest of its value (what changed)


_ENTRY_SQL = (
    "SELECT id, at, officer, action, entity, entity_id, upn, detail, prev_hash, hash, "
    "row_table, row_id, row_hash, row_digests FROM audit_log"
)


def append_entry(
    store: Store,
    *,
    genesis: str,
    digest: Callable[[str, str], str],
    officer: str,
    action: str,
    entity: str,
    entity_id: int | None,
    upn: str | None,
    detail: str,
    row_table: str | None = None,
    row_id: int | None = None,
    row_hash: str | None = None,
    row_digests: str | None = None,
) -> int:
    """Append one entry after the last: ``digest(prev_hash, at)`` gives its hash (the caller
    knows the rest of what is hashed). Inside the caller's transaction, as a savepoint."""
    from sqlalchemy import insert

    from attendance_cli.db.models import AuditEntry

    with writing(store, LOCK_AUDIT_CHAIN):
        row = store.connection.execute(
            "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1"
        ).fetchone()
        prev_hash = row[0] if row else genesis
        moment = dt.datetime.now(dt.UTC)
        at = timestamp_text(moment) or ""
        result = store.execute(
            insert(AuditEntry.__table__).values(  # type: ignore[attr-defined]
                at=moment,
                officer=officer,
                action=action,
                entity=entity,
                entity_id=entity_id,
                upn=upn,
                detail=detail,
                prev_hash=prev_hash,
                hash=digest(prev_hash, at),
                row_table=row_table,
                row_id=row_id,
                row_hash=row_hash,
                row_digests=row_digests,
            )
        )
        key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def entries(store: Store, *, upn: str | None = None) -> list[StoredAuditEntry]:
    """All entries (or those about one pupil), oldest first."""
    if upn:
        rows = store.connection.execute(_ENTRY_SQL + " WHERE upn = ? ORDER BY id", (upn,))
    else:
        rows = store.connection.execute(_ENTRY_SQL + " ORDER BY id")
    return [StoredAuditEntry(*r) for r in rows]


def chain(store: Store) -> Iterator[StoredAuditEntry]:
    """Every entry in order, streamed (the log can be long)."""
    for row in store.connection.execute(_ENTRY_SQL + " ORDER BY id"):
        yield StoredAuditEntry(*row)


def head(store: Store) -> tuple[int, str] | None:
    """The last entry's id and hash (None: the log is empty)."""
    row = store.connection.execute(
        "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else None


# ------------------------------------------------------- the casework rows the entries commit to
# SQLAlchemy Core over db.models: the same statements run on PostgreSQL, and the values come
# back typed (dates, timestamps, booleans) as the canonical form needs them on either database.


def _table(name: str) -> Any:
    from attendance_cli.db.models import metadata

    return metadata.tables[name]


def row_values(store: Store, table: str, row_id: int) -> dict[str, Any] | None:
    """One row as column -> value (None: no such row)."""
    from sqlalchemy import select

    model = _table(table)
    found = store.execute(select(model).where(model.c.id == row_id)).mappings().first()
    return dict(found) if found is not None else None


def table_rows(
    store: Store, table: str, *, upn: str | None = None, via: str | None = None
) -> Iterator[dict[str, Any]]:
    """Every row of a table in id order, streamed; with ``upn``, only that pupil's rows (found
    through the row's ``via`` column: ``pupil_id`` or ``case_id``; none without one)."""
    from sqlalchemy import select

    model = _table(table)
    query = select(model).order_by(model.c.id)
    if upn is not None:
        pupil = _table("pupil")
        if via == "pupil_id":
            query = query.join(pupil, pupil.c.id == model.c.pupil_id).where(pupil.c.upn == upn)
        elif via == "case_id":
            case = _table("pupil_case")
            query = (
                query.join(case, case.c.id == model.c.case_id)
                .join(pupil, pupil.c.id == case.c.pupil_id)
                .where(pupil.c.upn == upn)
            )
        else:
            return
    for found in store.execute(query).mappings():
        yield {column.name: found[column] for column in model.columns}


@dataclass(frozen=True, slots=True)
class LatestRowEntry:
    row_id: int
    entry_id: int
    action: str
    upn: str | None
    row_hash: str | None
    row_digests: str | None


def latest_row_entries(
    store: Store, table: str, *, upn: str | None = None
) -> Iterator[LatestRowEntry]:
    """For each row id of ``table`` the log has entries about (with ``upn``: entries about that
    pupil), the latest one, in row id order (the index ``ix_audit_log_row`` serves it)."""
    from sqlalchemy import func, select

    log = _table("audit_log")
    condition = log.c.row_table == table
    if upn is not None:
        condition = condition & (log.c.upn == upn)
    latest = (
        select(log.c.row_id, func.max(log.c.id).label("entry_id"))
        .where(condition)
        .group_by(log.c.row_id)
        .subquery()
    )
    query = (
        select(log.c.row_id, log.c.id, log.c.action, log.c.upn, log.c.row_hash, log.c.row_digests)
        .join(latest, log.c.id == latest.c.entry_id)
        .order_by(log.c.row_id)
    )
    for found in store.execute(query):
        values: tuple[Any, ...] = tuple(found)
        yield LatestRowEntry(*values)


def upn_of_row(store: Store, table: str, row_id: int, via: str | None) -> str | None:
    """The pupil a casework row is about: through its pupil_id or its case_id."""
    from sqlalchemy import select

    model, pupil = _table(table), _table("pupil")
    if via == "pupil_id":
        query = select(pupil.c.upn).join(model, model.c.pupil_id == pupil.c.id)
    elif via == "case_id":
        case = _table("pupil_case")
        query = (
            select(pupil.c.upn)
            .join(case, case.c.pupil_id == pupil.c.id)
            .join(model, model.c.case_id == case.c.id)
        )
    else:
        return None
    return store.execute(query.where(model.c.id == row_id)).scalar()
