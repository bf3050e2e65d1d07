"""A pupil's case: finding the pupil, the open case, closing and reopening it.

A case belongs to a pupil and follows them across schools. Nothing is deleted: a case closes
with an outcome and may be reopened. Every change runs in one transaction with its audit entry
(``cases.audit``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attendance_cli.cases.audit import record_audit
from attendance_cli.errors import InvalidInputError, NotFoundError, RefusedError
from attendance_cli.store import cases as stored
from attendance_cli.store import registers as store_registers
from attendance_cli.store import transaction
from attendance_cli.store.cases import CaseState
from attendance_cli.store.connection import Store
from attendance_cli.store.registers import Pupil

if TYPE_CHECKING:
    from attendance_cli.store.database import Database

__all__ = [
    "CaseState",
    "Pupil",
    "case_state",
    "close_case",
    "ensure_open_case",
    "find_pupil",
    "latest_case",
    "open_case",
    "reopen_case",
]


def find_pupil(db: Database, upn: str) -> Pupil:
    """The pupil with this UPN (``store.registers.find_pupil``: NotFoundError if none)."""
    return store_registers.find_pupil(Store.of(db), upn)


def open_case(db: Database, pupil_id: int) -> int | None:
    return stored.open_case_id(Store.of(db), pupil_id)


def latest_case(db: Database, pupil_id: int) -> int | None:
    """The open case, else the most recent closed one."""
    return stored.latest_case_id(Store.of(db), pupil_id)


def ensure_open_case(db: Database, pupil: Pupil, officer: str) -> int:
    """The pupil's open case, opened (and audited) if there is none; inside the caller's
    transaction."""
    store = Store.of(db)
    case_id = stored.open_case_id(store, pupil.id)
    if case_id is not None:
        return case_id
    case_id = stored.insert_case(store, pupil_id=pupil.id, officer=officer)
    record_audit(
        store, officer=officer, action="open_case", entity="case", entity_id=case_id, upn=pupil.upn
    )
    return case_id


def case_state(db: Database, case_id: int) -> CaseState:
    state = stored.get_case(Store.of(db), case_id)
    if state is None:
        raise NotFoundError(f"No case with id {case_id}")
    return state


def close_case(db: Database, *, upn: str, outcome: str, officer: str) -> CaseState:
    store = Store.of(db)
    pupil = find_pupil(store, upn)
    if not outcome or not outcome.strip():
        raise InvalidInputError("Say how the case ended", hint="Give --outcome TEXT.")
    case_id = stored.open_case_id(store, pupil.id)
    if case_id is None:
        raise RefusedError(
            f"{pupil.upn} has no open case to close",
            hint="`att case show UPN` shows the case history.",
        )
    with transaction(store):
        stored.set_case_closed(store, case_id=case_id, outcome=outcome.strip())
        record_audit(
            store,
            officer=officer,
            action="close_case",
            entity="case",
            entity_id=case_id,
            upn=pupil.upn,
            detail={"outcome": outcome.strip()},
        )
    return case_state(store, case_id)


def reopen_case(db: Database, *, upn: str, officer: str) -> CaseState:
    store = Store.of(db)
    pupil = find_pupil(store, upn)
    if stored.open_case_id(store, pupil.id) is not None:
        raise RefusedError(f"{pupil.upn} already has an open case")
    last = stored.last_case(store, pupil.id)
    if last is None:
        raise NotFoundError(
            f"{pupil.upn} has no case to reopen", hint="Adding an action or a lead opens a case."
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
            detail={"previous_outcome": last.outcome},
        )
    return case_state(store, last.id)
