"""Privacy in the database: every row held about a pupil or a parent, and their erasure.

What att holds about a pupil is found by following the schema's foreign keys from the pupil's
row: every row that refers to a held row is held too (enrolments, contacts, cases, and from
them marks, mark changes, actions, leads, notes, documents, penalty notices, letters), until
nothing new is found. The walk reads ``db.models.metadata``, so a table a later migration adds
with a foreign key into casework is found (and erased) without a change here. Rows that other
rows point *to* (schools, meetings, register imports) are context, not the pupil's: they are
read for a subject access report (a school's name, a meeting's date) and never erased.

Everything is SQLAlchemy Core over the models (portable to PostgreSQL, issue 16); IN-lists go
through ``chunked``. A pupil holds tens to a few thousand rows, so nothing here is a hot path.
Deletes run inside the caller's ``transaction`` (``privacy.erase``), children before parents
(the reverse of the metadata's dependency order), so foreign keys hold at every statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from attendance_cli.store.chunking import chunked
from attendance_cli.store.connection import Store

ROOT = "pupil"
# Rows other rows point to: read as context, never the pupil's own, never erased.
CONTEXT_TABLES = ("school", "meeting", "import_log")
# Never walked into: the audit log is a chain that cannot lose a row (erasure leaves
# tombstones instead and deletes the entries' personal parts in audit_detail, ``privacy.erase``);
# a TSM workbook is the school's; the LA benchmark cache (``store.benchmark``) holds counts
# over every pupil, no one child's rows.
NOT_WALKED = ("audit_log", "audit_detail", "meeting_workbook", "marks_version", "la_benchmark")


@dataclass(frozen=True)
class HeldRow:
    """One stored row as Python values (dates as ``date``, timestamps as aware ``datetime``),
    keyed by column name: a subject access report shows every column att stores."""

    table: str
    key: tuple[Any, ...]  # the primary key's values, in the table's key order
    values: Mapping[str, Any]

    @property
    def id(self) -> Any:
        """The row's id (the first key column: ``enrolment_id`` for a ``mark_year`` row)."""
        return self.key[0]


@dataclass
class HeldData:
    """Rows by table (each table's rows in key order)."""

    rows: dict[str, list[HeldRow]] = field(default_factory=dict)

    def of(self, table: str) -> list[HeldRow]:
        return self.rows.get(table, [])

    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def _metadata() -> Any:
    from attendance_cli.db.models import metadata

    return metadata


def _table(name: str) -> Any:
    return _metadata().tables[name]


def _key(table: Any, row: Any) -> tuple[Any, ...]:
    return tuple(row[c.name] for c in table.primary_key.columns)


def _held(table: Any, row: Any) -> HeldRow:
    """A Core row mapping as a record."""
    return HeldRow(table.name, _key(table, row), dict(row))


def _rows(store: Store, statement: Any) -> list[Any]:
    return list(store.execute(statement))


def _select_in(store: Store, table: Any, column: Any, values: Iterable[Any]) -> list[HeldRow]:
    from sqlalchemy import select

    found: list[HeldRow] = []
    for part in chunked(sorted(set(values))):
        statement = select(table).where(column.in_(part))
        found.extend(_held(table, row) for row in store.execute(statement).mappings())
    return found


def _edges() -> list[tuple[Any, Any, Any]]:
    """(child table, its foreign-key column, the parent table) for every walkable reference."""
    edges = []
    for table in _metadata().sorted_tables:
        if table.name in NOT_WALKED or table.name in CONTEXT_TABLES:
            continue
        for fk in table.foreign_keys:
            parent = fk.column.table
            if parent.name in CONTEXT_TABLES or parent.name in NOT_WALKED:
                continue
            edges.append((table, fk.parent, parent))
    return edges


