"""THE registry of casework tables whose rows the audit log commits to, and the rows' canonical form.

Every audit entry about a row of one of these tables records the table, the row's id and
``row_hash``, the SHA-256 of the row's canonical form after the change; the entry's own hash
covers all three (``cases.audit``). ``att audit verify`` recomputes every row's hash and compares
it with the latest entry for that row, so an edit behind att's back, a row nobody audited and a
row deleted without a tombstone are all found.

Registering a table (branches adding casework add one ``AuditedTable`` line below):

- ``table``: the table's name in ``db.models``; ``entity``: the name audit entries use for its
  rows (``record_audit(entity=..., entity_id=ROW_ID)`` finds the table from it; an entry about a
  row under another entity name passes ``row=(table, row_id)``);
- ``pupil``: how a row leads to its pupil, for naming the child in verify's report:
  ``"pupil_id"`` (the row has a pupil_id column), ``"case_id"`` (through ``pupil_case``) or None;
- ``exclude``: columns left out of the canonical form. Empty for every table today: EVERY column
  of the model is evidence (the id, texts, dates, the recording officer and recorded-at times), so
  a column added to a model later is covered without touching this file. Excluding a column (pure
  housekeeping, e.g. a cache) needs a migration that re-baselines the table's rows.

A migration that changes rows of an audited table (an UPDATE backfill, a new column with a
non-NULL default; a new nullable column changes nothing, NULLs being left out) must call
``baseline_rows(op.get_bind(), revision=revision, tables=(...))`` after the change, or verify
reports each such row as changed behind att's back.

The canonical form (version 1, frozen: a change needs a new version and a re-baseline) is the
UTF-8 JSON text of ``{"table": NAME, "values": {COLUMN: VALUE, ...}}`` with keys sorted, no
whitespace (``separators=(",", ":")``), non-ASCII kept as is; a column whose value is NULL is
left out, so adding a nullable column to a table does not change its rows' hashes. Values:
integers as JSON integers, booleans as ``true``/``false`` (SQLite's 0/1 are read through the
model's Boolean type), text as is, a date as ``YYYY-MM-DD``, a timestamp as UTC
``YYYY-MM-DDTHH:MM:SS.ffffff`` (always six digits of microseconds; a naive timestamp is UTC, as
att stores them). Floats are refused: no casework column holds one (money is integer pence), and
their text differs between databases. The same row read from SQLite or PostgreSQL gives the same
text, so the same hash.

``column_digests`` gives the first 16 hex digits of the SHA-256 of each column's
``[column, value]`` JSON: kept in the entry beside the row hash, they let verify say WHICH
columns changed without the log keeping the values themselves (so erasing a row's content
leaves no copy of it in the log). A digest of a short value (a status) can be guessed by
hashing candidates; RELIABILITY.md says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CANONICAL_VERSION = 1


@dataclass(frozen=True)
class AuditedTable:
    table: str
    entity: str
    pupil: str | None  # "pupil_id", "case_id" or None (see the module docstring)
    exclude: frozenset[str] = frozenset()


AUDITED_TABLES: tuple[AuditedTable, ...] = (
    AuditedTable("pupil_case", "case", "pupil_id"),
    AuditedTable("lead_practitioner", "lead_practitioner", "case_id"),
    AuditedTable("meeting", "meeting", None),
    AuditedTable("meeting_workbook", "meeting_workbook", None),
    AuditedTable("case_action", "action", "case_id"),
    AuditedTable("case_note", "note", "case_id"),
    AuditedTable("case_note_revision", "note_revision", "case_id"),
    AuditedTable("case_document", "document", "case_id"),
    AuditedTable("penalty_notice", "penalty_notice", "pupil_id"),
    AuditedTable("penalty_notice_session", "penalty_notice_session", "pupil_id"),
    AuditedTable("penalty_payment", "penalty_payment", None),
    AuditedTable("penalty_request", "penalty_request", "pupil_id"),
    AuditedTable("letter", "letter", "pupil_id"),
    # 0012_rectify_hold (branch rectify): a contact's corrected field; a legal hold
    AuditedTable("contact_correction", "contact_correction", "pupil_id"),
    AuditedTable("legal_hold", "legal_hold", "pupil_id"),
)

_BY_TABLE = {t.table: t for t in AUDITED_TABLES}
_BY_ENTITY = {t.entity: t for t in AUDITED_TABLES}


def audited_table(table: str) -> AuditedTable | None:
    return _BY_TABLE.get(table)


def table_of_entity(entity: str) -> str | None:
    """The table whose rows audit entries call ``entity`` (None: not a casework row)."""
    found = _BY_ENTITY.get(entity)
    return found.table if found else None


def entity_of_table(table: str) -> str:
    """The entity name audit entries use for rows of ``table`` (the table's own name for a
    table not registered here: ``contact``, ``pupil``)."""
    found = _BY_TABLE.get(table)
    return found.entity if found else table


def canonical_value(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):  # subclasses (an enum of them) as the plain value
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, float):
        raise TypeError("a float in an audited casework column (store money as integer pence)")
    raise TypeError(f"a {type(value).__name__} has no canonical form")


def canonical_values(values: Mapping[str, Any], exclude: frozenset[str]) -> dict[str, Any]:
    return {
        column: canonical_value(value)
        for column, value in values.items()
        if value is not None and column not in exclude
    }


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_CHAIN_ENCODER = json.JSONEncoder(ensure_ascii=False)  # the chain's text since release 0.1.0


def _json(value: Any) -> str:
    return _ENCODER.encode(value)


def canonical_form(table: str, values: Mapping[str, Any]) -> str:
    """The row's canonical text (``values``: column name to the value as the model reads it)."""
    entry = _BY_TABLE.get(table)
    exclude = entry.exclude if entry else frozenset()
    return _json({"table": table, "values": canonical_values(values, exclude)})


