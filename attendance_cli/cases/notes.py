"""Case notes: free text, never deleted; a wrong note is corrected (UK GDPR art. 16,
rectification) with its original text kept.

``correct_note`` keeps the text replaced as a ``case_note_revision`` row (its own audit entry,
``keep_note_revision``) and puts the corrected text in the note (audit entry ``correct_note``,
whose detail records the SHA-256 of the old and the new text and the revision's id). The
original text is kept in a table, not in the audit log: the log can never be edited without
breaking its chain, so a later erasure (retention) can remove the revision row with a tombstone
entry, leaving only the hashes in the log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from attendance_cli.cases.audit import record_audit
from attendance_cli.cases.case import casework_day, ensure_open_case, find_pupil
from attendance_cli.errors import InvalidInputError, NotFoundError, RefusedError
from attendance_cli.store import cases as stored
from attendance_cli.store import transaction
from attendance_cli.store.cases import NoteRecord
from attendance_cli.store.connection import Store

__all__ = ["NoteCorrection", "NoteRecord", "add_note", "correct_note", "insert_note"]


def add_note(
    store: Store,
    *,
    upn: str,
    text: str,
    officer: str,
    on: dt.date | None = None,
    today: dt.date | None = None,
) -> NoteRecord:
    """Note what happened on ``on`` (default today)."""
    pupil = find_pupil(store, upn)
    day = casework_day(on, today=today)
    if not text or not text.strip():
        raise InvalidInputError("The note is empty", hint="Give the note's text.")
    with transaction(store):
        case_id = ensure_open_case(store, pupil, officer, on=day)
        note = insert_note(store, case_id, text.strip(), officer, pupil.upn, on=day)
    return note


def insert_note(
    store: Store,
    case_id: int,
    text: str,
    officer: str,
    upn: str,
    *,
    on: dt.date | None = None,
) -> NoteRecord:
    """Insert a note (of ``on``, default today) inside the caller's transaction, with its
    audit entry."""
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


@dataclass(frozen=True)
class NoteCorrection:
    note: NoteRecord  # as corrected
    upn: str
    revision_id: int  # the case_note_revision row holding the text replaced
    old_sha256: str
    new_sha256: str


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def correct_note(
    store: Store, *, note_id: int, text: str, officer: str, reason: str | None = None
) -> NoteCorrection:
    """Correct a note's text (rectification); the original is kept (module docstring)."""
    found = stored.get_note(store, note_id)
    if found is None:
        raise NotFoundError(
            f"No note with id {note_id}", hint="`att case show UPN` lists a pupil's notes."
        )
    new_text = (text or "").strip()
    if not new_text:
        raise InvalidInputError("The corrected note is empty", hint="Give --text TEXT.")
    if new_text == found.note.text:
        raise RefusedError(
            f"Note {note_id} already says that", hint="Give the corrected text with --text."
        )
    why = reason.strip() if reason and reason.strip() else None
    with transaction(store):
        revision_id = stored.correct_note_text(
            store, note_id=note_id, case_id=found.case_id, old_text=found.note.text,
            text=new_text, reason=why, officer=officer,
        )  # fmt: skip
        record_audit(
            store,
            officer=officer,
            action="keep_note_revision",
            entity="note_revision",
            entity_id=revision_id,
            upn=found.upn,
            detail={"note_id": note_id, "sha256": _sha256(found.note.text)},
        )
        record_audit(
            store,
            officer=officer,
            action="correct_note",
            entity="note",
            entity_id=note_id,
            upn=found.upn,
            detail={
                "old_sha256": _sha256(found.note.text),
                "new_sha256": _sha256(new_text),
                "revision_id": revision_id,
                "reason": why,
            },
        )
    corrected = stored.get_note(store, note_id)
    assert corrected is not None
    return NoteCorrection(
        corrected.note, found.upn, revision_id, _sha256(found.note.text), _sha256(new_text)
    )