def walk(store: Store, table_name: str, ids: Iterable[int]) -> HeldData:
    """The rows of ``table_name`` with these ids and every row that refers to them, directly or
    through other held rows (the rows erasing them must remove too)."""
    return walk_from(store, table_name, ids)[0]


def walk_from(
    store: Store, table_name: str, ids: Iterable[int]
) -> tuple[HeldData, dict[tuple[str, tuple[Any, ...]], int]]:
    """``walk`` for many roots at once (one query per reference and step, whatever the number
    of roots), with the root id each row was reached from (a row reached from two roots is
    given the first)."""
    root = _table(table_name)
    found: dict[str, dict[tuple[Any, ...], HeldRow]] = {}
    origin: dict[tuple[str, tuple[Any, ...]], int] = {}
    new: dict[str, set[Any]] = {}
    for row in _select_in(store, root, root.c.id, ids):
        found.setdefault(root.name, {})[row.key] = row
        origin[(root.name, row.key)] = int(row.values["id"])
        new.setdefault(root.name, set()).add(row.values["id"])
    edges = _edges()
    while new:
        frontier, new = new, {}
        for child, column, parent in edges:
            parent_ids = frontier.get(parent.name)
            if not parent_ids or fk_target(column) != "id":
                continue
            for row in _select_in(store, child, column, parent_ids):
                rows = found.setdefault(child.name, {})
                if row.key in rows:
                    continue
                rows[row.key] = row
                origin[(child.name, row.key)] = origin[(parent.name, (row.values[column.name],))]
                if "id" in row.values:
                    new.setdefault(child.name, set()).add(row.values["id"])
    data = HeldData()
    for table in _metadata().sorted_tables:
        if table.name in found:
            data.rows[table.name] = [found[table.name][k] for k in sorted(found[table.name])]
    return data, origin


def fk_target(column: Any) -> str:
    """The name of the column a foreign-key column refers to."""
    return next(iter(column.foreign_keys)).column.name


def pupil_rows(store: Store, pupil_id: int) -> HeldData:
    """Everything held about one pupil (see the module docstring)."""
    return walk(store, ROOT, [pupil_id])


def context_rows(store: Store, data: HeldData) -> HeldData:
    """The schools, meetings and register imports the held rows refer to."""
    wanted: dict[str, set[Any]] = {}
    for rows in data.rows.values():
        for row in rows:
            table = _table(row.table)
            for fk in table.foreign_keys:
                parent = fk.column.table.name
                value = row.values.get(fk.parent.name)
                if parent in CONTEXT_TABLES and value is not None:
                    wanted.setdefault(parent, set()).add(value)
    context = HeldData()
    for name in CONTEXT_TABLES:
        if wanted.get(name):
            table = _table(name)
            context.rows[name] = sorted(
                _select_in(store, table, table.c.id, wanted[name]), key=lambda r: r.key
            )
    return context


def _audit_select() -> Any:
    """Audit entries with their personal part (UPN, detail, column digests; None once erased),
    as one row each: the entry's columns as stored, ``upn`` and ``detail`` beside them."""
    from sqlalchemy import select

    log, personal = _table("audit_log"), _table("audit_detail")
    return select(
        *log.columns, personal.c.upn, personal.c.detail, personal.c.row_digests
    ).select_from(log.outerjoin(personal, personal.c.entry_id == log.c.id))


def _audit_held(row: Any) -> HeldRow:
    return HeldRow("audit_log", (row["id"],), dict(row))


def audit_rows(store: Store, upns: Sequence[str]) -> list[HeldRow]:
    """Audit entries made about these pupils, oldest first (an erased entry names nobody)."""
    personal = _table("audit_detail")
    found: list[HeldRow] = []
    for part in chunked(sorted(set(upns))):
        statement = _audit_select().where(personal.c.upn.in_(part))
        found.extend(_audit_held(row) for row in store.execute(statement).mappings())
    return sorted(found, key=lambda r: r.key)