def row_hash(table: str, values: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_form(table, values).encode("utf-8")).hexdigest()


def column_digests(table: str, values: Mapping[str, Any]) -> dict[str, str]:
    entry = _BY_TABLE.get(table)
    exclude = entry.exclude if entry else frozenset()
    return {
        column: hashlib.sha256(_json([column, value]).encode("utf-8")).hexdigest()[:16]
        for column, value in canonical_values(values, exclude).items()
    }


def digests_text(table: str, values: Mapping[str, Any]) -> str:
    """``column_digests`` as the JSON text the audit entry stores (and its hash covers)."""
    return _json(column_digests(table, values))


def changed_columns(recorded: str | None, table: str, values: Mapping[str, Any]) -> list[str]:
    """The columns whose digest differs from the one recorded (all of them if none was)."""
    now = column_digests(table, values)
    before: dict[str, str] = json.loads(recorded) if recorded else {}
    return sorted(c for c in set(now) | set(before) if now.get(c) != before.get(c))


def entry_digest(
    prev_hash: str,
    at: str,
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
) -> str:
    """An audit entry's hash (the chain's rule; ``cases.audit``). An entry about a casework row
    (``row_table`` set) also commits to the row's table, id, hash and column digests; entries
    written before 0009_audit_integrity have none and keep their original hash."""
    fields: list[Any] = [prev_hash, at, officer, action, entity, entity_id, upn, detail]
    if row_table is not None:
        fields += [row_table, row_id, row_hash, row_digests]
    payload = _CHAIN_ENCODER.encode(fields)  # json.dumps(fields, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------- chain version 2
# Since 0011_audit_detail an entry's hash no longer covers its personal part (UPN, detail, column
# digests) directly but through ``personal_hash``, the SHA-256 of that part with a random salt of
# the entry's own; the personal part lives in ``audit_detail``, which erasure can delete while the
# chain stays verifiable. Both texts are frozen (a change needs chain version 3).
CHAIN_VERSION = 2
_V2_TAG = "att-audit-v2"
_PERSONAL_TAG = "att-audit-personal-v2"


def new_salt() -> str:
    """128 random bits as 32 hex digits: with the salt gone (erased with the personal part), a
    guessed UPN or name cannot be checked against ``personal_hash``."""
    import secrets

    return secrets.token_hex(16)


