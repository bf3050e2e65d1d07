"""Erasure (UK GDPR art. 17, and art. 5(1)(e) at the end of a retention period).

What is erased is every row of the record asked for and every row that refers to it
(``store.privacy.walk``): a pupil takes their enrolments, marks, mark changes, contacts, cases,
actions, leads, notes, documents, penalty notices and letters; a case takes what was filed in
it; a year of marks takes that year's mark changes.

The audit log is a hash chain: an entry cannot be changed or removed without breaking it, so
erasure never removes an entry. Instead each removed row gets a tombstone, an entry with
``action = "erase"``, ``entity`` the table name and ``entity_id`` the row's id, whose detail
holds no personal data: why it was erased, what the erasure started from (a table name and
id), the academic year of a year of marks, and a document's SHA-256 (the name of its file in
the document store). ``att audit verify`` accepts a row whose latest entry is its tombstone.

The earlier entries' personal parts go too (chain version 2, ``cases.audit``): every entry about
an erased pupil or an erased row, or whose detail holds an erased pupil's UPN, loses its row in
``audit_detail`` (UPN, detail, column digests, salt), and one ``erase_detail`` entry lists their
ids; verify accepts a missing personal part only under such an entry. On SQLite the deletes
run with ``secure_delete`` and the write-ahead log is checkpointed after the commit, so the
bytes do not linger in the file (RELIABILITY.md, docs/domain/retention.md).

Order, so that a kill leaves nothing half-erased: in one transaction the tombstones are
written and the rows deleted, children before parents; only after the commit are the document
files no row names any more removed. A kill before the commit leaves everything as it was; a
kill after it leaves only files that no row names, which the next erasure removes first
(``finish_erasures``: the SHA-256s of erased documents are in their tombstones).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from attendance_cli.cases.audit import TOMBSTONE_ACTION
from attendance_cli.errors import NotFoundError, RefusedError, UsageError
from attendance_cli.marks import academic_year
from attendance_cli.privacy.hold import refuse_held
from attendance_cli.store import privacy as stored

if TYPE_CHECKING:
    from attendance_cli.privacy.retention import RetentionItem, RetentionPeriods
    from attendance_cli.store.connection import Store
    from attendance_cli.store.privacy import HeldData, HeldRow

ERASE_ACTION = TOMBSTONE_ACTION  # "erase": verify accepts a deleted row whose last entry is one
REASON_REQUEST = "request"  # art. 17: the person asked
REASON_RETENTION = "past retention"  # art. 5(1)(e): the period ended
# tables whose rows name a file in the document store by its SHA-256
FILE_TABLES = ("case_document", "letter")


@dataclass(frozen=True)
class ErasureTarget:
    """A row to erase with everything that refers to it: ``table`` and ``id``; a year of marks
    is ``mark_year`` with the enrolment's id and the ``academic_year``."""

    table: str
    id: int
    academic_year: int | None = None

    def label(self) -> str:
        if self.academic_year is not None:
            return f"{self.table}:{self.id}:{self.academic_year}"
        return f"{self.table}:{self.id}"


@dataclass
class ErasureResult:
    rows: dict[str, int] = field(default_factory=dict)  # rows removed per table
    tombstones: int = 0
    files_removed: int = 0
    files_left: list[str] = field(default_factory=list)  # SHA-256s that could not be removed
    leftovers_removed: int = 0  # files of an earlier, interrupted erasure
    targets: list[str] = field(default_factory=list)  # what was erased (TABLE:ID)
    details_erased: int = 0  # audit entries whose personal part (UPN, detail) was erased

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def erasable_tables() -> list[str]:
    """Tables a target may name: the pupil's own rows (every table the walk reaches)."""
    from attendance_cli.db.models import metadata

    return sorted(
        t
        for t in metadata.tables
        if t not in stored.CONTEXT_TABLES + stored.NOT_WALKED or t in stored.STANDALONE
    )


def parse_target(text: str) -> ErasureTarget:
    """``TABLE:ID`` (``case_note:12``), or ``mark_year:ENROLMENT_ID:YEAR``."""
    parts = text.strip().split(":")
    tables = erasable_tables()
    usage = UsageError(
        f"{text!r} is not a row to erase",
        hint="Write TABLE:ID, e.g. case_note:12 or pupil_case:3 (marks: "
        f"mark_year:ENROLMENT_ID:YEAR); tables: {', '.join(tables)}.",
    )
    if len(parts) not in (2, 3) or parts[0] not in tables:
        raise usage
    try:
        numbers = [int(p) for p in parts[1:]]
    except ValueError:
        raise usage from None
    if any(not 1 <= n < 2**63 for n in numbers):
        raise usage
    if parts[0] == "mark_year":
        if len(numbers) != 2:
            raise usage
        return ErasureTarget("mark_year", numbers[0], numbers[1])
    if len(numbers) != 1:
        raise usage
    return ErasureTarget(parts[0], numbers[0])