def audit_rows_about(store: Store, entity: str, ids: Iterable[int]) -> list[HeldRow]:
    """Audit entries about these rows of one entity (``penalty_notice``, ``letter``...)."""
    table = _table("audit_log")
    found: list[HeldRow] = []
    for part in chunked(sorted(set(ids))):
        statement = _audit_select().where(table.c.entity == entity, table.c.entity_id.in_(part))
        found.extend(_audit_held(row) for row in store.execute(statement).mappings())
    return sorted(found, key=lambda r: r.key)


# ----------------------------------------------------------------------------- people


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A pupil's or a contact's name, as third-party redaction needs it."""

    pupil_id: int
    contact_id: int | None
    forename: str | None
    surname: str | None
    name: str | None  # a contact's name, or a pupil's name as written on a register
    address: str | None


def all_pupil_names(store: Store) -> list[PersonRecord]:
    """Every pupil's name (id, forename, surname, name as written): 48,000 short rows."""
    from sqlalchemy import select

    pupil = _table("pupil")
    statement = select(pupil.c.id, pupil.c.forename, pupil.c.surname, pupil.c.name_as_written)
    return [PersonRecord(r[0], None, r[1], r[2], r[3], None) for r in _rows(store, statement)]


def contacts_named(
    store: Store, contact_ids: Sequence[int] = (), *, word: str = ""
) -> list[HeldRow]:
    """Contact rows by id, or (``word``) every contact whose name contains ``word`` in any case
    (a surname); the caller compares the names exactly (``cases.penalty_rules.parent_key``)."""
    from sqlalchemy import func, select

    contact = _table("contact")
    if contact_ids:
        return sorted(_select_in(store, contact, contact.c.id, contact_ids), key=lambda r: r.key)
    pattern = "%" + word.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
    statement = (
        select(contact).where(func.lower(contact.c.name).like(pattern)).order_by(contact.c.id)
    )
    return [_held(contact, r) for r in store.execute(statement).mappings()]


def contacts_of_pupils(store: Store, pupil_ids: Iterable[int]) -> list[HeldRow]:
    contact = _table("contact")
    return sorted(_select_in(store, contact, contact.c.pupil_id, pupil_ids), key=lambda r: r.key)


def pupils_by_id(store: Store, pupil_ids: Iterable[int]) -> list[HeldRow]:
    pupil = _table("pupil")
    return sorted(_select_in(store, pupil, pupil.c.id, pupil_ids), key=lambda r: r.key)


def penalty_notices_to(store: Store, pupil_ids: Iterable[int]) -> list[HeldRow]:
    table = _table("penalty_notice")
    return sorted(_select_in(store, table, table.c.pupil_id, pupil_ids), key=lambda r: r.key)


def letters_of_pupils(store: Store, pupil_ids: Iterable[int]) -> list[HeldRow]:
    table = _table("letter")
    return sorted(_select_in(store, table, table.c.pupil_id, pupil_ids), key=lambda r: r.key)


def documents_by_id(store: Store, ids: Iterable[int]) -> list[HeldRow]:
    table = _table("case_document")
    return sorted(_select_in(store, table, table.c.id, ids), key=lambda r: r.key)


# -------------------------------------------------------------------------- retention


@dataclass(frozen=True, slots=True)
class PupilDates:
    """What a pupil's retention runs from (``privacy.retention`` applies the periods)."""

    pupil_id: int
    upn: str
    created: dt.date
    last_leaving: dt.date | None
    open_enrolments: int  # enrolments with no leaving date


@dataclass(frozen=True, slots=True)
class MarkYearRef:
    enrolment_id: int
    pupil_id: int
    academic_year: int


@dataclass(frozen=True, slots=True)
class CaseDates:
    case_id: int
    pupil_id: int
    status: str
    opened: dt.date
    closed: dt.date | None


@dataclass(frozen=True, slots=True)
class NoticeDates:
    notice_id: int
    pupil_id: int
    case_id: int | None
    issued: dt.date
    paid: dt.date | None
    withdrawn: dt.date | None


