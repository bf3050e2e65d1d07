"""Case notes (free text, never edited or deleted)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from attendance_cli.cases.audit import record_audit
from attendance_cli.cases.case import ensure_open_case, find_pupil
from attendance_cli.errors import InvalidInputError
from attendance_cli.store import cases as stored
from attendance_cli.store import transaction
from attendance_cli.store.cases import NoteRecord
from attendance_cli.store.connection import Store

if TYPE_CHECKING:
    from attendance_cli.store.database import Database

__all__ = ["NoteRecord", "add_note", "insert_note"]


def add_note(db: Database, *, upn: str, text: str, officer: str) -> NoteRecord:
    store = Store.of(db)
    pupil = find_pupil(store, upn)
    if not text or not text.strip():
        raise InvalidInputError("The note is empty", hint="Give the note's text.")
    with transaction(store):
        case_id = ensure_open_case(store, pupil, officer)
        note = insert_note(store, case_id, text.strip(), officer, pupil.upn)
    return note


def insert_note(db: Database, case_id: int, text: str, officer: str, upn: str) -> NoteRecord:
    """Insert a note inside the caller's transaction, with its audit entry."""
    store = Store.of(db)
    note = stored.insert_note(store, case_id=case_id, text=text, officer=officer)
    record_audit(
        store, officer=officer, action="add_note", entity="note", entity_id=note.id, upn=upn
    )
    return note
