"""The audit log: append-only, tamper-evident, committed to the casework rows, and erasable in
its personal part.

Each entry stores the SHA-256 of its own content together with the previous entry's hash, so
changing, deleting or re-ordering any entry breaks the chain from that point. An entry about a
casework row (the tables of ``cases.audited_tables``) also records the table, the row's id and
the hash of the row's canonical form after the change, all covered by the entry's hash.

Chain version 2 (since 0011_audit_detail): an entry's personal part (the UPN, the detail JSON,
the row's column digests) is stored apart (``audit_detail``) with a random salt, and the entry
commits to it through ``personal_hash`` (``audited_tables.personal_digest``); the entry's own
hash (``audited_tables.entry_digest_v2``) covers everything else. Erasure deletes personal parts
and appends an ``erase_detail`` entry listing them (``erased_entries``); verify accepts a missing
personal part only under such a later entry. Entries written before 0011 carry their version-1
hash (``v1_hash``), covered by their v2 hash: an anchor taken then is still found at its id,
and verify recomputes the v1 chain wherever the personal part is still held (so a v2 chain
rebuilt around a changed detail cannot keep a v1 anchor).

``verify_audit`` checks: the chain (the first broken entry); every entry's personal part
(changed, deleted behind att's back, back after its erasure); every casework row against the
latest entry about it (an edit behind att's back, a row with no entry, a row deleted without a
tombstone); and, given an anchor (an earlier chain head the officer kept outside the database:
printed by ``att audit verify``, stamped in every bundle's manifest and every backup), that the
anchor is still in the chain at its place, which a truncated or rebuilt log is not.

Entries are written inside the same transaction as the change they record, so a change is never
made without its audit entry, or the other way round.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from attendance_cli.cases import audited_tables
from attendance_cli.cases.audited_tables import entry_digest, entry_digest_v2
from attendance_cli.errors import UsageError
from attendance_cli.store import audit as stored
from attendance_cli.store.connection import Store

GENESIS = "0" * 64
# An entry with this action and no row hash says the row was removed on purpose (erasure).
TOMBSTONE_ACTION = "erase"
# An entry with this action erased the personal part of the entries it lists (erased_entries).
ERASE_DETAIL_ACTION = "erase_detail"
# verify lists this many row problems (the count is always complete)
ROW_PROBLEMS_SHOWN = 50


def record_audit(
    store: Store,
    *,
    officer: str,
    action: str,
    entity: str,
    entity_id: int | None,
    upn: str | None,
    detail: dict[str, Any] | None = None,
    row: tuple[str, int] | None = None,
    erased_entries: list[int] | None = None,
) -> int:
    """Append one entry (call inside the transaction that makes the change, AFTER the change);
    the chain's last hash is read and the entry written under the audit-chain lock.

    The casework row the entry is about is ``row`` (table, id) or, by default, the row
    ``entity_id`` of the table registered for ``entity``; its hash after the change is read
    here. With ``action == TOMBSTONE_ACTION`` the row must be gone and no hash is recorded.
    ``erased_entries``: the entries whose personal part this (``erase_detail``) entry erased."""
    text = json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, default=str)
    table, row_id = row if row is not None else (audited_tables.table_of_entity(entity), entity_id)
    row_hash = row_digests = None
    if table is not None and row_id is not None:
        values = stored.row_values(store, table, row_id)
        if action == TOMBSTONE_ACTION:
            if values is not None:
                raise RuntimeError(f"{table} {row_id} still exists: erase it before its tombstone")
        elif values is None:
            raise RuntimeError(f"no {table} row {row_id} for the {action} audit entry")
        else:
            row_hash = audited_tables.row_hash(table, values)
            row_digests = audited_tables.digests_text(table, values)
    else:
        table = row_id = None
    erased = (
        json.dumps(sorted(erased_entries), separators=(",", ":"))
        if erased_entries is not None
        else None
    )
    salt = audited_tables.new_salt()
    personal = audited_tables.personal_digest(salt, upn, text, row_digests)
    return stored.append_entry(
        store,
        genesis=GENESIS,
        digest=lambda prev_hash, at: entry_digest_v2(
            prev_hash,
            at,
            officer,
            action,
            entity,
            entity_id,
            table,
            row_id,
            row_hash,
            personal,
            None,
            erased,
        ),  # fmt: skip
        officer=officer,
        action=action,
        entity=entity,
        entity_id=entity_id,
        upn=upn,
        detail=text,
        salt=salt,
        personal_hash=personal,
        row_table=table,
        row_id=row_id,
        row_hash=row_hash,
        row_digests=row_digests,
        erased_entries=erased,
    )


ERASED = "[erased]"  # what att shows for an entry's personal part that erasure removed


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
    erased: bool = False  # the personal part (UPN, detail) was erased: show ERASED


def _record(e: stored.StoredAuditEntry) -> AuditRecord:
    return AuditRecord(
        e.id,
        e.at,
        e.officer,
        e.action,
        e.entity,
        e.entity_id,
        e.upn,
        json.loads(e.detail) if e.detail is not None else {},
        not e.has_personal,
    )


def list_audit(store: Store, *, upn: str | None = None) -> list[AuditRecord]:
    """Every entry (or those whose personal part names ``upn``), oldest first."""
    return [_record(e) for e in stored.entries(store, upn=upn)]


def audit_about(store: Store, entity: str, ids: list[int]) -> list[AuditRecord]:
    """The entries about these rows of ``entity``, erased ones included (which name no UPN, so
    ``list_audit(upn=...)`` cannot find them)."""
    return [_record(e) for e in stored.entries_about(store, entity, ids)]


# ------------------------------------------------------------------------------------- verify


@dataclass(frozen=True)
class Anchor:
    """An earlier chain head: the entry id (if given) and its hash."""

    entry_id: int | None
    hash: str

    def __str__(self) -> str:
        return f"{self.entry_id}:{self.hash}" if self.entry_id is not None else self.hash


def parse_anchor(text: str) -> Anchor:
    """``HASH`` or ``ID:HASH`` (as ``att audit verify`` prints the head)."""
    value = text.strip().lower()
    entry_id: int | None = None
    if ":" in value:
        number, value = value.split(":", 1)
        if not number.isascii() or not number.isdigit() or len(number) > 18:
            raise UsageError(
                f"The anchor {text!r} does not start with an entry id",
                hint="Give the head as `att audit verify` printed it: ID:HASH, or just the HASH.",
            )
        entry_id = int(number)
    if len(value) != 64 or not value.isascii() or any(c not in "0123456789abcdef" for c in value):
        raise UsageError(
            f"The anchor {text!r} is not a SHA-256 (64 hex digits)",
            hint="Give the head as `att audit verify` printed it: ID:HASH, or just the HASH.",
        )
    return Anchor(entry_id, value)


@dataclass
class RowProblem:
    table: str
    row_id: int
    upn: str | None
    problem: str  # changed, unaudited, deleted, erased-but-present
    message: str
    columns: list[str] = field(default_factory=list)  # the columns that changed, where known
    entry_id: int | None = None  # the latest entry about the row


@dataclass
class DetailProblem:
    """An entry whose personal part (``audit_detail``) is not as the entry committed to."""

    entry_id: int
    problem: str  # deleted, changed, erased-but-present
    message: str


@dataclass
class AuditCheck:
    entries: int
    ok: bool
    first_broken_id: int | None
    problem: str | None
    head_id: int | None = None  # the chain's last entry (None: the log is empty)
    head_hash: str = GENESIS
    rows_checked: int = 0
    row_problem_count: int = 0
    row_problems: list[RowProblem] = field(default_factory=list)  # the first ROW_PROBLEMS_SHOWN
    anchor: str | None = None
    anchor_found: bool | None = None  # None: no anchor given
    chain_version: int = audited_tables.CHAIN_VERSION
    erased_details: int = 0  # entries whose personal part an erasure removed (not a problem)
    v1_entries: int = 0  # entries written before 0011_audit_detail (their v1 hash is kept)
    detail_problem_count: int = 0
    detail_problems: list[DetailProblem] = field(default_factory=list)  # the first 50

    @property
    def head(self) -> str:
        return str(Anchor(self.head_id, self.head_hash))


def chain_head(db: Store) -> Anchor:
    """The chain's current head (GENESIS with no id when the log is empty)."""
    found = stored.head(db)
    return Anchor(found[0], found[1]) if found else Anchor(None, GENESIS)


