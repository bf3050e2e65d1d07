"""A pupil's case: finding the pupil, the open case, closing and reopening it.

A case belongs to a pupil and follows them across schools. Nothing is deleted: a case closes
with an outcome and may be reopened. Every change runs in one transaction with its audit entry
(``cases.audit``).

Casework is dated as it happened (``--on``, :func:`casework_day`), beside the time att recorded
it (each row's ``*_at`` and its audit entry's ``at``; the entry's detail holds ``happened_on``).
The rules for that date:

* never in the future; default today;
* an action, lead, note or document may be dated before its case was opened (work and letters
  often come before the LA opens a case file): the new case opens on that day, and an open
  case opened later moves its opening back to that day (``opened_on_was`` in the audit detail),
  so a chronology never shows work in a case before the case was opened;
* a case cannot be closed before it was opened or last reopened, nor reopened before the day
  it was closed: those dates make no sense.
"""

from __future__ import annotations

import datetime as dt

from attendance_cli.cases.audit import record_audit
from attendance_cli.errors import InvalidInputError, NotFoundError, RefusedError
from attendance_cli.store import cases as stored
from attendance_cli.store import registers as store_registers
from attendance_cli.store import transaction
from attendance_cli.store.cases import CaseState
from attendance_cli.store.connection import Store
from attendance_cli.store.registers import Pupil

__all__ = [
    "CaseState",
    "Pupil",
    "case_state",
    "casework_day",
    "close_case",
    "ensure_open_case",
    "find_pupil",
    "latest_case",
    "open_case",
    "reopen_case",
]


def find_pupil(db: Store, upn: str) -> Pupil:
    """The pupil with this UPN (``store.registers.find_pupil``: NotFoundError if none)."""
    return store_registers.find_pupil(db, upn)


def open_case(db: Store, pupil_id: int) -> int | None:
    return stored.open_case_id(db, pupil_id)


def latest_case(db: Store, pupil_id: int) -> int | None:
    """The open case, else the most recent closed one."""
    return stored.latest_case_id(db, pupil_id)


def casework_day(
    on: dt.date | None, *, today: dt.date | None = None, option: str = "--on"
) -> dt.date:
    """The day a piece of casework happened: ``on``, default today; never in the future."""
    today = today or dt.date.today()
    if on is None:
        return today
    if on > today:
        from attendance_cli.text import uk_date

        raise InvalidInputError(
            f"The date {uk_date(on)} is in the future",
            hint=f"Record casework once it has happened; {option} takes the day it happened "
            "(default today).",
        )
    return on


def ensure_open_case(store: Store, pupil: Pupil, officer: str, *, on: dt.date | None = None) -> int:
    """The pupil's open case, opened (and audited) if there is none, on ``on`` (the day of the
    event that opens it; default today); inside the caller's transaction. An open case opened
    after ``on`` moves its opening back to ``on``, audited."""
    day = on or dt.date.today()
    case_id = stored.open_case_id(store, pupil.id)
    if case_id is not None:
        state = stored.get_case(store, case_id)
        if state is not None and state.opened_on is not None and day < state.opened_on:
            stored.set_case_opened_on(store, case_id=case_id, on=day)
            record_audit(
                store,
                officer=officer,
                action="case_opened_on",
                entity="case",
                entity_id=case_id,
                upn=pupil.upn,
                detail={"happened_on": day, "opened_on_was": state.opened_on},
            )
        return case_id
    case_id = stored.insert_case(store, pupil_id=pupil.id, officer=officer, on=day)
    record_audit(
        store,
        officer=officer,
        action="open_case",
        entity="case",
        entity_id=case_id,
        upn=pupil.upn,
        detail={"happened_on": day},
    )
    return case_id


def _last_reopened(db: Store, upn: str, case_id: int) -> dt.date | None:
    from attendance_cli.cases.audit import list_audit

    days = [
        dt.date.fromisoformat(str(e.detail["happened_on"])[:10])
        for e in list_audit(db, upn=upn)
        if e.action == "reopen_case" and e.entity_id == case_id and e.detail.get("happened_on")
    ]
    return max(days) if days else None


def case_state(db: Store, case_id: int) -> CaseState:
    state = stored.get_case(db, case_id)
    if state is None:
        raise NotFoundError(f"No case with id {case_id}")
    return state


def close_case(
    store: Store,
    *,
    upn: str,
    outcome: str,
    officer: str,
    on: dt.date | None = None,
    today: dt.date | None = None,
) -> CaseState:
    from attendance_cli.text import uk_date

    pupil = find_pupil(store, upn)
    day = casework_day(on, today=today)
    if not outcome or not outcome.strip():
        raise InvalidInputError("Say how the case ended", hint="Give --outcome TEXT.")
    case_id = stored.open_case_id(store, pupil.id)
    if case_id is None:
        raise RefusedError(
            f"{pupil.upn} has no open case to close",
            hint="`att case show UPN` shows the case history.",
        )
    state = case_state(store, case_id)
    reopened = _last_reopened(store, pupil.upn, case_id)
    for since, what in ((state.opened_on, "opened"), (reopened, "last reopened")):
        if since is not None and day < since:
            raise InvalidInputError(
                f"The case of {pupil.upn} was {what} on {uk_date(since)}: it cannot be closed "
                f"on {uk_date(day)}",
                hint=f"Give --on a date on or after {uk_date(since)}.",
            )
    with transaction(store):
        stored.set_case_closed(store, case_id=case_id, outcome=outcome.strip(), on=day)
        record_audit(
            store,
            officer=officer,
            action="close_case",
            entity="case",
            entity_id=case_id,
            upn=pupil.upn,
            detail={"outcome": outcome.strip(), "happened_on": day},
        )
    return case_state(store, case_id)


def reopen_case(
    store: Store,
    *,
    upn: str,
    officer: str,
    on: dt.date | None = None,
    today: dt.date | None = None,
) -> CaseState:
    from attendance_cli.text import uk_date

    pupil = find_pupil(store, upn)
    day = casework_day(on, today=today)
    if stored.open_case_id(store, pupil.id) is not None:
        raise RefusedError(f"{pupil.upn} already has an open case")
    last = stored.last_case(store, pupil.id)
    if last is None:
        raise NotFoundError(
            f"{pupil.upn} has no case to reopen", hint="Adding an action or a lead opens a case."
        )
    if last.closed_on is not None and day < last.closed_on:
        raise InvalidInputError(
            f"The case of {pupil.upn} was closed on {uk_date(last.closed_on)}: it cannot be "
            f"reopened on {uk_date(day)}",
            hint=f"Give --on a date on or after {uk_date(last.closed_on)}.",
        )
    with transaction(store):
        stored.set_case_reopened(store, case_id=last.id)
        record_audit(
            store,
            officer=officer,
            action="reopen_case",
            entity="case",
            entity_id=last.id,
            upn=pupil.upn,
            detail={"previous_outcome": last.outcome, "happened_on": day},
        )
    return case_state(store, last.id)
