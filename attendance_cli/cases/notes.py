"""Case notes (free text, never edited or deleted)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from attendance_cli.cases.audit import record_audit
from attendance_cli.cases.case import casework_day, ensure_open_case, find_pupil
from attendance_cli.errors import InvalidInputError
from attendance_cli.store import cases as stored
from attendance_cli.store import transaction
from attendance_cli.store.cases import NoteRecord
from attendance_cli.store.connection import Store

if TYPE_CHECKING:
    from attendance_cli.store.database import Database

__all__ = ["NoteRecord", "add_note", "insert_note"]


def add_note(
    db: Database,
    *,
    upn: str,
    text: str,
    officer: str,
    on: dt.date | None = None,
    today: dt.date | None = None,
) -> NoteRecord:
    """Note what happened on ``on`` (default today)."""
    store = Store.of(db)
    pupil = find_pupil(store, upn)
    day = casework_day(on, today=today)
    if not text or not text.strip():
        raise InvalidInputError("The note is empty", hint="Give the note's text.")
    with transaction(store):
        case_id = ensure_open_case(store, pupil, officer, on=day)
        note = insert_note(store, case_id, text.strip(), officer, pupil.upn, on=day)
    return note


def insert_note(
    db: Database,
    case_id: int,
    text: str,
    officer: str,
    upn: str,
    *,
    on: dt.date | None = None,
) -> NoteRecord:
    """Insert a note (of ``on``, default today) inside the caller's transaction, with its
    audit entry."""
    store = Store.of(db)
    day = on or dt.date.today()
    note = stored.insert_note(store, case_id=case_id, text=text, officer=officer, on=day)
    record_audit(
        store,
        officer=officer,
        action="add_note",
        entity="note",
        entity_id=note.id,
        upn=upn,
        detail={"happened_on": day},
    )
    return note
