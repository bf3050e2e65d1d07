"""Penalty notices in the database: read a pupil's notices, record one, its payment or
withdrawal. The framework's rules are in ``cases.penalty_rules``; ``cases.penalty`` applies them
under ``writing(store, LOCK_PENALTY_NOTICES)``.

Reads are raw sqlite3 (``att case show`` lists the pupil's notices; see ``store.cases`` for the
figures); writes are SQLAlchemy Core over ``db.models``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from attendance_cli.store.chunking import chunked
from attendance_cli.store.connection import Store
from attendance_cli.store.conversions import to_date


@dataclass(frozen=True, slots=True)
class StoredNotice:
    id: int
    pupil_id: int
    upn: str
    surname: str | None
    forename: str | None
    case_id: int | None
    parent_name: str
    issued: dt.date
    amount_pence: int
    paid: dt.date | None
    withdrawn: dt.date | None
    withdrawn_reason: str | None
    created_at: str
    officer: str


_NOTICE_SQL = (
    "SELECT n.id, n.pupil_id, p.upn, p.surname, p.forename, n.case_id, n.parent_name, n.issued, "
    "n.amount_pence, n.paid, n.withdrawn, n.withdrawn_reason, n.created_at, n.officer "
    "FROM penalty_notice n JOIN pupil p ON p.id = n.pupil_id"
)


def _notice(r: Sequence[Any]) -> StoredNotice:
    issued = to_date(r[7])
    assert issued is not None
    return StoredNotice(
        id=r[0],
        pupil_id=r[1],
        upn=r[2],
        surname=r[3],
        forename=r[4],
        case_id=r[5],
        parent_name=r[6],
        issued=issued,
        amount_pence=r[8],
        paid=to_date(r[9]),
        withdrawn=to_date(r[10]),
        withdrawn_reason=r[11],
        created_at=r[12],
        officer=r[13],
    )


def notices(
    store: Store, *, pupil_id: int | None = None, notice_id: int | None = None
) -> list[StoredNotice]:
    """One notice, a pupil's notices, or all; by issue date then id."""
    sql: str = _NOTICE_SQL
    args: tuple[object, ...] = ()
    if notice_id is not None:
        sql, args = sql + " WHERE n.id = ?", (notice_id,)
    elif pupil_id is not None:
        sql, args = sql + " WHERE n.pupil_id = ?", (pupil_id,)
    rows = store.connection.execute(sql + " ORDER BY n.issued, n.id", args)
    return [_notice(r) for r in rows]


@dataclass(frozen=True, slots=True)
class EnrolmentSpan:
    laestab: str
    school_name: str
    entry: dt.date | None
    leaving: dt.date | None


def enrolment_spans(store: Store, pupil_ids: Sequence[int]) -> dict[int, list[EnrolmentSpan]]:
    """Per pupil: the schools they were enrolled at, with entry and leaving dates."""
    result: dict[int, list[EnrolmentSpan]] = {}
    for part in chunked(sorted(set(pupil_ids))):
        marks = ",".join("?" * len(part))
        for pupil_id, laestab, name, entry, leaving in store.connection.execute(
            "SELECT e.pupil_id, s.laestab, s.name, e.entry_date, e.leaving_date FROM enrolment e "
            f"JOIN school s ON s.id = e.school_id WHERE e.pupil_id IN ({marks})",
            list(part),
        ):
            result.setdefault(pupil_id, []).append(
                EnrolmentSpan(laestab, name, to_date(entry), to_date(leaving))
            )
    return result


@dataclass(frozen=True, slots=True)
class ParentContact:
    name: str
    relationship: str | None


def parent_contacts(store: Store, pupil_id: int) -> list[ParentContact]:
    """The pupil's recorded parents and carers (the roster's contacts), by priority."""
    rows = store.connection.execute(
        "SELECT name, relationship FROM contact WHERE pupil_id = ? ORDER BY priority, id",
        (pupil_id,),
    )
    return [ParentContact(name, relationship) for name, relationship in rows]


def insert_notice(
    store: Store,
    *,
    pupil_id: int,
    case_id: int | None,
    parent_name: str,
    issued: dt.date,
    amount_pence: int,
    paid: dt.date | None,
    withdrawn: dt.date | None,
    withdrawn_reason: str | None,
    officer: str,
) -> int:
    from sqlalchemy import insert

    from attendance_cli.db.models import PenaltyNotice

    result = store.execute(
        insert(PenaltyNotice.__table__).values(  # type: ignore[attr-defined]
            pupil_id=pupil_id,
            case_id=case_id,
            parent_name=parent_name,
            issued=issued,
            amount_pence=amount_pence,
            paid=paid,
            withdrawn=withdrawn,
            withdrawn_reason=withdrawn_reason,
            created_at=dt.datetime.now(dt.UTC),
            officer=officer,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _update(store: Store, notice_id: int, **values: Any) -> None:
    from sqlalchemy import update

    from attendance_cli.db.models import PenaltyNotice

    table = PenaltyNotice.__table__  # type: ignore[attr-defined]
    store.execute(update(table).where(table.c.id == notice_id).values(**values))


def set_notice_paid(store: Store, *, notice_id: int, paid: dt.date, amount_pence: int) -> None:
    _update(store, notice_id, paid=paid, amount_pence=amount_pence)


def set_notice_withdrawn(store: Store, *, notice_id: int, withdrawn: dt.date, reason: str) -> None:
    _update(store, notice_id, withdrawn=withdrawn, withdrawn_reason=reason)


@dataclass(frozen=True, slots=True)
class ImproveLetter:
    """A notice to improve made from the ``notice-to-improve`` letter template."""

    id: int
    letter_date: dt.date
    addressee: str


NOTICE_TO_IMPROVE_TEMPLATE = "notice-to-improve"


def notices_to_improve(store: Store, pupil_id: int) -> list[ImproveLetter]:
    """The pupil's notices to improve made as letters (``att letter make``), oldest first."""
    from sqlalchemy import select

    from attendance_cli.db.models import Letter

    table = Letter.__table__  # type: ignore[attr-defined]
    rows = store.execute(
        select(table.c.id, table.c.letter_date, table.c.addressee)
        .where(table.c.pupil_id == pupil_id, table.c.template == NOTICE_TO_IMPROVE_TEMPLATE)
        .order_by(table.c.letter_date, table.c.id)
    )
    return [ImproveLetter(r.id, r.letter_date, r.addressee) for r in rows]
