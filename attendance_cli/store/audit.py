"""The audit log in the database: append an entry, read entries, read the chain to verify.

Two tables (chain version 2, ``cases.audit``): ``audit_log`` holds what the chain hashes and
never loses a row; ``audit_detail`` holds each entry's personal part (UPN, detail, column
digests, salt), which erasure deletes (``delete_personal_parts``).

The chain's rules (what is hashed, how a break is found) live in ``cases.audit``; this module
only reads and writes. The append reads the last entry's hash and writes the next entry under
``writing(store, LOCK_AUDIT_CHAIN)``, so no other writer can append in between (today SQLite's
write lock; a PostgreSQL advisory lock later). Reads are raw sqlite3: ``att case show`` reads
the pupil's entries for its chronology (see ``store.cases`` for the figures).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from attendance_cli.store.chunking import chunked
from attendance_cli.store.connection import Store
from attendance_cli.store.conversions import timestamp_text
from attendance_cli.store.transactions import LOCK_AUDIT_CHAIN, writing


@dataclass(frozen=True, slots=True)
class StoredAuditEntry:
    """An entry as stored: ``detail`` is its JSON text, exactly as hashed. ``upn``, ``detail``,
    ``row_digests`` and ``salt`` are the personal part (``audit_detail``); ``has_personal`` is
    False when that row is gone (erased, or deleted behind att's back: ``cases.audit`` tells)."""

    id: int
    at: str
    officer: str
    action: str
    entity: str
    entity_id: int | None
    upn: str | None
    detail: str | None
    prev_hash: str
    hash: str
    row_table: str | None = None  # the casework row the entry commits to (cases.audited_tables)
    row_id: int | None = None
    row_hash: str | None = None  # its canonical form's SHA-256 after the change; None: erased
    row_digests: str | None = None  # JSON: column -> digest of its value (what changed)
    personal_hash: str = ""
    v1_hash: str | None = None  # the entry's hash before 0011_audit_detail (None: written since)
    erased_entries: str | None = None  # JSON ids, on an erase_detail entry
    salt: str | None = None
    has_personal: bool = True


# Raw sqlite3 (both engines run it): verify streams every entry; Core's row processing cost
# ~2x on 100,000 entries (bench/bench_audit_verify.py).
_ENTRY_SQL = (
    "SELECT l.id, l.at, l.officer, l.action, l.entity, l.entity_id, d.upn, d.detail, "
    "l.prev_hash, l.hash, l.row_table, l.row_id, l.row_hash, d.row_digests, l.personal_hash, "
    "l.v1_hash, l.erased_entries, d.salt, d.entry_id "
    "FROM audit_log l LEFT JOIN audit_detail d ON d.entry_id = l.id"
)


def _entry(row: Any) -> StoredAuditEntry:
    values: tuple[Any, ...] = (*row[:18], row[18] is not None)
    return StoredAuditEntry(*values)


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
    salt: str,
    personal_hash: str,
    row_table: str | None = None,
    row_id: int | None = None,
    row_hash: str | None = None,
    row_digests: str | None = None,
    erased_entries: str | None = None,
) -> int:
    """Append one entry after the last, and its personal part: ``digest(prev_hash, at)`` gives
    its hash (the caller knows the rest of what is hashed). Inside the caller's transaction, as
    a savepoint."""
    from sqlalchemy import insert

    from attendance_cli.db.models import AuditDetail, AuditEntry

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
                prev_hash=prev_hash,
                hash=digest(prev_hash, at),
                row_table=row_table,
                row_id=row_id,
                row_hash=row_hash,
                personal_hash=personal_hash,
                erased_entries=erased_entries,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        store.execute(
            insert(AuditDetail.__table__).values(  # type: ignore[attr-defined]
                entry_id=int(key[0]), upn=upn, detail=detail, row_digests=row_digests, salt=salt
            )
        )
    return int(key[0])


def entries(store: Store, *, upn: str | None = None) -> list[StoredAuditEntry]:
    """All entries (or those about one pupil: an erased entry names nobody), oldest first."""
    if upn:
        rows = store.connection.execute(_ENTRY_SQL + " WHERE d.upn = ? ORDER BY l.id", (upn,))
    else:
        rows = store.connection.execute(_ENTRY_SQL + " ORDER BY l.id")
    return [_entry(r) for r in rows]


def entries_about(store: Store, entity: str, ids: Iterable[int]) -> list[StoredAuditEntry]:
    """The entries about these rows of one entity (with or without their personal part)."""
    found: list[StoredAuditEntry] = []
    for part in chunked(sorted(set(ids))):
        marks = ", ".join("?" * len(part))
        found.extend(
            _entry(r)
            for r in store.connection.execute(
                _ENTRY_SQL + f" WHERE l.entity = ? AND l.entity_id IN ({marks}) ORDER BY l.id",
                (entity, *part),
            )
        )
    return sorted(found, key=lambda e: e.id)


