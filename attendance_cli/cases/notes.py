"""Case notes (free text, never edited or deleted)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from attendance_cli.cases.audit import record_audit
from attendance_cli.cases.case import ensure_open_case, find_pupil
from attendance_cli.db.engine import transaction
from attendance_cli.errors import InvalidInputError
from attendance_cli.registers.store import now_text


@dataclass
class NoteRecord:
    id: int
    text: str
    created_at: str
    officer: str


def add_note(conn: sqlite3.Connection, *, upn: str, text: str, officer: str) -> NoteRecord:
    pupil = find_pupil(conn, upn)
    if not text or not text.strip():
        raise InvalidInputError("The note is empty", hint="Give the note's text.")
    with transaction(conn):
        case_id = ensure_open_case(conn, pupil, officer)
        note_id, stamp = insert_note(conn, case_id, text.strip(), officer, pupil.upn)
    return NoteRecord(note_id, text.strip(), stamp, officer)


def insert_note(
    conn: sqlite3.Connection, case_id: int, text: str, officer: str, upn: str
) -> tuple[int, str]:
    """Insert a note inside the caller's transaction, with its audit entry."""
    stamp = now_text()
    cursor = conn.execute(
        "INSERT INTO case_note (case_id, text, created_at, officer) VALUES (?, ?, ?, ?)",
        (case_id, text, stamp, officer),
    )
    note_id = int(cursor.lastrowid or 0)
    record_audit(
        conn, officer=officer, action="add_note", entity="note", entity_id=note_id, upn=upn
    )
    return note_id, stamp
