"""The audit log: append-only and tamper-evident.

Each entry stores the SHA-256 of its own content together with the previous entry's hash, so
changing, deleting or re-ordering any entry breaks the chain from that point; ``verify_audit``
finds the first broken entry. Entries are written inside the same transaction as the change they
record, so a change is never made without its audit entry, or the other way round.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from attendance_cli.store import audit as stored
from attendance_cli.store.connection import Store

if TYPE_CHECKING:
    from attendance_cli.store.database import Database

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
    db: Database,
    *,
    officer: str,
    action: str,
    entity: str,
    entity_id: int | None,
    upn: str | None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one entry (call inside the transaction that makes the change); the chain's
    last hash is read and the entry written under the audit-chain lock (``store.audit``)."""
    text = json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, default=str)
    return stored.append_entry(
        Store.of(db),
        genesis=GENESIS,
        digest=lambda prev_hash, at: _digest(
            prev_hash, at, officer, action, entity, entity_id, upn, text
        ),
        officer=officer,
        action=action,
        entity=entity,
        entity_id=entity_id,
        upn=upn,
        detail=text,
    )


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


def list_audit(db: Database, *, upn: str | None = None) -> list[AuditRecord]:
    return [
        AuditRecord(
            e.id, e.at, e.officer, e.action, e.entity, e.entity_id, e.upn, json.loads(e.detail)
        )
        for e in stored.entries(Store.of(db), upn=upn)
    ]


@dataclass
class AuditCheck:
    entries: int
    ok: bool
    first_broken_id: int | None
    problem: str | None


def verify_audit(db: Database) -> AuditCheck:
    """Recompute the chain; report the first entry whose hash or link does not match."""
    prev_hash = GENESIS
    count = 0
    for e in stored.chain(Store.of(db)):
        count += 1
        if e.prev_hash != prev_hash:
            return AuditCheck(
                count,
                False,
                e.id,
                "does not follow the entry before it (an entry was removed or reordered)",
            )
        digest = _digest(
            e.prev_hash, e.at, e.officer, e.action, e.entity, e.entity_id, e.upn, e.detail
        )
        if digest != e.hash:
            return AuditCheck(count, False, e.id, "its content was changed after it was written")
        prev_hash = e.hash
    return AuditCheck(count, True, None, None)
