"""Erasure (UK GDPR art. 17, and art. 5(1)(e) at the end of a retention period).

What is erased is every row of the record asked for and every row that refers to it
(``store.privacy.walk``): a pupil takes their enrolments, marks, mark changes, contacts, cases,
actions, leads, notes, documents, penalty notices and letters; a case takes what was filed in
it; a year of marks takes that year's mark changes.

The audit log is a hash chain: an entry cannot be changed or removed without breaking it, so
erasure never touches the entries already written. Instead each removed row gets a tombstone,
an entry with ``action = "erase"``, ``entity`` the table name and ``entity_id`` the row's id,
whose detail holds no personal data: why it was erased, what the erasure started from (a
table name and id), the academic year of a year of marks, and a document's SHA-256 (the name
of its file in the document store). ``att audit verify`` accepts a row whose latest entry is
its tombstone. What the earlier entries hold stays (RELIABILITY.md, docs/domain/retention.md).

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
from attendance_cli.errors import NotFoundError, UsageError
from attendance_cli.marks import academic_year
from attendance_cli.store import privacy as stored

if TYPE_CHECKING:
    from attendance_cli.privacy.retention import RetentionPeriods
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

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def erasable_tables() -> list[str]:
    """Tables a target may name: the pupil's own rows (every table the walk reaches)."""
    from attendance_cli.db.models import metadata

    return sorted(t for t in metadata.tables if t not in stored.CONTEXT_TABLES + stored.NOT_WALKED)


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
        unused = sha256s - stored.documents_still_used(store, sha256s)
    # committed: now the files no row names (a kill here leaves them to finish_erasures)
    for sha256 in sorted(unused):
        removed, kept = _remove_file(documents, sha256)
        result.files_removed += removed
        if kept:
            result.files_left.append(sha256)
    return result


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
                sha256 = json.loads(str(row.values["detail"])).get("sha256")
                if sha256 in on_disk:
                    erased.add(sha256)
        for sha256 in sorted(erased - stored.documents_still_used(store, erased)):
            removed += _remove_file(documents, sha256)[0]
    return removed