def _detail_problem(e: stored.StoredAuditEntry, erased_by: dict[int, int]) -> DetailProblem | None:
    """The entry's personal part against what the entry committed to (None: as it should be,
    present and unchanged, or gone under an erasure entry written after it)."""
    eraser = erased_by.get(e.id)
    covered = eraser is not None and eraser > e.id
    if not e.has_personal:
        if covered:
            return None
        return DetailProblem(
            e.id,
            "deleted",
            f"detail of entry {e.id} deleted behind att's back (no erasure covers it)",
        )
    if covered:
        return DetailProblem(
            e.id,
            "erased-but-present",
            f"detail of entry {e.id} was erased (entry {eraser}) but is in the database again",
        )
    assert e.detail is not None and e.salt is not None
    if audited_tables.personal_digest(e.salt, e.upn, e.detail, e.row_digests) != e.personal_hash:
        return DetailProblem(
            e.id, "changed", f"detail of entry {e.id} was changed after it was written"
        )
    return None


def verify_audit(
    store: Store,
    *,
    anchor: Anchor | str | None = None,
    rows: bool = True,
    upn: str | None = None,
) -> AuditCheck:
    """Recompute the chain (the first entry whose hash or link does not match; for an entry
    written before 0011_audit_detail also its version-1 hash, where its personal part is still
    held), every entry's personal part against its ``personal_hash`` (a missing one passes only
    under an erasure entry), then every casework row against its latest entry (``rows``; only
    the pupil's rows with ``upn``), and look for ``anchor`` (a v2 head, or a v1 one at its id)
    in the chain. Streams: the log once, each table once beside its latest entries."""
    if isinstance(anchor, str):
        anchor = parse_anchor(anchor)
    check = AuditCheck(0, True, None, None)
    if anchor is not None:
        check.anchor, check.anchor_found = str(anchor), anchor.hash == GENESIS
    erased_by = stored.erased_entry_ids(store)
    prev_hash = v1_prev = GENESIS
    v1_ended = False  # the version-1 entries are the first ones, none after a version-2 one
    for e in stored.chain(store):
        check.entries += 1
        if anchor is not None and anchor.hash in (e.hash, e.v1_hash):
            check.anchor_found = anchor.entry_id in (None, e.id)
        found = _detail_problem(e, erased_by)
        if found is not None:
            check.detail_problem_count += 1
            if len(check.detail_problems) < ROW_PROBLEMS_SHOWN:
                check.detail_problems.append(found)
        elif not e.has_personal:
            check.erased_details += 1
        if e.v1_hash is not None:
            check.v1_entries += 1
        if check.first_broken_id is not None:
            continue
        if e.prev_hash != prev_hash:
            check.first_broken_id = e.id
            check.problem = (
                "does not follow the entry before it (an entry was removed or reordered)"
            )
            continue
        digest = entry_digest_v2(
            e.prev_hash, e.at, e.officer, e.action, e.entity, e.entity_id, e.row_table,
            e.row_id, e.row_hash, e.personal_hash, e.v1_hash, e.erased_entries,
        )  # fmt: skip
        if digest != e.hash:
            check.first_broken_id = e.id
            check.problem = "its content was changed after it was written"
            continue
        if e.v1_hash is None:
            v1_ended = True
        elif v1_ended:
            check.first_broken_id = e.id
            check.problem = "claims a version-1 hash after the chain's version-2 entries began"
            continue
        else:
            if e.has_personal and found is None:  # the entry as it was hashed before 0011
                assert e.detail is not None
                v1_digest = entry_digest(
                    v1_prev, e.at, e.officer, e.action, e.entity, e.entity_id, e.upn, e.detail,
                    e.row_table, e.row_id, e.row_hash, e.row_digests,
                )  # fmt: skip
                if v1_digest != e.v1_hash:
                    check.first_broken_id = e.id
                    check.problem = (
                        "no longer matches the hash it had before the chain's upgrade to "
                        "version 2 (the log was rebuilt)"
                    )
                    continue
            v1_prev = e.v1_hash
        prev_hash = e.hash
        check.head_id, check.head_hash = e.id, e.hash
    if check.first_broken_id is not None:  # the head is the last entry as stored
        last = stored.head(store)
        if last:
            check.head_id, check.head_hash = last
    if rows:
        for problem in _row_problems(store, check, upn):
            check.row_problem_count += 1
            if len(check.row_problems) < ROW_PROBLEMS_SHOWN:
                check.row_problems.append(problem)
    check.ok = (
        check.first_broken_id is None
        and check.row_problem_count == 0
        and check.detail_problem_count == 0
        and check.anchor_found is not False
    )
    return check