def personal_digest(salt: str, upn: str | None, detail: str, row_digests: str | None) -> str:
    """The SHA-256 an entry commits to for its personal part (compact JSON, keys as given)."""
    payload = _json([_PERSONAL_TAG, salt, upn, detail, row_digests])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def entry_digest_v2(
    prev_hash: str,
    at: str,
    officer: str,
    action: str,
    entity: str,
    entity_id: int | None,
    row_table: str | None,
    row_id: int | None,
    row_hash: str | None,
    personal_hash: str,
    v1_hash: str | None,
    erased_entries: str | None,
) -> str:
    """An entry's hash in chain version 2: everything in ``audit_log`` but its own hash, as
    compact JSON with a version tag. ``v1_hash`` (an entry written before the upgrade: its hash
    then) is covered, so a v1 anchor is vouched for by the v2 chain."""
    payload = _json(
        [
            _V2_TAG, prev_hash, at, officer, action, entity, entity_id, row_table, row_id,
            row_hash, personal_hash, v1_hash, erased_entries,
        ]
    )  # fmt: skip
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


BASELINE_OFFICER = "att (upgrade)"


def baseline_rows(bind: Any, *, revision: str, tables: tuple[str, ...] | None = None) -> int:
    """For a migration: one ``baseline`` entry per row of the audited tables (or of
    ``tables``), chained after the last entry, recording each row's hash as it is now; returns
    how many. 0009_audit_integrity baselines every row; a later migration that changes audited
    rows (an UPDATE backfill, a column with a non-NULL default) calls it for those tables, or
    verify would report every such row as changed behind att's back.

    Before 0011_audit_detail the entries are written in chain version 1 (UPN and detail in
    ``audit_log``); after it in version 2 (the personal part in ``audit_detail``).

    The rows are read through tables reflected from the database (never today's models), so
    their dates, timestamps and booleans come back typed as the canonical form needs them."""
    import datetime as dt

    from attendance_cli.store import baseline  # its statements (all SQL is in the store)

    genesis = "0" * 64
    present = baseline.table_names(bind)
    v2 = "audit_detail" in present
    pupils: dict[Any, str] = baseline.pupil_upns(bind)  # looked up by a row's pupil_id
    cases: dict[Any, str | None] = {
        case_id: pupils.get(pupil_id) for case_id, pupil_id in baseline.case_pupils(bind).items()
    }
    prev_hash = baseline.last_entry_hash(bind) or genesis
    moment = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # stored naive UTC, as att stores
    at = moment.strftime("%Y-%m-%d %H:%M:%S.%f")  # the text the entry's hash covers
    detail = json.dumps({"schema": revision}, sort_keys=True)
    written = 0
    for audited in AUDITED_TABLES:
        if audited.table not in present or (tables is not None and audited.table not in tables):
            continue
        batch: list[dict[str, Any]] = []
        details: list[dict[str, Any]] = []
        for values in baseline.table_rows(bind, audited.table):
            if audited.pupil == "pupil_id":
                upn = pupils.get(values.get("pupil_id"))
            elif audited.pupil == "case_id":
                upn = cases.get(values.get("case_id"))
            else:
                upn = None
            hashed, digests = row_hash(audited.table, values), digests_text(audited.table, values)
            entry: dict[str, Any] = {
                "at": moment, "officer": BASELINE_OFFICER, "action": "baseline",
                "entity": audited.entity, "entity_id": values["id"], "prev_hash": prev_hash,
                "row_table": audited.table, "row_id": values["id"], "row_hash": hashed,
            }  # fmt: skip
            if v2:
                salt = new_salt()
                entry["personal_hash"] = personal_digest(salt, upn, detail, digests)
                entry["hash"] = entry_digest_v2(
                    prev_hash, at, BASELINE_OFFICER, "baseline", audited.entity, values["id"],
                    audited.table, values["id"], hashed, entry["personal_hash"], None, None,
                )  # fmt: skip
                details.append({"upn": upn, "detail": detail, "row_digests": digests, "salt": salt})
            else:
                entry.update(upn=upn, detail=detail, row_digests=digests)
                entry["hash"] = entry_digest(
                    prev_hash, at, BASELINE_OFFICER, "baseline", audited.entity, values["id"],
                    upn, detail, audited.table, values["id"], hashed, digests,
                )  # fmt: skip
            batch.append(entry)
            prev_hash = entry["hash"]
        if batch:
            baseline.insert_entries(bind, batch, personal_parts=details if v2 else None)
            written += len(batch)
    return written
