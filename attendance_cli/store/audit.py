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


_ENTRY_SQL = (
    "SELECT id, at, officer, action, entity, entity_id, upn, detail, prev_hash, hash FROM audit_log"
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