def row_problems(db: Store, *, upn: str | None = None) -> list[RowProblem]:
    """Every casework row that differs from its latest audit entry (all of them, uncapped)."""
    return list(_row_problems(db, AuditCheck(0, True, None, None), upn))


def _row_problems(store: Store, check: AuditCheck, upn: str | None) -> Iterator[RowProblem]:
    for audited in audited_tables.AUDITED_TABLES:
        if upn is not None and audited.pupil is None:
            continue  # rows about no pupil (meetings) are checked by the whole verify
        current = stored.table_rows(store, audited.table, upn=upn, via=audited.pupil)
        latest = stored.latest_row_entries(store, audited.table, upn=upn)
        row = next(current, None)
        entry = next(latest, None)
        while row is not None or entry is not None:
            row_id = row["id"] if row is not None else None
            if entry is not None and (row_id is None or entry.row_id < row_id):
                if entry.action != TOMBSTONE_ACTION or entry.row_hash is not None:
                    found = RowProblem(
                        audited.table,
                        entry.row_id,
                        entry.upn,
                        "deleted",
                        f"was deleted without a tombstone (its last entry, {entry.entry_id}, "
                        f"is {entry.action!r})",
                        entry_id=entry.entry_id,
                    )
                    if upn is None or found.upn == upn:
                        yield found
                entry = next(latest, None)
                continue
            assert row is not None and row_id is not None
            check.rows_checked += 1
            found_problem: RowProblem | None = None
            if entry is None or entry.row_id > row_id:
                found_problem = RowProblem(
                    audited.table,
                    row_id,
                    None,
                    "unaudited",
                    "has no audit entry (written behind att's back)",
                )
            else:
                if entry.action == TOMBSTONE_ACTION and entry.row_hash is None:
                    found_problem = RowProblem(
                        audited.table,
                        row_id,
                        entry.upn,
                        "erased-but-present",
                        f"was erased (entry {entry.entry_id}) but is in the database again",
                        entry_id=entry.entry_id,
                    )
                elif audited_tables.row_hash(audited.table, row) != entry.row_hash:
                    columns = audited_tables.changed_columns(entry.row_digests, audited.table, row)
                    found_problem = RowProblem(
                        audited.table,
                        row_id,
                        entry.upn,
                        "changed",
                        f"differs from its last audit entry ({entry.entry_id}, "
                        f"{entry.action!r}): changed behind att's back"
                        + (f" in {', '.join(columns)}" if columns else ""),
                        columns=columns,
                        entry_id=entry.entry_id,
                    )
                entry = next(latest, None)
            if found_problem is not None:
                if found_problem.upn is None:
                    found_problem.upn = stored.upn_of_row(
                        store, audited.table, row_id, audited.pupil
                    )
                if upn is None or found_problem.upn == upn:
                    yield found_problem
            row = next(current, None)


