"""Casework in the database: cases, actions, lead practitioners, notes, meetings, documents.

Reads return typed records; the rules (which status is overdue, what may be recorded) live in
``attendance_cli.cases``. Writes are SQLAlchemy Core over ``db.models`` and run inside the
caller's ``transaction``/``writing`` block (``attendance_cli.store``).

Reads are raw sqlite3 on ``store.connection``: they are on the paths of ``att case show``,
``att case list``, ``att pupil show`` and ``att tsm prepare`` (casework summaries), whose targets
(0.4 s, 0.3 s, 0.5 s wall with start-up) cannot pay for importing SQLAlchemy and the models,
measured at 0.27 s and 0.50 s wall (``python -c "import attendance_cli.db.models"``, this host).

Timestamps stay in records as the stored text (``YYYY-MM-DD HH:MM:SS.ffffff``, UTC), the form
the JSON output has always printed; dates are ``dt.date``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from attendance_cli.store.chunking import chunked
from attendance_cli.store.connection import Store
from attendance_cli.store.conversions import date_text, timestamp_text, to_date


def _now() -> dt.datetime:
    """The current time, aware UTC (the models' DateTime columns refuse naive values)."""
    return dt.datetime.now(dt.UTC)


def _insert(store: Store, table: Any, **values: Any) -> int:
    from sqlalchemy import insert

    result = store.execute(insert(table).values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _models() -> Any:
    from attendance_cli.db import models

    return models


def _today(on: dt.date | None) -> dt.date:
    """The day a casework row happened: given by the caller (``--on``), else today (local)."""
    return on or dt.date.today()


def _day(value: Any, stamp: Any) -> dt.date:
    """A stored happened-on date; a row written without one (0007 backfills every row that
    existed) falls back to the UTC date of when it was recorded."""
    return to_date(value) or to_date(stamp) or dt.date.min


# ------------------------------------------------------------------------------------ cases


@dataclass(frozen=True, slots=True)
class CaseState:
    id: int
    upn: str
    status: str  # open or closed
    opened_at: str
    closed_at: str | None
    outcome: str | None
    opened_on: dt.date | None = None  # the day it was opened (its first event happened)
    closed_on: dt.date | None = None


def open_case_id(store: Store, pupil_id: int) -> int | None:
    row = store.connection.execute(
        "SELECT id FROM pupil_case WHERE pupil_id = ? AND status = 'open' ORDER BY id DESC LIMIT 1",
        (pupil_id,),
    ).fetchone()
    return row[0] if row else None


def latest_case_id(store: Store, pupil_id: int) -> int | None:
    """The open case, else the most recent closed one."""
    row = store.connection.execute(
        "SELECT id FROM pupil_case WHERE pupil_id = ? "
        "ORDER BY status = 'open' DESC, id DESC LIMIT 1",
        (pupil_id,),
    ).fetchone()
    return row[0] if row else None


_CASE_SQL = (
    "SELECT c.id, p.upn, c.status, c.opened_at, c.closed_at, c.outcome, c.opened_on, "
    "c.closed_on FROM pupil_case c JOIN pupil p ON p.id = c.pupil_id"
)


def _case(row: Sequence[Any]) -> CaseState:
    return CaseState(
        id=row[0],
        upn=row[1],
        status=row[2],
        opened_at=row[3],
        closed_at=row[4],
        outcome=row[5],
        opened_on=_day(row[6], row[3]),
        closed_on=_day(row[7], row[4]) if row[4] or row[7] else None,
    )


def get_case(store: Store, case_id: int) -> CaseState | None:
    row = store.connection.execute(_CASE_SQL + " WHERE c.id = ?", (case_id,)).fetchone()
    return _case(row) if row else None


def last_case(store: Store, pupil_id: int) -> CaseState | None:
    """The pupil's most recently opened case, open or closed."""
    row = store.connection.execute(
        _CASE_SQL + " WHERE c.pupil_id = ? ORDER BY c.id DESC LIMIT 1", (pupil_id,)
    ).fetchone()
    return _case(row) if row else None


def insert_case(store: Store, *, pupil_id: int, officer: str, on: dt.date | None = None) -> int:
    m = _models()
    return _insert(
        store,
        m.PupilCase.__table__,
        pupil_id=pupil_id,
        status="open",
        opened_at=_now(),
        opened_by=officer,
        opened_on=_today(on),
    )


def set_case_closed(store: Store, *, case_id: int, outcome: str, on: dt.date | None = None) -> None:
    from sqlalchemy import update

    table = _models().PupilCase.__table__
    store.execute(
        update(table)
        .where(table.c.id == case_id)
        .values(status="closed", closed_at=_now(), closed_on=_today(on), outcome=outcome)
    )


def set_case_opened_on(store: Store, *, case_id: int, on: dt.date) -> None:
    from sqlalchemy import update

    table = _models().PupilCase.__table__
    store.execute(update(table).where(table.c.id == case_id).values(opened_on=on))


def cases_of_pupil(store: Store, pupil_id: int) -> list[CaseState]:
    """Every case of the pupil, oldest first."""
    rows = store.connection.execute(_CASE_SQL + " WHERE c.pupil_id = ? ORDER BY c.id", (pupil_id,))
    return [_case(r) for r in rows]


def set_case_reopened(store: Store, *, case_id: int) -> None:
    from sqlalchemy import update

    table = _models().PupilCase.__table__
    store.execute(
        update(table)
        .where(table.c.id == case_id)
        .values(status="open", closed_at=None, closed_on=None, outcome=None)
    )


# ---------------------------------------------------------------------------------- actions


@dataclass(frozen=True, slots=True)
class ActionRecord:
    id: int
    upn: str
    case_id: int
    tier: str
    kind: str
    action: str
    owner: str | None
    agency: str | None
    due: dt.date | None
    status: str  # agreed, done, cancelled; ``cases.actions`` derives overdue
    outcome: str | None
    meeting_id: int | None
    created_at: str
    completed_at: str | None
    officer: str
    penalty_notice_id: int | None = None  # the notice an action of kind "penalty notice" tracks
    agreed_on: dt.date = dt.date.min  # the day it was agreed (its meeting's, or --on)
    ended_on: dt.date | None = None  # the day it was done or cancelled


_ACTION_SQL = (
    "SELECT a.id, p.upn, a.case_id, a.tier, a.kind, a.description, a.owner, a.agency, a.due, "
    "a.status, a.outcome, a.meeting_id, a.created_at, a.completed_at, a.officer, "
    "a.penalty_notice_id, a.agreed_on, a.ended_on FROM case_action a "
    "JOIN pupil_case c ON c.id = a.case_id JOIN pupil p ON p.id = c.pupil_id"
)


def _action(row: Sequence[Any]) -> ActionRecord:
    return ActionRecord(
        id=row[0],
        upn=row[1],
        case_id=row[2],
        tier=row[3],
        kind=row[4],
        action=row[5],
        owner=row[6],
        agency=row[7],
        due=to_date(row[8]),
        status=row[9],
        outcome=row[10],
        meeting_id=row[11],
        created_at=row[12],
        completed_at=row[13],
        officer=row[14],
        penalty_notice_id=row[15],
        agreed_on=_day(row[16], row[12]),
        ended_on=_day(row[17], row[13]) if row[13] or row[17] else None,
    )


def get_action(store: Store, action_id: int) -> ActionRecord | None:
    row = store.connection.execute(_ACTION_SQL + " WHERE a.id = ?", (action_id,)).fetchone()
    return _action(row) if row else None


def actions_of_case(store: Store, case_id: int) -> list[ActionRecord]:
    rows = store.connection.execute(_ACTION_SQL + " WHERE a.case_id = ? ORDER BY a.id", (case_id,))
    return [_action(r) for r in rows]


def actions_of_pupil(store: Store, pupil_id: int) -> list[ActionRecord]:
    rows = store.connection.execute(
        _ACTION_SQL + " WHERE c.pupil_id = ? ORDER BY a.id", (pupil_id,)
    )
    return [_action(r) for r in rows]


def insert_action(
    store: Store,
    *,
    case_id: int,
    tier: str,
    kind: str,
    description: str,
    owner: str | None,
    agency: str | None,
    due: dt.date | None,
    meeting_id: int | None,
    officer: str,
    on: dt.date | None = None,
    penalty_notice_id: int | None = None,
) -> int:
    return _insert(
        store,
        _models().CaseAction.__table__,
        case_id=case_id,
        tier=tier,
        kind=kind,
        description=description,
        owner=owner,
        agency=agency,
        due=due,
        status="agreed",
        meeting_id=meeting_id,
        created_at=_now(),
        officer=officer,
        penalty_notice_id=penalty_notice_id,
        agreed_on=_today(on),
    )


def set_action_ended(
    store: Store, *, action_id: int, status: str, outcome: str, on: dt.date | None = None
) -> None:
    from sqlalchemy import update

    table = _models().CaseAction.__table__
    store.execute(
        update(table)
        .where(table.c.id == action_id)
        .values(status=status, outcome=outcome, completed_at=_now(), ended_on=_today(on))
    )


def agreed_action_of_notice(store: Store, notice_id: int) -> int | None:
    """The first action still agreed that tracks penalty notice ``notice_id``."""
    row = store.connection.execute(
        "SELECT id FROM case_action WHERE penalty_notice_id = ? AND status = 'agreed' "
        "ORDER BY id LIMIT 1",
        (notice_id,),
    ).fetchone()
    return row[0] if row else None


def same_action_exists(
    store: Store,
    *,
    case_id: int,
    meeting_id: int,
    kind: str,
    description: str,
    due: dt.date | None,
    owner: str | None,
    agency: str | None,
) -> bool:
    """Whether this exact action was already recorded in this case from this meeting."""
    return (
        store.connection.execute(
            "SELECT 1 FROM case_action WHERE case_id = ? AND meeting_id = ? AND kind = ? AND "
            "description = ? AND due IS ? AND owner IS ? AND agency IS ?",
            (case_id, meeting_id, kind, description, date_text(due), owner, agency),
        ).fetchone()
        is not None
    )


# ------------------------------------------------------------------------- leads and notes


@dataclass(frozen=True, slots=True)
class LeadRecord:
    name: str
    agency: str
    role: str | None
    contact: str | None
    set_at: str
    officer: str
    id: int = 0
    case_id: int = 0
    set_on: dt.date | None = None  # the day they took the lead (--on); set_at: recorded


_LEAD_SQL = (
    "SELECT l.name, l.agency, l.role, l.contact, l.set_at, l.officer, l.id, l.case_id, "
    "l.set_on FROM lead_practitioner l"
)


def _lead(row: Sequence[Any]) -> LeadRecord:
    return LeadRecord(
        name=row[0],
        agency=row[1],
        role=row[2],
        contact=row[3],
        set_at=row[4],
        officer=row[5],
        id=row[6],
        case_id=row[7],
        set_on=_day(row[8], row[4]),
    )


def current_lead(store: Store, case_id: int) -> LeadRecord | None:
    row = store.connection.execute(
        _LEAD_SQL + " WHERE l.case_id = ? ORDER BY l.id DESC LIMIT 1", (case_id,)
    ).fetchone()
    return _lead(row) if row else None


def leads_of_pupil(store: Store, pupil_id: int) -> list[LeadRecord]:
    """Every lead of every case of the pupil, oldest first."""
    rows = store.connection.execute(
        _LEAD_SQL + " JOIN pupil_case c ON c.id = l.case_id WHERE c.pupil_id = ? ORDER BY l.id",
        (pupil_id,),
    )
    return [_lead(r) for r in rows]


def insert_lead(
    store: Store,
    *,
    case_id: int,
    name: str,
    agency: str,
    role: str | None,
    contact: str | None,
    officer: str,
    on: dt.date | None = None,
) -> int:
    return _insert(
        store,
        _models().LeadPractitioner.__table__,
        case_id=case_id,
        name=name,
        agency=agency,
        role=role,
        contact=contact,
        set_at=_now(),
        officer=officer,
        set_on=_today(on),
    )


@dataclass(frozen=True, slots=True)
class NoteRecord:
    id: int
    text: str
    created_at: str
    officer: str
    happened_on: dt.date = dt.date.min  # the day of what it records (--on)
    corrected_at: str | None = None  # set when the text was corrected (the old one is kept)


def insert_note(
    store: Store, *, case_id: int, text: str, officer: str, on: dt.date | None = None
) -> NoteRecord:
    stamp = _now()
    note_id = _insert(
        store,
        _models().CaseNote.__table__,
        case_id=case_id,
        text=text,
        created_at=stamp,
        officer=officer,
        happened_on=_today(on),
    )
    return NoteRecord(note_id, text, timestamp_text(stamp) or "", officer, _today(on))


def notes_of_pupil(store: Store, pupil_id: int) -> list[NoteRecord]:
    rows = store.connection.execute(
        "SELECT n.id, n.text, n.created_at, n.officer, n.happened_on, n.corrected_at "
        "FROM case_note n JOIN pupil_case c ON c.id = n.case_id WHERE c.pupil_id = ? ORDER BY n.id",
        (pupil_id,),
    )
    return [NoteRecord(r[0], r[1], r[2], r[3], _day(r[4], r[2]), r[5]) for r in rows]


@dataclass(frozen=True, slots=True)
class NoteOfCase:
    note: NoteRecord
    case_id: int
    upn: str


def get_note(store: Store, note_id: int) -> NoteOfCase | None:
    from sqlalchemy import select

    m = _models()
    note, case, pupil = m.CaseNote.__table__, m.PupilCase.__table__, m.Pupil.__table__
    row = store.execute(
        select(note.c.id, note.c.text, note.c.created_at, note.c.officer, note.c.corrected_at,
               note.c.case_id, pupil.c.upn, note.c.happened_on)
        .join(case, case.c.id == note.c.case_id)
        .join(pupil, pupil.c.id == case.c.pupil_id)
        .where(note.c.id == note_id)
    ).first()  # fmt: skip
    if row is None:
        return None
    r: tuple[Any, ...] = tuple(row)
    stamp = timestamp_text(r[2]) or ""
    record = NoteRecord(
        r[0], r[1], stamp, r[3], _day(r[7], stamp), corrected_at=timestamp_text(r[4])
    )
    return NoteOfCase(record, r[5], r[6])


def correct_note_text(
    store: Store,
    *,
    note_id: int,
    case_id: int,
    old_text: str,
    text: str,
    reason: str | None,
    officer: str,
) -> int:
    """Keep the old text as a ``case_note_revision`` row and put the corrected text in the
    note; returns the revision's id (inside the caller's transaction)."""
    from sqlalchemy import update

    m = _models()
    stamp = _now()
    revision_id = _insert(
        store, m.CaseNoteRevision.__table__, note_id=note_id, case_id=case_id, text=old_text,
        reason=reason, replaced_at=stamp, officer=officer,
    )  # fmt: skip
    note = m.CaseNote.__table__
    store.execute(update(note).where(note.c.id == note_id).values(text=text, corrected_at=stamp))
    return revision_id


def note_exists(store: Store, *, case_id: int, text: str) -> bool:
    return (
        store.connection.execute(
            "SELECT 1 FROM case_note WHERE case_id = ? AND text = ?", (case_id, text)
        ).fetchone()
        is not None
    )


# -------------------------------------------------------------------------------- documents


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A case document's record (its bytes are in the document store, named by ``sha256``)."""

    id: int
    kind: str
    file_name: str
    sha256: str
    bytes: int
    document_date: dt.date | None
    description: str | None
    created_at: str
    officer: str
    happened_on: dt.date = dt.date.min  # the day it was received or sent (--on)
    withdrawn_at: str | None = None  # withdrawn documents are kept but go in no new bundle
    withdrawn_reason: str | None = None


def insert_document(
    store: Store,
    *,
    case_id: int,
    kind: str,
    file_name: str,
    sha256: str,
    size: int,
    document_date: dt.date | None,
    description: str | None,
    officer: str,
    on: dt.date | None = None,
) -> StoredDocument:
    stamp = _now()
    document_id = _insert(
        store,
        _models().CaseDocument.__table__,
        case_id=case_id,
        kind=kind,
        file_name=file_name,
        sha256=sha256,
        bytes=size,
        document_date=document_date,
        description=description,
        created_at=stamp,
        officer=officer,
        happened_on=_today(on),
    )
    return StoredDocument(
        document_id,
        kind,
        file_name,
        sha256,
        size,
        document_date,
        description,
        timestamp_text(stamp) or "",
        officer,
        _today(on),
    )


def documents_of_pupil(store: Store, pupil_id: int) -> list[StoredDocument]:
    rows = store.connection.execute(
        "SELECT d.id, d.kind, d.file_name, d.sha256, d.bytes, d.document_date, d.description, "
        "d.created_at, d.officer, d.happened_on, d.withdrawn_at, d.withdrawn_reason "
        "FROM case_document d "
        "JOIN pupil_case c ON c.id = d.case_id WHERE c.pupil_id = ? ORDER BY d.id",
        (pupil_id,),
    )
    return [
        StoredDocument(
            r[0], r[1], r[2], r[3], r[4], to_date(r[5]), r[6], r[7], r[8], _day(r[9], r[7]),
            r[10], r[11],
        )
        for r in rows
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class DocumentOfCase:
    document: StoredDocument
    case_id: int
    upn: str


def _documents_where(store: Store, condition: Any) -> list[DocumentOfCase]:
    from sqlalchemy import select

    m = _models()
    doc, case, pupil = m.CaseDocument.__table__, m.PupilCase.__table__, m.Pupil.__table__
    rows = store.execute(
        select(doc.c.id, doc.c.kind, doc.c.file_name, doc.c.sha256, doc.c.bytes,
               doc.c.document_date, doc.c.description, doc.c.created_at, doc.c.officer,
               doc.c.withdrawn_at, doc.c.withdrawn_reason, doc.c.case_id, pupil.c.upn,
               doc.c.happened_on)
        .join(case, case.c.id == doc.c.case_id)
        .join(pupil, pupil.c.id == case.c.pupil_id)
        .where(condition)
        .order_by(doc.c.id)
    )  # fmt: skip
    return [
        DocumentOfCase(
            StoredDocument(
                r[0], r[1], r[2], r[3], r[4], to_date(r[5]), r[6], timestamp_text(r[7]) or "",
                r[8], _day(r[13], r[7]), timestamp_text(r[9]), r[10],
            ),
            r[11],
            r[12],
        )
        for r in map(tuple, rows)
    ]  # fmt: skip


def get_document(store: Store, document_id: int) -> DocumentOfCase | None:
    found = _documents_where(store, _models().CaseDocument.__table__.c.id == document_id)
    return found[0] if found else None


def documents_with_sha256(store: Store, sha256: str) -> list[DocumentOfCase]:
    """Every document (of any case) whose bytes are the stored file ``sha256``."""
    return _documents_where(store, _models().CaseDocument.__table__.c.sha256 == sha256)


def set_document_withdrawn(store: Store, *, document_id: int, reason: str, officer: str) -> None:
    from sqlalchemy import update

    doc = _models().CaseDocument.__table__
    store.execute(
        update(doc)
        .where(doc.c.id == document_id)
        .values(withdrawn_at=_now(), withdrawn_reason=reason, withdrawn_by=officer)
    )


# --------------------------------------------------------------------------------- meetings


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    id: int
    school_laestab: str
    school_name: str
    date: dt.date
    kind: str
    attendees: list[str]


def meeting_exists(store: Store, meeting_id: int) -> bool:
    return (
        store.connection.execute("SELECT 1 FROM meeting WHERE id = ?", (meeting_id,)).fetchone()
        is not None
    )


def meetings(store: Store, meeting_ids: Iterable[int]) -> list[MeetingRecord]:
    """The meetings with these ids, by id."""
    ids = sorted(set(meeting_ids))
    found: list[MeetingRecord] = []
    for part in chunked(ids):
        marks = ",".join("?" * len(part))
        found += [
            MeetingRecord(r[0], r[4], r[5], to_date(r[1]) or dt.date.min, r[2], json.loads(r[3]))
            for r in store.connection.execute(
                "SELECT m.id, m.date, m.kind, m.attendees, s.laestab, s.name FROM meeting m "
                f"JOIN school s ON s.id = m.school_id WHERE m.id IN ({marks})",
                list(part),
            )
        ]
    return sorted(found, key=lambda m: m.id)


def tsm_meeting_on(store: Store, *, school_id: int, date: dt.date) -> int | None:
    """The first TSM recorded with this school on this date."""
    row = store.connection.execute(
        "SELECT id FROM meeting WHERE school_id = ? AND date = ? AND kind = 'tsm' "
        "ORDER BY id LIMIT 1",
        (school_id, date_text(date)),
    ).fetchone()
    return row[0] if row else None


def latest_tsm_meeting(store: Store, school_id: int) -> tuple[int, dt.date] | None:
    """The id and date of the school's most recent Targeting Support Meeting."""
    row = store.connection.execute(
        "SELECT id, date FROM meeting WHERE school_id = ? AND kind = 'tsm' "
        "ORDER BY date DESC, id DESC LIMIT 1",
        (school_id,),
    ).fetchone()
    return (row[0], to_date(row[1]) or dt.date.min) if row else None


def insert_meeting(
    store: Store,
    *,
    school_id: int,
    date: dt.date,
    kind: str,
    attendees: list[str],
    officer: str,
) -> int:
    return _insert(
        store,
        _models().Meeting.__table__,
        school_id=school_id,
        date=date,
        kind=kind,
        attendees=json.dumps(attendees),
        created_at=_now(),
        officer=officer,
    )


def meeting_of_workbook(store: Store, sha256: str) -> int | None:
    """The meeting a TSM workbook with this SHA-256 was recorded into, if it was."""
    row = store.connection.execute(
        "SELECT meeting_id FROM meeting_workbook WHERE sha256 = ?", (sha256,)
    ).fetchone()
    return row[0] if row else None


def insert_meeting_workbook(
    store: Store, *, meeting_id: int, sha256: str, file_name: str | None, officer: str
) -> int:
    return _insert(
        store,
        _models().MeetingWorkbook.__table__,
        meeting_id=meeting_id,
        sha256=sha256,
        file_name=file_name,
        recorded_at=_now(),
        officer=officer,
    )


# --------------------------------------------------------------- many cases at once (lists)


@dataclass(frozen=True, slots=True)
class CaseWork:
    """A case with its current lead and the due dates of its actions still agreed."""

    case_id: int
    pupil_id: int
    upn: str
    surname: str | None
    forename: str | None
    status: str
    opened_at: str
    closed_at: str | None
    outcome: str | None
    lead: LeadRecord | None
    agreed_dues: tuple[dt.date | None, ...] = field(default_factory=tuple)


def _leads_and_dues(
    store: Store, case_ids: Sequence[int]
) -> tuple[dict[int, LeadRecord], dict[int, list[dt.date | None]]]:
    """Per case: the current lead, and the due dates of its agreed actions (a query per
    thousands of cases, never one per case)."""
    leads: dict[int, LeadRecord] = {}
    dues: dict[int, list[dt.date | None]] = {}
    conn = store.connection
    for part in chunked(list(case_ids)):
        marks = ",".join("?" * len(part))
        for row in conn.execute(
            _LEAD_SQL + f" WHERE l.id IN (SELECT max(id) FROM lead_practitioner "
            f"WHERE case_id IN ({marks}) GROUP BY case_id)",
            list(part),
        ):
            lead = _lead(row)
            leads[lead.case_id] = lead
        for case_id, due in conn.execute(
            f"SELECT case_id, due FROM case_action WHERE status = 'agreed' "
            f"AND case_id IN ({marks}) ORDER BY id",
            list(part),
        ):
            dues.setdefault(case_id, []).append(to_date(due))
    return leads, dues


def _case_works(store: Store, rows: list[Sequence[Any]]) -> list[CaseWork]:
    leads, dues = _leads_and_dues(store, [r[0] for r in rows])
    return [
        CaseWork(
            case_id=r[0],
            pupil_id=r[1],
            upn=r[2],
            surname=r[3],
            forename=r[4],
            status=r[5],
            opened_at=r[6],
            closed_at=r[7],
            outcome=r[8],
            lead=leads.get(r[0]),
            agreed_dues=tuple(dues.get(r[0], ())),
        )
        for r in rows
    ]


_CASE_WORK_SQL = (
    "SELECT c.id, p.id, p.upn, p.surname, p.forename, c.status, c.opened_at, c.closed_at, "
    "c.outcome FROM pupil_case c JOIN pupil p ON p.id = c.pupil_id"
)


def open_case_work(store: Store, pupil_ids: Sequence[int]) -> list[CaseWork]:
    """The open cases of these pupils with their leads and agreed actions."""
    rows: list[Sequence[Any]] = []
    for part in chunked(list(pupil_ids)):
        marks = ",".join("?" * len(part))
        rows += store.connection.execute(
            _CASE_WORK_SQL + f" WHERE c.status = 'open' AND c.pupil_id IN ({marks}) ORDER BY c.id",
            list(part),
        ).fetchall()
    return _case_works(store, rows)


def case_work(
    store: Store, *, status: str | None = None, school_id: int | None = None
) -> list[CaseWork]:
    """Cases (``status`` open or closed, None for all), of pupils ever enrolled at
    ``school_id`` when given, by pupil name then case id."""
    where: list[str] = []
    args: list[object] = []
    if status is not None:
        where.append("c.status = ?")
        args.append(status)
    if school_id is not None:
        where.append("c.pupil_id IN (SELECT pupil_id FROM enrolment WHERE school_id = ?)")
        args.append(school_id)
    sql = (
        _CASE_WORK_SQL
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY p.surname, p.forename, p.upn, c.id"
    )
    return _case_works(store, store.connection.execute(sql, args).fetchall())


@dataclass(frozen=True, slots=True)
class LatestEnrolment:
    laestab: str
    school_name: str
    year_group: str | None


def latest_enrolments(store: Store, pupil_ids: Sequence[int]) -> dict[int, LatestEnrolment]:
    """Each pupil's current enrolment (no leaving date first, then the latest entry)."""
    result: dict[int, LatestEnrolment] = {}
    for part in chunked(sorted(set(pupil_ids))):
        marks = ",".join("?" * len(part))
        rows = store.connection.execute(
            "SELECT e.pupil_id, s.laestab, s.name, e.year_group FROM enrolment e "
            f"JOIN school s ON s.id = e.school_id WHERE e.pupil_id IN ({marks}) "
            "ORDER BY e.pupil_id, e.leaving_date IS NOT NULL, e.entry_date DESC, e.id DESC",
            list(part),
        )
        for pupil_id, laestab, name, year_group in rows:
            result.setdefault(pupil_id, LatestEnrolment(laestab, name, year_group))
    return result


# ----------------------------------------------------- the case file of a legal referral
# Reads of contact and import tables that only ``referrals.evidence`` makes (they could join
# ``store.registers``, which reads the same tables for other commands).


@dataclass(frozen=True)
class PupilDetails:
    """The pupil as the referral shows them (``store.registers.Pupil`` without FSM)."""

    id: int
    upn: str
    surname: str | None
    forename: str | None
    date_of_birth: dt.date | None
    gender: str | None
    sen: str | None
    social_worker: str | None
    looked_after: bool | None

    @property
    def name(self) -> str:
        return " ".join(filter(None, [self.forename, self.surname])) or self.upn


@dataclass(frozen=True)
class ContactDetails:
    id: int
    name: str
    relationship: str | None
    address: str | None
    phone: str | None
    email: str | None
    parental_responsibility: bool | None  # None: not recorded

    @property
    def needs_letter(self) -> bool:
        """A parent with parental responsibility (or not recorded: treated as having it)."""
        return self.parental_responsibility is not False


def contacts_of_pupil(store: Store, pupil_id: int) -> list[ContactDetails]:
    rows = store.connection.execute(
        "SELECT id, name, relationship, address, phone, email, parental_responsibility "
        "FROM contact WHERE pupil_id = ? ORDER BY priority, id",
        (pupil_id,),
    )
    return [
        ContactDetails(r[0], r[1], r[2], r[3], r[4], r[5], None if r[6] is None else bool(r[6]))
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class ContactElsewhere:
    """A contact of the same name recorded for another pupil."""

    pupil_id: int
    address: str | None
    forename: str | None
    surname: str | None


def same_name_contacts(store: Store, *, name: str, pupil_id: int) -> list[ContactElsewhere]:
    """Contacts of other pupils with this name (ignoring case and outer spaces)."""
    rows = store.connection.execute(
        "SELECT c.pupil_id, c.address, p.forename, p.surname FROM contact c "
        "JOIN pupil p ON p.id = c.pupil_id WHERE lower(trim(c.name)) = lower(trim(?)) "
        "AND c.pupil_id != ?",
        (name, pupil_id),
    )
    return [ContactElsewhere(*r) for r in rows]


@dataclass(frozen=True)
class ImportRef:
    id: int
    file_name: str
    sha256: str
    file_format: str
    imported_at: str
    date_from: str | None
    date_to: str | None
    school_laestab: str | None


def register_imports(
    store: Store, *, school_ids: Sequence[int], date_from_until: dt.date, date_to_from: dt.date
) -> list[ImportRef]:
    """Register imports (not rosters) of these schools, or of several schools at once, that
    start by ``date_from_until`` and end on or after ``date_to_from``."""
    result: list[ImportRef] = []
    for part in chunked(sorted(set(school_ids))):
        marks = ",".join("?" * len(part))
        rows = store.connection.execute(
            "SELECT i.id, i.file_name, i.sha256, i.file_format, i.imported_at, i.date_from, "
            "i.date_to, s.laestab FROM import_log i LEFT JOIN school s ON s.id = i.school_id "
            "WHERE i.file_format NOT LIKE 'roster/%' "
            f"AND (i.school_id IS NULL OR i.school_id IN ({marks})) "
            "AND i.date_from <= ? AND i.date_to >= ? ORDER BY i.id",
            (*part, date_text(date_from_until), date_text(date_to_from)),
        )
        result += [ImportRef(*r) for r in rows]
    return sorted({r.id: r for r in result}.values(), key=lambda r: r.id)


@dataclass(frozen=True, slots=True)
class StoredMarkChange:
    enrolment_id: int
    date: dt.date
    session: int
    old_mark: str
    new_mark: str
    import_file: str
    import_sha256: str
    imported_at: str


def mark_changes(
    store: Store, *, enrolment_ids: Sequence[int], start: dt.date, end: dt.date
) -> list[StoredMarkChange]:
    """Marks of these enrolments between ``start`` and ``end`` that a later import replaced."""
    result: list[tuple[int, StoredMarkChange]] = []
    for part in chunked(list(enrolment_ids)):
        marks = ",".join("?" * len(part))
        for row in store.connection.execute(
            "SELECT c.id, c.enrolment_id, c.date, c.session, c.old_mark, c.new_mark, i.file_name, "
            "i.sha256, i.imported_at FROM mark_change c JOIN import_log i ON i.id = c.import_id "
            f"WHERE c.enrolment_id IN ({marks}) AND c.date BETWEEN ? AND ?",
            (*part, date_text(start), date_text(end)),
        ):
            day = to_date(row[2])
            assert day is not None
            result.append((row[0], StoredMarkChange(row[1], day, *row[3:])))
    result.sort(key=lambda pair: (pair[1].date, pair[1].session, pair[0]))
    return [change for _, change in result]
