"""Schools' requests for penalty notices in the database (``penalty_request`` and its evidence,
``penalty_request_document``). The rules live in ``attendance_cli.cases.requests``.

Reads and writes are SQLAlchemy Core over ``db.models`` (these commands are not on a hot path);
writes run inside the caller's ``transaction``/``writing`` block.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from attendance_cli.store.connection import Store
from attendance_cli.store.conversions import timestamp_text, to_date


@dataclass(frozen=True)
class StoredRequest:
    id: int
    upn: str
    pupil_id: int
    school_id: int
    surname: str | None
    forename: str | None
    school_laestab: str
    school_name: str
    received_on: dt.date
    decide_by: dt.date
    period_from: dt.date
    period_to: dt.date
    sessions: int | None
    reason: str
    requested_by: str | None
    details: str | None
    decision: str | None
    decision_reason: str | None
    decided_on: dt.date | None
    decided_by: str | None
    penalty_notice_id: int | None
    outcome_text: str | None
    created_at: str
    officer: str
    document_ids: tuple[int, ...] = ()


def _tables() -> Any:
    from attendance_cli.db import models

    return models


def _date(value: Any) -> dt.date:
    day = to_date(value)
    assert day is not None
    return day


def _request(row: Any, documents: Sequence[int]) -> StoredRequest:
    created = row.created_at
    return StoredRequest(
        id=row.id,
        upn=row.upn,
        pupil_id=row.pupil_id,
        school_id=row.school_id,
        surname=row.surname,
        forename=row.forename,
        school_laestab=row.laestab,
        school_name=row.name,
        received_on=_date(row.received_on),
        decide_by=_date(row.decide_by),
        period_from=_date(row.period_from),
        period_to=_date(row.period_to),
        sessions=row.sessions,
        reason=row.reason,
        requested_by=row.requested_by,
        details=row.details,
        decision=row.decision,
        decision_reason=row.decision_reason,
        decided_on=to_date(row.decided_on),
        decided_by=row.decided_by,
        penalty_notice_id=row.penalty_notice_id,
        outcome_text=row.outcome_text,
        created_at=(
            timestamp_text(created) or "" if isinstance(created, dt.datetime) else str(created)
        ),
        officer=row.officer,
        document_ids=tuple(documents),
    )


def _select() -> Any:
    from sqlalchemy import select

    m = _tables()
    r, p, s = m.PenaltyRequest.__table__, m.Pupil.__table__, m.School.__table__
    return (
        select(r, p.c.upn, p.c.surname, p.c.forename, s.c.laestab, s.c.name)
        .join(p, p.c.id == r.c.pupil_id)
        .join(s, s.c.id == r.c.school_id)
    )


def _with_documents(store: Store, rows: Sequence[Any]) -> list[StoredRequest]:
    from sqlalchemy import select

    from attendance_cli.store.chunking import chunked

    links = _tables().PenaltyRequestDocument.__table__
    documents: dict[int, list[int]] = {}
    for part in chunked([row.id for row in rows]):
        found: Any = store.execute(
            select(links.c.request_id, links.c.document_id)
            .where(links.c.request_id.in_(list(part)))
            .order_by(links.c.request_id, links.c.document_id)
        )
        for request_id, document_id in found:
            documents.setdefault(request_id, []).append(document_id)
    return [_request(row, documents.get(row.id, [])) for row in rows]


def get_request(store: Store, request_id: int) -> StoredRequest | None:
    table = _tables().PenaltyRequest.__table__
    rows = store.execute(_select().where(table.c.id == request_id)).fetchall()
    found = _with_documents(store, rows)
    return found[0] if found else None


def list_requests(
    store: Store,
    *,
    decided: bool | None = None,
    school_id: int | None = None,
    pupil_id: int | None = None,
) -> list[StoredRequest]:
    """Requests by the date they were received, then id (``decided`` None: all)."""
    table = _tables().PenaltyRequest.__table__
    statement = _select()
    if decided is not None:
        statement = statement.where(
            table.c.decision.is_not(None) if decided else table.c.decision.is_(None)
        )
    if school_id is not None:
        statement = statement.where(table.c.school_id == school_id)
    if pupil_id is not None:
        statement = statement.where(table.c.pupil_id == pupil_id)
    statement = statement.order_by(table.c.received_on, table.c.id)
    return _with_documents(store, store.execute(statement).fetchall())


def insert_request(
    store: Store,
    *,
    pupil_id: int,
    school_id: int,
    received_on: dt.date,
    decide_by: dt.date,
    period_from: dt.date,
    period_to: dt.date,
    sessions: int | None,
    reason: str,
    requested_by: str | None,
    details: str | None,
    officer: str,
) -> int:
    from sqlalchemy import insert

    result = store.execute(
        insert(_tables().PenaltyRequest.__table__).values(
            pupil_id=pupil_id,
            school_id=school_id,
            received_on=received_on,
            decide_by=decide_by,
            period_from=period_from,
            period_to=period_to,
            sessions=sessions,
            reason=reason,
            requested_by=requested_by,
            details=details,
            created_at=dt.datetime.now(dt.UTC),
            officer=officer,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def link_document(store: Store, *, request_id: int, document_id: int) -> None:
    from sqlalchemy import insert

    store.execute(
        insert(_tables().PenaltyRequestDocument.__table__).values(
            request_id=request_id, document_id=document_id
        )
    )


def set_decision(
    store: Store,
    *,
    request_id: int,
    decision: str,
    reason: str | None,
    on: dt.date,
    decided_by: str,
    notice_id: int | None,
    outcome_text: str,
) -> None:
    from sqlalchemy import update

    table = _tables().PenaltyRequest.__table__
    store.execute(
        update(table)
        .where(table.c.id == request_id)
        .values(
            decision=decision,
            decision_reason=reason,
            decided_on=on,
            decided_by=decided_by,
            penalty_notice_id=notice_id,
            outcome_text=outcome_text,
        )
    )