def _day(value: Any) -> dt.date:
    from attendance_cli.store.conversions import to_date

    day = to_date(value)
    assert day is not None
    return day


def retention_dates(
    store: Store,
) -> tuple[list[PupilDates], list[MarkYearRef], list[CaseDates], list[NoticeDates]]:
    """The dates every retention period runs from, for the whole database."""
    from sqlalchemy import func, select

    from attendance_cli.store.conversions import to_date

    pupil, enrolment = _table("pupil"), _table("enrolment")
    mark_year, case, notice = _table("mark_year"), _table("pupil_case"), _table("penalty_notice")
    leaving = (
        select(
            enrolment.c.pupil_id,
            func.max(enrolment.c.leaving_date).label("last_leaving"),
            func.count().filter(enrolment.c.leaving_date.is_(None)).label("open_enrolments"),
        )
        .group_by(enrolment.c.pupil_id)
        .subquery()
    )
    pupils = [
        PupilDates(r[0], r[1], _day(r[2]), to_date(r[3]), int(r[4] or 0))
        for r in _rows(
            store,
            select(
                pupil.c.id,
                pupil.c.upn,
                pupil.c.created_at,
                leaving.c.last_leaving,
                leaving.c.open_enrolments,
            )
            .outerjoin(leaving, leaving.c.pupil_id == pupil.c.id)
            .order_by(pupil.c.id),
        )
    ]
    years = [
        MarkYearRef(r[0], r[1], r[2])
        for r in _rows(
            store,
            select(mark_year.c.enrolment_id, enrolment.c.pupil_id, mark_year.c.academic_year)
            .join(enrolment, enrolment.c.id == mark_year.c.enrolment_id)
            .order_by(mark_year.c.enrolment_id, mark_year.c.academic_year),
        )
    ]
    cases = [
        CaseDates(r[0], r[1], r[2], _day(r[3]), to_date(r[4]))
        for r in _rows(
            store,
            select(
                case.c.id, case.c.pupil_id, case.c.status, case.c.opened_at, case.c.closed_at
            ).order_by(case.c.id),
        )
    ]
    notices = [
        NoticeDates(r[0], r[1], r[2], _day(r[3]), to_date(r[4]), to_date(r[5]))
        for r in _rows(
            store,
            select(
                notice.c.id,
                notice.c.pupil_id,
                notice.c.case_id,
                notice.c.issued,
                notice.c.paid,
                notice.c.withdrawn,
            ).order_by(notice.c.id),
        )
    ]
    return pupils, years, cases, notices


def mark_year_rows(store: Store, refs: Sequence[tuple[int, int]]) -> list[HeldRow]:
    """The ``mark_year`` rows (enrolment id, academic year) that exist."""
    from sqlalchemy import select, tuple_

    table = _table("mark_year")
    found: list[HeldRow] = []
    for part in chunked(sorted(set(refs)), 1000):
        statement = select(table).where(
            tuple_(table.c.enrolment_id, table.c.academic_year).in_(part)
        )
        found.extend(_held(table, r) for r in store.execute(statement).mappings())
    return sorted(found, key=lambda r: r.key)


def mark_changes_in_years(store: Store, refs: Sequence[tuple[int, int]]) -> list[HeldRow]:
    """The mark changes of these (enrolment, academic year)s: dates 1 August to 31 July (the
    enrolments' changes read together, the years picked here)."""
    from attendance_cli.marks import academic_year
    from attendance_cli.store.conversions import to_date

    wanted = set(refs)
    table = _table("mark_change")
    rows = _select_in(store, table, table.c.enrolment_id, {e for e, _ in wanted})
    return sorted(
        (
            r
            for r in rows
            if (r.values["enrolment_id"], academic_year(_day(to_date(r.values["date"])))) in wanted
        ),
        key=lambda r: r.key,
    )