def rows_of_targets(store: Store, targets: Sequence[ErasureTarget]) -> dict[str, HeldData]:
    """What erasing each target removes (keyed by its label); a target not found is an
    error naming it. Targets of one table are walked together (``store.privacy.walk_from``)."""
    from attendance_cli.store.privacy import HeldData

    found: dict[str, HeldData] = {t.label(): HeldData() for t in targets}
    years = [(t.id, t.academic_year) for t in targets if t.table == "mark_year"]
    if years:
        for row in stored.mark_year_rows(store, years):  # type: ignore[arg-type]
            found[f"mark_year:{row.key[0]}:{row.key[1]}"].rows["mark_year"] = [row]
        for row in stored.mark_changes_in_years(store, years):  # type: ignore[arg-type]
            year = academic_year(row.values["date"])
            label = f"mark_year:{row.values['enrolment_id']}:{year}"
            if label in found:
                found[label].rows.setdefault("mark_change", []).append(row)
    for table in sorted({t.table for t in targets if t.table != "mark_year"}):
        ids = [t.id for t in targets if t.table == table]
        if table in stored.STANDALONE:
            # a meeting or an import goes only once nothing of a pupil refers to it
            if stored.referring_rows(store, table, ids):
                raise RefusedError(
                    f"Not erased: pupils' records refer to {table} {', '.join(map(str, ids))}",
                    hint="It is kept while the case actions or mark changes referring to it "
                    "are (att privacy retention --all shows when).",
                )
            data, origin = stored.standalone_rows(store, table, ids)
        else:
            data, origin = stored.walk_from(store, table, ids)
        for held_table, rows in data.rows.items():
            for row in rows:
                found[f"{table}:{origin[(held_table, row.key)]}"].rows.setdefault(
                    held_table, []
                ).append(row)
    for target in targets:
        if not found[target.label()].of(target.table):
            raise NotFoundError(
                f"No {target.table} row {target.label()} to erase",
                hint="Check the id with att privacy retention --all, or att privacy access.",
            )
    # nothing of a child under a legal hold is erased (privacy.hold)
    everything = HeldData()
    for data in found.values():
        for table, rows in data.rows.items():
            everything.rows.setdefault(table, []).extend(rows)
    refuse_held(store, stored.pupils_of_rows(store, everything))
    return found


def _merged(
    parts: Sequence[tuple[ErasureTarget, HeldData]],
) -> list[tuple[ErasureTarget, str, HeldRow]]:
    """Each row once, with the target it is erased under: (target, table, row)."""
    seen: set[tuple[str, tuple[object, ...]]] = set()
    rows: list[tuple[ErasureTarget, str, HeldRow]] = []
    for target, data in parts:
        for table, table_rows in data.rows.items():
            for row in table_rows:
                if (table, row.key) in seen:
                    continue
                seen.add((table, row.key))
                rows.append((target, table, row))
    return rows


def erase_records(
    store: Store,
    *,
    targets: Sequence[ErasureTarget] | Callable[[Store], Sequence[ErasureTarget]],
    reason: str,
    officer: str,
    documents: Path,
) -> ErasureResult:
    """Erase every target and what refers to it, leaving a tombstone per row (module
    docstring); ``documents`` is the document store whose files are removed after commit.
    ``targets`` may be a function of the store, called under the write lock (what is past
    retention is decided again there, so a case reopened meanwhile is not erased)."""
    from attendance_cli.store import LOCK_AUDIT_CHAIN, LOCK_REGISTERS, writing
    from attendance_cli.store.privacy import HeldData

    result = ErasureResult()
    result.leftovers_removed = finish_erasures(store, documents)
    sha256s: set[str] = set()
    stored.scrub_deletes(store)  # SQLite: the deleted bytes are overwritten, not left free
    # LOCK_REGISTERS: it deletes register rows, which an import (no writers' lock) writes
    with writing(store, LOCK_AUDIT_CHAIN, LOCK_REGISTERS):
        chosen = list(targets(store) if callable(targets) else targets)
        found = rows_of_targets(store, chosen)
        rows = _merged([(t, found[t.label()]) for t in chosen])
        everything = HeldData()
        for _target, table, row in rows:
            everything.rows.setdefault(table, []).append(row)
        # the rows first, then their tombstones (a tombstone is written for a row that is gone)
        result.rows = stored.delete_rows(store, everything)
        for target, table, row in rows:
            detail: dict[str, object] = {"reason": reason, "erased_with": target.label()}
            if table == "mark_year":
                detail["academic_year"] = row.values["academic_year"]
            if table in FILE_TABLES and row.values.get("sha256"):
                detail["sha256"] = row.values["sha256"]
                sha256s.add(str(row.values["sha256"]))
            _tombstone(
                store,
                table=table,
                row_id=int(row.id),
                has_id="id" in row.values,
                detail=detail,
                officer=officer,
            )
            result.tombstones += 1
        result.targets = [t.label() for t in chosen]
        result.details_erased = _erase_details(
            store, [(table, row) for _t, table, row in rows], reason, officer, result.targets
        )
        unused = sha256s - stored.documents_still_used(store, sha256s)
    stored.checkpoint(store)  # SQLite: the write-ahead log's older pages held what was erased
    # committed: now the files no row names (a kill here leaves them to finish_erasures)
    for sha256 in sorted(unused):
        removed, kept = _remove_file(documents, sha256)
        result.files_removed += removed
        if kept:
            result.files_left.append(sha256)
    return result