def casework_findings(db: Store, *, upn: str | None, anchor: str | None = None) -> list[str]:
    """What makes a pupil's casework untrustworthy as evidence, as sentences: a broken chain,
    the pupil's rows that differ from the log, and ``anchor`` (a head stamped in a bundle) not
    in the chain. Empty: the casework is as att recorded it. For the referral bundle."""
    parsed: Anchor | None = None
    if anchor:
        try:
            parsed = parse_anchor(anchor)
        except UsageError:
            return [f"the audit head {anchor!r} the manifest records is not a chain head"]
    check = verify_audit(db, anchor=parsed, upn=upn)
    findings = []
    if check.first_broken_id is not None:
        findings.append(
            f"the audit log is broken at entry {check.first_broken_id}: {check.problem}"
        )
    findings += [p.message for p in check.detail_problems]
    if check.detail_problem_count > len(check.detail_problems):
        findings.append(
            f"and {check.detail_problem_count - len(check.detail_problems)} more entries' details"
        )
    findings += [f"{p.table} {p.row_id} {p.message}" for p in check.row_problems]
    if check.row_problem_count > len(check.row_problems):
        findings.append(f"and {check.row_problem_count - len(check.row_problems)} more rows")
    if check.anchor_found is False:
        findings.append(
            f"the audit head {check.anchor} recorded at export is no longer in the chain "
            "(the log was truncated or rebuilt)"
        )
    return findings