# ---------------------------------------------------------------------------- erasure


def delete_rows(store: Store, data: HeldData) -> dict[str, int]:
    """Delete every held row, children before parents; inside the caller's transaction.
    Returns the rows deleted per table."""
    from sqlalchemy import and_, delete

    deleted: dict[str, int] = {}
    for table in reversed(_metadata().sorted_tables):
        rows = data.of(table.name)
        if not rows:
            continue
        columns = list(table.primary_key.columns)
        count = 0
        if len(columns) == 1:
            for part in chunked([r.key[0] for r in rows]):
                count += store.execute(delete(table).where(columns[0].in_(part))).rowcount
        else:
            for row in rows:
                condition = and_(*(c == v for c, v in zip(columns, row.key, strict=True)))
                count += store.execute(delete(table).where(condition)).rowcount
        deleted[table.name] = count
    if deleted.get("mark_year"):  # the LA benchmark cache was counted with these marks
        from attendance_cli.store.benchmark import marks_changed

        marks_changed(store)
    return deleted


def documents_still_used(store: Store, sha256s: Iterable[str]) -> set[str]:
    """Of these SHA-256s, the ones a case document or a letter still names (the stored file
    is shared by every row naming the same bytes)."""
    from sqlalchemy import select

    used: set[str] = set()
    for name in ("case_document", "letter"):
        table = _table(name)
        for part in chunked(sorted(set(sha256s))):
            statement = select(table.c.sha256).where(table.c.sha256.in_(part)).distinct()
            used.update(r[0] for r in store.execute(statement))
    return used


def tombstones_of(store: Store, action: str, entity: str) -> list[HeldRow]:
    """Audit entries with this action about rows of this entity (erase tombstones), with their
    detail (``None`` if it was erased)."""
    table = _table("audit_log")
    statement = _audit_select().where(table.c.action == action, table.c.entity == entity)
    return [_audit_held(row) for row in store.execute(statement).mappings()]


# ------------------------------------------------------------------ rectification (art. 16)


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """A contact row, with its pupil's UPN."""

    id: int
    pupil_id: int
    upn: str
    priority: int
    name: str
    relationship: str | None
    address: str | None
    phone: str | None
    email: str | None
    parental_responsibility: bool | None


