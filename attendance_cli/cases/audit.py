"""The audit log: append-only and tamper-evident.

Each entry stores the SHA-256 of its own content together with the previous entry's hash, so
changing, deleting or re-ordering any entry breaks the chain from that point; ``verify_audit``
finds the first broken entry. Entries are written inside the same transaction as the change they
record, so a change is never made without its audit entry, or the other way round.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from attendance_cli.registers.store import now_text

GENESIS = "0" * 64


def _digest(
    prev_hash: str,
    at: str,
    officer: str,
    action: str,
    entity: str,
    entity_id: int | None,
    upn: str | None,
    detail: str,
) -> str:
    payload = json.dumps(
        [prev_hash, at, officer, action, entity, entity_id, upn, detail], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record_audit(
    conn: sqlite3.Connection,
    *,
    officer: str,
    action: str,
    entity: str,
    entity_id: int | None,
    upn: str | None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one entry (call inside the transaction that makes the change)."""
    row = conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    prev_hash = row[0] if row else GENESIS
    at = now_text()
    text = json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, default=str)
    digest = _digest(prev_hash, at, officer, action, entity, entity_id, upn, text)
    cursor = conn.execute(
        "INSERT INTO audit_log (at, officer, action, entity, entity_id, upn, detail, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (at, officer, action, entity, entity_id, upn, text, prev_hash, digest),
    )
    return int(cursor.lastrowid or 0)


@dataclass
class AuditRecord:
    id: int
    at: str
    officer: str
    action: str
    entity: str
    entity_id: int | None
    upn: str | None
    detail: dict[str, Any]


def list_audit(conn: sqlite3.Connection, *, upn: str | None = None) -> list[AuditRecord]:
    sql = "SELECT id, at, officer, action, entity, entity_id, upn, detail FROM audit_log"
    args: tuple[object, ...] = ()
    if upn:
        sql += " WHERE upn = ?"
        args = (upn,)
    return [
        AuditRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7]))
        for r in conn.execute(sql + " ORDER BY id", args)
    ]


@dataclass
class AuditCheck:
    entries: int
    ok: bool
    first_broken_id: int | None
    problem: str | None


def verify_audit(conn: sqlite3.Connection) -> AuditCheck:
    """Recompute the chain; report the first entry whose hash or link does not match."""
    prev_hash = GENESIS
    count = 0
    for (
        entry_id,
        at,
        officer,
        action,
        entity,
        entity_id,
        upn,
        detail,
        stored_prev,
        stored_hash,
    ) in conn.execute(
        "SELECT id, at, officer, action, entity, entity_id, upn, detail, prev_hash, hash FROM audit_log ORDER BY id"
    ):
        count += 1
        if stored_prev != prev_hash:
            return AuditCheck(
                count,
                False,
                entry_id,
                "does not follow the entry before it (an entry was removed or reordered)",
            )
        if _digest(stored_prev, at, officer, action, entity, entity_id, upn, detail) != stored_hash:
            return AuditCheck(
                count, False, entry_id, "its content was changed after it was written"
            )
        prev_hash = stored_hash
    return AuditCheck(count, True, None, None)
