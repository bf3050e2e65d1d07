"""Penalty notices in the database: read a pupil's notices, record one, its payment or
withdrawal. The framework's rules are in ``cases.penalty_rules``; ``cases.penalty`` applies them
under ``writing(store, LOCK_PENALTY_NOTICES)``.

Reads are raw sqlite3 in the dialect both engines share: ``att case show`` lists the pupil's
notices with their sessions and payments, and the same statements in Core cost it 0.27-0.30 s
of imports (``sqlalchemy`` + the ``sqlmodel`` models, ``python -X importtime``) out of a 0.4 s
target (``bench/profile_case.py``). Writes are SQLAlchemy Core over ``db.models``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from attendance_cli.store.chunking import chunked
from attendance_cli.store.connection import Store
from attendance_cli.store.conversions import to_date, to_datetime


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
    kind: str = "attendance"  # attendance (EA 1996 s.444A), exclusion (EIA 2006 s.105)
    reason: str | None = None  # holiday, unauthorised, lateness, exclusion
    contact_id: int | None = None
    service_method: str | None = None  # hand, post
    served_on: dt.date | None = None
    received_on: dt.date | None = None
    offence_from: dt.date | None = None
    offence_to: dt.date | None = None
    force_reason: str | None = None
    withdrawn_ground: str | None = None
    prosecuted_on: dt.date | None = None
    prosecution_outcome: str | None = None
    prosecution_outcome_on: dt.date | None = None


_NOTICE_SQL = (
    "SELECT n.id, n.pupil_id, p.upn, p.surname, p.forename, n.case_id, n.parent_name, n.issued, "
    "n.amount_pence, n.paid, n.withdrawn, n.withdrawn_reason, n.created_at, n.officer, "
    "n.kind, n.reason, n.contact_id, n.service_method, n.served_on, n.received_on, "
    "n.offence_from, n.offence_to, n.force_reason, n.withdrawn_ground, n.prosecuted_on, "
    "n.prosecution_outcome, n.prosecution_outcome_on "
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
        kind=r[14],
        reason=r[15],
        contact_id=r[16],
        service_method=r[17],
        served_on=to_date(r[18]),
        received_on=to_date(r[19]),
        offence_from=to_date(r[20]),
        offence_to=to_date(r[21]),
        force_reason=r[22],
        withdrawn_ground=r[23],
        prosecuted_on=to_date(r[24]),
        prosecution_outcome=r[25],
        prosecution_outcome_on=to_date(r[26]),
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
    id: int = 0
    parental_responsibility: bool | None = None  # None: not recorded


def parent_contacts(store: Store, pupil_id: int) -> list[ParentContact]:
    """The pupil's recorded parents and carers (the roster's contacts), by priority."""
    rows = store.connection.execute(
        "SELECT name, relationship, id, parental_responsibility FROM contact "
        "WHERE pupil_id = ? ORDER BY priority, id",
        (pupil_id,),
    )
    return [
        ParentContact(name, relationship, contact_id, None if pr is None else bool(pr))
        for name, relationship, contact_id, pr in rows
    ]


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
    **details: Any,
) -> int:
    """Insert a notice; ``details`` are the 0008 columns (kind, reason, contact_id,
    service_method, served_on, received_on, offence_from, offence_to, force_reason,
    withdrawn_ground)."""
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
            **details,
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


def set_notice_withdrawn(
    store: Store, *, notice_id: int, withdrawn: dt.date, reason: str, ground: str | None = None
) -> None:
    _update(store, notice_id, withdrawn=withdrawn, withdrawn_reason=reason, withdrawn_ground=ground)


def set_notice_fields(store: Store, *, notice_id: int, **values: Any) -> None:
    """Change stored fields of a notice (prosecution, corrections): the caller audits it."""
    _update(store, notice_id, **values)


# ------------------------------------------------------------------ sessions and payments


@dataclass(frozen=True, slots=True)
class NoticeSession:
    notice_id: int
    session_date: dt.date
    session: str  # AM / PM
    mark: str


def insert_sessions(
    store: Store, *, notice_id: int, pupil_id: int, sessions: Sequence[tuple[dt.date, str, str]]
) -> list[int]:
    """The sessions a notice is for: (date, AM/PM, mark); returns the new rows' ids."""
    if not sessions:
        return []
    from sqlalchemy import insert, select

    from attendance_cli.db.models import PenaltyNoticeSession

    store.execute(
        insert(PenaltyNoticeSession.__table__),  # type: ignore[attr-defined]
        [
            {
                "notice_id": notice_id,
                "pupil_id": pupil_id,
                "session_date": day,
                "session": session,
                "mark": mark,
            }
            for day, session, mark in sessions
        ],
    )
    table = PenaltyNoticeSession.__table__  # type: ignore[attr-defined]
    rows = store.execute(
        select(table.c.id).where(table.c.notice_id == notice_id).order_by(table.c.id)
    )
    return [int(r[0]) for r in rows]


def notice_sessions(store: Store, notice_ids: Sequence[int]) -> dict[int, list[NoticeSession]]:
    """Per notice id: its sessions, by date and session (raw: see the module docstring)."""
    result: dict[int, list[NoticeSession]] = {}
    for part in chunked(sorted(set(notice_ids))):
        marks = ",".join("?" * len(part))
        rows = store.connection.execute(
            "SELECT notice_id, session_date, session, mark FROM penalty_notice_session "
            f"WHERE notice_id IN ({marks}) ORDER BY session_date, session",
            list(part),
        )
        for notice_id, day, session, mark in rows:
            session_date = to_date(day)
            assert session_date is not None
            result.setdefault(notice_id, []).append(
                NoticeSession(notice_id, session_date, session, mark)
            )
    return result


@dataclass(frozen=True, slots=True)
class Payment:
    id: int
    notice_id: int
    paid_on: dt.date
    amount_pence: int
    created_at: dt.datetime
    officer: str


def insert_payment(
    store: Store, *, notice_id: int, paid_on: dt.date, amount_pence: int, officer: str
) -> int:
    from sqlalchemy import insert

    from attendance_cli.db.models import PenaltyPayment

    result = store.execute(
        insert(PenaltyPayment.__table__).values(  # type: ignore[attr-defined]
            notice_id=notice_id,
            paid_on=paid_on,
            amount_pence=amount_pence,
            created_at=dt.datetime.now(dt.UTC),
            officer=officer,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def set_payment_date(store: Store, *, payment_id: int, paid_on: dt.date) -> None:
    from sqlalchemy import update

    from attendance_cli.db.models import PenaltyPayment

    table = PenaltyPayment.__table__  # type: ignore[attr-defined]
    store.execute(update(table).where(table.c.id == payment_id).values(paid_on=paid_on))


def payments(store: Store, notice_ids: Sequence[int]) -> dict[int, list[Payment]]:
    """Per notice id: its payments, oldest first (raw: see the module docstring)."""
    result: dict[int, list[Payment]] = {}
    for part in chunked(sorted(set(notice_ids))):
        marks = ",".join("?" * len(part))
        rows = store.connection.execute(
            "SELECT id, notice_id, paid_on, amount_pence, created_at, officer FROM penalty_payment "
            f"WHERE notice_id IN ({marks}) ORDER BY paid_on, id",
            list(part),
        )
        for payment_id, notice_id, paid_on, amount_pence, created_at, officer in rows:
            day, stamp = to_date(paid_on), to_datetime(created_at)
            assert day is not None and stamp is not None
            result.setdefault(notice_id, []).append(
                Payment(payment_id, notice_id, day, amount_pence, stamp, officer)
            )
    return result


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