@dataclass(frozen=True, slots=True)
class CorrectionRecord:
    """A contact's corrected field (``db.models.ContactCorrection``); values as text (a flag
    is ``Y``/``N``)."""

    id: int
    pupil_id: int
    upn: str
    contact_key: str
    field: str
    school_value: str | None
    value: str | None
    reason: str
    corrected_at: dt.datetime
    officer: str
    retired_at: dt.datetime | None
    retired_by: str | None


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def get_contact(store: Store, contact_id: int) -> ContactRecord | None:
    from sqlalchemy import select

    contact, pupil = _table("contact"), _table("pupil")
    row = (
        store.execute(
            select(contact, pupil.c.upn)
            .join(pupil, pupil.c.id == contact.c.pupil_id)
            .where(contact.c.id == contact_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return ContactRecord(
        int(row["id"]), int(row["pupil_id"]), str(row["upn"]), int(row["priority"]),
        str(row["name"]), row["relationship"], row["address"], row["phone"], row["email"],
        _flag(row["parental_responsibility"]),
    )  # fmt: skip


def _correction(row: Any) -> CorrectionRecord:
    from attendance_cli.store.conversions import to_datetime

    corrected_at = to_datetime(row["corrected_at"])
    assert corrected_at is not None
    return CorrectionRecord(
        int(row["id"]), int(row["pupil_id"]), str(row["upn"]), str(row["contact_key"]),
        str(row["field"]), row["school_value"], row["value"], str(row["reason"]), corrected_at,
        str(row["officer"]), to_datetime(row["retired_at"]), row["retired_by"],
    )  # fmt: skip


def contact_corrections(
    store: Store, *, pupil_ids: Iterable[int] | None = None, in_force_only: bool = True
) -> list[CorrectionRecord]:
    """Contact corrections (of these pupils, or all), oldest first; by default only those in
    force (not retired)."""
    from sqlalchemy import select

    table, pupil = _table("contact_correction"), _table("pupil")
    base = select(table, pupil.c.upn).join(pupil, pupil.c.id == table.c.pupil_id)
    if in_force_only:
        base = base.where(table.c.retired_at.is_(None))
    statements = (
        [base]
        if pupil_ids is None
        else [base.where(table.c.pupil_id.in_(part)) for part in chunked(sorted(set(pupil_ids)))]
    )
    found = [_correction(r) for s in statements for r in store.execute(s).mappings()]
    return sorted(found, key=lambda c: c.id)


def add_contact_correction(
    store: Store,
    *,
    pupil_id: int,
    contact_key: str,
    field: str,
    school_value: str | None,
    value: str | None,
    reason: str,
    officer: str,
) -> int:
    """Record a correction (inside the caller's transaction); returns its id."""
    from sqlalchemy import insert

    table = _table("contact_correction")
    result = store.execute(
        insert(table).values(
            pupil_id=pupil_id,
            contact_key=contact_key,
            field=field,
            school_value=school_value,
            value=value,
            reason=reason,
            corrected_at=dt.datetime.now(dt.UTC),
            officer=officer,
        )  # fmt: skip
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def retire_contact_correction(store: Store, correction_id: int, *, by: str) -> None:
    """Mark a correction no longer in force (the school's file agrees, or a newer correction
    replaced it); the row is kept."""
    from sqlalchemy import update

    table = _table("contact_correction")
    store.execute(
        update(table)
        .where(table.c.id == correction_id)
        .values(retired_at=dt.datetime.now(dt.UTC), retired_by=by)
    )


def rekey_contact_correction(store: Store, correction_id: int, contact_key: str) -> None:
    """The school's file now names the contact as corrected: its other corrections follow."""
    from sqlalchemy import update

    table = _table("contact_correction")
    store.execute(update(table).where(table.c.id == correction_id).values(contact_key=contact_key))


def set_contact_field(store: Store, contact_id: int, field: str, value: Any) -> None:
    """Write one corrected field into the contact row (inside the caller's transaction)."""
    from sqlalchemy import update

    table = _table("contact")
    store.execute(update(table).where(table.c.id == contact_id).values({field: value}))


# ------------------------------------------------------------------------------ legal hold


@dataclass(frozen=True, slots=True)
class HoldRecord:
    id: int
    pupil_id: int
    upn: str
    reason: str
    placed_at: dt.datetime
    placed_by: str
    released_at: dt.datetime | None
    released_by: str | None
    release_reason: str | None

    @property
    def in_force(self) -> bool:
        return self.released_at is None


def _hold(row: Any) -> HoldRecord:
    from attendance_cli.store.conversions import to_datetime

    placed_at = to_datetime(row["placed_at"])
    assert placed_at is not None
    return HoldRecord(
        int(row["id"]), int(row["pupil_id"]), str(row["upn"]), str(row["reason"]), placed_at,
        str(row["placed_by"]), to_datetime(row["released_at"]), row["released_by"],
        row["release_reason"],
    )  # fmt: skip


def legal_holds(
    store: Store,
    *,
    pupil_ids: Iterable[int] | None = None,
    hold_id: int | None = None,
    in_force_only: bool = True,
) -> list[HoldRecord]:
    """Legal holds (of these pupils, one by id, or all), oldest first; by default those in
    force only."""
    from sqlalchemy import select

    table, pupil = _table("legal_hold"), _table("pupil")
    base = select(table, pupil.c.upn).join(pupil, pupil.c.id == table.c.pupil_id)
    if in_force_only:
        base = base.where(table.c.released_at.is_(None))
    if hold_id is not None:
        base = base.where(table.c.id == hold_id)
    statements = (
        [base]
        if pupil_ids is None
        else [base.where(table.c.pupil_id.in_(part)) for part in chunked(sorted(set(pupil_ids)))]
    )
    found = [_hold(r) for s in statements for r in store.execute(s).mappings()]
    return sorted(found, key=lambda h: h.id)


def add_legal_hold(store: Store, *, pupil_id: int, reason: str, officer: str) -> int:
    from sqlalchemy import insert

    table = _table("legal_hold")
    result = store.execute(
        insert(table).values(
            pupil_id=pupil_id, reason=reason, placed_at=dt.datetime.now(dt.UTC), placed_by=officer
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def release_legal_hold(store: Store, hold_id: int, *, reason: str, officer: str) -> None:
    from sqlalchemy import update

    table = _table("legal_hold")
    store.execute(
        update(table)
        .where(table.c.id == hold_id)
        .values(released_at=dt.datetime.now(dt.UTC), released_by=officer, release_reason=reason)
    )


def pupils_of_rows(store: Store, data: HeldData) -> set[int]:
    """The pupils the held rows belong to (through pupil_id, case_id, enrolment_id,
    notice_id or request_id; a letter to a school belongs to none)."""
    from sqlalchemy import select

    pupils: set[int] = set()
    via: dict[str, set[int]] = {}
    for table, rows in data.rows.items():
        for row in rows:
            if table == "pupil":
                pupils.add(int(row.values["id"]))
            elif row.values.get("pupil_id") is not None:
                pupils.add(int(row.values["pupil_id"]))
            else:
                for column in ("case_id", "enrolment_id", "notice_id", "request_id"):
                    if row.values.get(column) is not None:
                        via.setdefault(column, set()).add(int(row.values[column]))
    for column, parent in (
        ("case_id", "pupil_case"),
        ("enrolment_id", "enrolment"),
        ("notice_id", "penalty_notice"),
        ("request_id", "penalty_request"),
    ):
        table = _table(parent)
        for part in chunked(sorted(via.get(column, ()))):
            pupils.update(
                int(r[0])
                for r in store.execute(select(table.c.pupil_id).where(table.c.id.in_(part)))
            )
    return pupils


# ------------------------------------------------ retention of records held about no one pupil


@dataclass(frozen=True, slots=True)
class SharedDates:
    """A record that is no one pupil's (a meeting, a TSM workbook, an import, a letter to a
    school): its id, the day its period runs from, and how many pupils' rows refer to it (a
    meeting's case actions, an import's mark changes; such a record is kept while they are)."""

    table: str
    id: int
    runs_from: dt.date
    referred_to_by: int
    parent_id: int | None  # a workbook's meeting


def shared_retention_dates(store: Store) -> list[SharedDates]:
    """The dates the periods of meetings, TSM workbooks, imports and letters to schools run
    from (the meeting's date, the workbook's recording, the import, the letter's date)."""
    from sqlalchemy import func, select

    meeting, workbook, action = _table("meeting"), _table("meeting_workbook"), _table("case_action")
    log, change, letter = _table("import_log"), _table("mark_change"), _table("letter")
    actions = (
        select(action.c.meeting_id, func.count().label("n"))
        .where(action.c.meeting_id.is_not(None))
        .group_by(action.c.meeting_id)
        .subquery()
    )
    changes = (
        select(change.c.import_id, func.count().label("n")).group_by(change.c.import_id).subquery()
    )
    found = [
        SharedDates("meeting", int(r[0]), _day(r[1]), int(r[2] or 0), None)
        for r in _rows(
            store,
            select(meeting.c.id, meeting.c.date, actions.c.n)
            .outerjoin(actions, actions.c.meeting_id == meeting.c.id)
            .order_by(meeting.c.id),
        )
    ]
    found += [
        SharedDates("meeting_workbook", int(r[0]), _day(r[1]), 0, int(r[2]))
        for r in _rows(
            store,
            select(workbook.c.id, workbook.c.recorded_at, workbook.c.meeting_id).order_by(
                workbook.c.id
            ),
        )
    ]
    found += [
        SharedDates("import_log", int(r[0]), _day(r[1]), int(r[2] or 0), None)
        for r in _rows(
            store,
            select(log.c.id, log.c.imported_at, changes.c.n)
            .outerjoin(changes, changes.c.import_id == log.c.id)
            .order_by(log.c.id),
        )
    ]
    found += [
        SharedDates("letter", int(r[0]), _day(r[1]), 0, None)
        for r in _rows(
            store,
            select(letter.c.id, letter.c.letter_date)
            .where(letter.c.pupil_id.is_(None), letter.c.document_id.is_(None))
            .order_by(letter.c.id),
        )
    ]
    return found


# tables erased on their own, without walking into what refers to them (each is kept while a
# pupil's row refers to it: ``shared_retention_dates``); a meeting takes its TSM workbooks
STANDALONE = ("meeting", "meeting_workbook", "import_log")


def standalone_rows(
    store: Store, table_name: str, ids: Iterable[int]
) -> tuple[HeldData, dict[tuple[str, tuple[Any, ...]], int]]:
    """The rows of a STANDALONE table with these ids (a meeting with its workbooks), with the
    root id each was reached from (``walk_from``'s form)."""
    root = _table(table_name)
    data = HeldData()
    origin: dict[tuple[str, tuple[Any, ...]], int] = {}
    rows = sorted(_select_in(store, root, root.c.id, ids), key=lambda r: r.key)
    if rows:
        data.rows[table_name] = rows
    for row in rows:
        origin[(table_name, row.key)] = int(row.values["id"])
    if table_name == "meeting" and rows:
        workbook = _table("meeting_workbook")
        books = sorted(
            _select_in(store, workbook, workbook.c.meeting_id, [r.values["id"] for r in rows]),
            key=lambda r: r.key,
        )
        if books:
            data.rows["meeting_workbook"] = books
        for book in books:
            origin[("meeting_workbook", book.key)] = int(book.values["meeting_id"])
    return data, origin


def referring_rows(store: Store, table_name: str, ids: Iterable[int]) -> int:
    """How many pupils' rows refer to these rows of a STANDALONE table (case actions to a
    meeting, mark changes to an import): erasing them would break those references."""
    from sqlalchemy import func, select

    column = {"meeting": ("case_action", "meeting_id"), "import_log": ("mark_change", "import_id")}
    if table_name not in column:
        return 0
    table = _table(column[table_name][0])
    ref = table.c[column[table_name][1]]
    total = 0
    for part in chunked(sorted(set(ids))):
        total += int(store.execute(select(func.count()).where(ref.in_(part))).scalar() or 0)
    return total


def corrections_of_pupils(store: Store, pupil_ids: Iterable[int]) -> list[HeldRow]:
    """The contact correction rows of these pupils (for a parent's subject access report)."""
    table = _table("contact_correction")
    return sorted(_select_in(store, table, table.c.pupil_id, pupil_ids), key=lambda r: r.key)


def scrub_deletes(store: Store) -> None:
    """On SQLite, make this connection's deletes overwrite what they delete (``secure_delete``)
    rather than leave the bytes in the file's free pages; before an erasure's transaction. On
    PostgreSQL deleted rows go when VACUUM (autovacuum) reclaims them (RELIABILITY.md)."""
    if store.dialect == "sqlite":
        store.connection.execute("PRAGMA secure_delete = ON")


def checkpoint(store: Store) -> None:
    """On SQLite, copy the write-ahead log into the file and truncate it (after an erasure:
    the log's older pages still hold what was erased); skipped while another reader needs it."""
    if store.dialect == "sqlite":
        store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