def chain(store: Store) -> Iterator[StoredAuditEntry]:
    """Every entry in order with its personal part (if any), streamed (the log can be long)."""
    for row in store.connection.execute(_ENTRY_SQL + " ORDER BY l.id"):
        yield _entry(row)


def head(store: Store) -> tuple[int, str] | None:
    """The last entry's id and hash (None: the log is empty)."""
    row = store.connection.execute(
        "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def erased_entry_ids(store: Store) -> dict[int, int]:
    """Every entry whose personal part an ``erase_detail`` entry erased: entry id -> the id of
    the entry that erased it (the lists are short: one per erasure)."""
    from sqlalchemy import select

    log = _table("audit_log")
    found: dict[int, int] = {}
    query = select(log.c.id, log.c.erased_entries).where(log.c.erased_entries.is_not(None))
    for row in store.execute(query.order_by(log.c.id)):
        values: tuple[Any, ...] = tuple(row)
        entry_id, text = values
        for erased in json.loads(text):
            found.setdefault(int(erased), int(entry_id))
    return found


# an identifier as a UPN is written (13 capital letters and digits), found overlapping
_UPN_LIKE = re.compile(r"(?=([A-Z0-9]{13}))")


def entries_naming(
    store: Store,
    *,
    upns: Iterable[str],
    rows: Iterable[tuple[str, int]],
    entities: Iterable[tuple[str, int]],
    skip_actions: tuple[str, ...],
) -> list[int]:
    """The ids of entries whose personal part is still held and that name what is erased: about
    one of ``upns`` (their personal part's UPN), about one of the casework ``rows`` (table, id)
    or ``entities`` (entity name, id), or whose detail writes one of ``upns`` (in another
    pupil's entry). Entries with an action in ``skip_actions`` (tombstones) are left.

    The details are read once and searched here for UPN-like words (one pass, whatever the
    number of pupils erased: a LIKE per pupil would scan the table once each)."""
    from sqlalchemy import select, tuple_

    log, personal = _table("audit_log"), _table("audit_detail")
    base = select(log.c.id).join(personal, personal.c.entry_id == log.c.id)
    base = base.where(log.c.action.not_in(skip_actions))
    wanted = set(upns)
    found: set[int] = set()
    for upn_part in chunked(sorted(wanted)):
        found.update(r[0] for r in store.execute(base.where(personal.c.upn.in_(upn_part))))
    for columns, keys in (
        ((log.c.row_table, log.c.row_id), rows),
        ((log.c.entity, log.c.entity_id), entities),
    ):
        for key_part in chunked(sorted(set(keys)), 1000):
            found.update(r[0] for r in store.execute(base.where(tuple_(*columns).in_(key_part))))
    if wanted:
        details = select(log.c.id, personal.c.detail).join(
            personal, personal.c.entry_id == log.c.id
        )
        for row in store.execute(details.where(log.c.action.not_in(skip_actions))):
            values: tuple[Any, ...] = tuple(row)
            entry_id, detail = values
            if entry_id not in found and not wanted.isdisjoint(_UPN_LIKE.findall(detail)):
                found.add(entry_id)
    return sorted(found)


def delete_personal_parts(store: Store, entry_ids: Iterable[int]) -> int:
    """Delete the personal part of these entries (erasure; inside the caller's transaction)."""
    from sqlalchemy import delete

    personal = _table("audit_detail")
    count = 0
    for part in chunked(sorted(set(entry_ids))):
        count += store.execute(delete(personal).where(personal.c.entry_id.in_(part))).rowcount
    return count


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
    pupil), the latest one, in row id order (the index ``ix_audit_log_row`` serves it), with its
    UPN and column digests from its personal part (None once erased)."""
    from sqlalchemy import func, select

    log, personal = _table("audit_log"), _table("audit_detail")
    condition = log.c.row_table == table
    source = log
    if upn is not None:
        source = log.join(personal, personal.c.entry_id == log.c.id)
        condition = condition & (personal.c.upn == upn)
    latest = (
        select(log.c.row_id, func.max(log.c.id).label("entry_id"))
        .select_from(source)
        .where(condition)
        .group_by(log.c.row_id)
        .subquery()
    )
    query = (
        select(
            log.c.row_id,
            log.c.id,
            log.c.action,
            personal.c.upn,
            log.c.row_hash,
            personal.c.row_digests,
        )  # fmt: skip
        .join(latest, log.c.id == latest.c.entry_id)
        .outerjoin(personal, personal.c.entry_id == log.c.id)
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