def _erase_details(
    store: Store,
    rows: Sequence[tuple[str, HeldRow]],
    reason: str,
    officer: str,
    targets: list[str],
) -> int:
    """Delete the personal part (UPN, detail, column digests: ``audit_detail``) of every entry
    that names what was erased (about an erased pupil, or about an erased row, or whose detail
    holds an erased pupil's UPN), and write the ``erase_detail`` entry listing them, without
    which verify calls each missing part deleted behind att's back. Returns how many."""
    from attendance_cli.cases import audited_tables
    from attendance_cli.cases.audit import ERASE_DETAIL_ACTION, record_audit
    from attendance_cli.store import audit as audit_store

    upns = [str(row.values["upn"]) for table, row in rows if table == "pupil"]
    keyed = [(table, int(row.values["id"])) for table, row in rows if "id" in row.values]
    entities = [(audited_tables.entity_of_table(table), row_id) for table, row_id in keyed]
    erased = audit_store.entries_naming(
        store,
        upns=upns,
        rows=keyed,
        entities=entities + keyed,
        skip_actions=(ERASE_ACTION, ERASE_DETAIL_ACTION),
    )
    if not erased:
        return 0
    audit_store.delete_personal_parts(store, erased)
    record_audit(
        store,
        officer=officer,
        action=ERASE_DETAIL_ACTION,
        entity="audit_log",
        entity_id=None,
        upn=None,
        detail={"reason": reason, "erased_with": targets, "entries": len(erased)},
        erased_entries=erased,
    )
    return len(erased)


def _tombstone(
    store: Store, *, table: str, row_id: int, has_id: bool, detail: dict[str, object], officer: str
) -> None:
    """The audit entry saying a row was erased: ``action`` erase, ``entity`` the table,
    ``entity_id`` the row's id, no UPN, and ``row=(table, id)`` so that ``att audit verify``
    matches the deleted row to its tombstone (the row must already be gone)."""
    from attendance_cli.cases.audit import record_audit

    record_audit(
        store,
        officer=officer,
        action=ERASE_ACTION,
        entity=table,
        entity_id=row_id,
        upn=None,
        detail=detail,
        row=(table, row_id) if has_id else None,
    )


def erasure_plan(store: Store, targets: Sequence[ErasureTarget]) -> dict[str, int]:
    """What erasing ``targets`` would remove: rows per table (each row once)."""
    found = rows_of_targets(store, targets)
    plan: dict[str, int] = {}
    for _target, table, _row in _merged([(t, found[t.label()]) for t in targets]):
        plan[table] = plan.get(table, 0) + 1
    return plan


def past_retention_targets(
    store: Store, *, periods: RetentionPeriods, today: dt.date
) -> list[ErasureTarget]:
    """Everything past its retention period on ``today``, as erasure targets: a pupil past
    retention as a whole, else each case, penalty notice and year of marks past its own."""
    from attendance_cli.privacy.retention import retention_items

    return [
        ErasureTarget(item.table, item.id, item.academic_year)
        for item in retention_items(store, periods=periods, today=today)
        if item.past
    ]


def held_past_retention(
    store: Store, *, periods: RetentionPeriods, today: dt.date
) -> list[RetentionItem]:
    """What would be past retention on ``today`` but for a legal hold (``--past-retention``
    skips it and says so)."""
    from attendance_cli.privacy.retention import retention_items

    return [i for i in retention_items(store, periods=periods, today=today) if i.held]


def _remove_file(documents: Path, sha256: str) -> tuple[int, bool]:
    """(1 if the file was removed, True if it is still there)."""
    path = documents / sha256
    try:
        path.unlink()
    except FileNotFoundError:
        return 0, False
    except OSError:
        return 0, True
    return 1, False


def finish_erasures(store: Store, documents: Path) -> int:
    """Remove document files named by an erase tombstone that no row names any more (left by
    an erasure killed after its commit); returns how many. Run under the database write lock
    so that no attachment of the same bytes records a row meanwhile."""
    from attendance_cli.store import LOCK_AUDIT_CHAIN, writing

    if not documents.is_dir():
        return 0
    on_disk = {p.name for p in documents.iterdir() if p.is_file() and len(p.name) == 64}
    if not on_disk:
        return 0
    removed = 0
    with writing(store, LOCK_AUDIT_CHAIN):
        erased = set()
        for table in FILE_TABLES:
            for row in stored.tombstones_of(store, ERASE_ACTION, table):
                if row.values["detail"] is None:
                    continue
                sha256 = json.loads(str(row.values["detail"])).get("sha256")
                if sha256 in on_disk:
                    erased.add(sha256)
        for sha256 in sorted(erased - stored.documents_still_used(store, erased)):
            removed += _remove_file(documents, sha256)[0]
    return removed
