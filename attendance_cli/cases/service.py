"""Casework: cases, actions, lead practitioners, notes, documents, meetings.

Every change runs in one transaction together with its audit entry (``cases.audit``); nothing
is deleted (cases close, actions are done or cancelled, a new lead replaces the old one, whose row
stays as history). A case belongs to a pupil and follows them across schools. Action status
``overdue`` is derived: agreed, with a due date before today.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from attendance_cli.cases import kinds
from attendance_cli.cases.audit import record_audit
from attendance_cli.db.engine import transaction
from attendance_cli.errors import InvalidInputError, NotFoundError, RefusedError
from attendance_cli.identifiers import normalise_upn
from attendance_cli.registers.store import now_text


@dataclass(frozen=True)
class PupilRef:
    id: int
    upn: str
    surname: str | None
    forename: str | None


def find_pupil(conn: sqlite3.Connection, upn: str) -> PupilRef:
    wanted = normalise_upn(upn)
    row = conn.execute(
        "SELECT id, upn, surname, forename FROM pupil WHERE upn = ?", (wanted,)
    ).fetchone()
    if row is None:
        raise NotFoundError(
            f"No pupil with UPN {wanted} in the database",
            hint="Check the UPN, or import the school's roster first (att import roster.csv).",
        )
    return PupilRef(*row)


def open_case(conn: sqlite3.Connection, pupil_id: int) -> int | None:
    row = conn.execute(
        "SELECT id FROM pupil_case WHERE pupil_id = ? AND status = 'open' ORDER BY id DESC LIMIT 1",
        (pupil_id,),
    ).fetchone()
    return row[0] if row else None


def ensure_open_case(conn: sqlite3.Connection, pupil: PupilRef, officer: str) -> int:
    case_id = open_case(conn, pupil.id)
    if case_id is not None:
        return case_id
    cursor = conn.execute(
        "INSERT INTO pupil_case (pupil_id, status, opened_at, opened_by) VALUES (?, 'open', ?, ?)",
        (pupil.id, now_text(), officer),
    )
    case_id = int(cursor.lastrowid or 0)
    record_audit(
        conn, officer=officer, action="open_case", entity="case", entity_id=case_id, upn=pupil.upn
    )
    return case_id


def _choice(value: str | None, choices: tuple[str, ...], what: str, option: str) -> str | None:
    if value is None or not value.strip():
        return None
    found = kinds.normalise_choice(value, choices)
    if found is None:
        raise InvalidInputError(
            f"{value!r} is not a known {what}",
            hint=f"Use one of: {', '.join(choices)} ({option}).",
        )
    return found


# ------------------------------------------------------------------------------------ actions


@dataclass
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
    status: str  # agreed, done, cancelled, or overdue (derived)
    outcome: str | None
    meeting_id: int | None
    created_at: str
    completed_at: str | None
    officer: str


_ACTION_SQL = (
    "SELECT a.id, p.upn, a.case_id, a.tier, a.kind, a.description, a.owner, a.agency, a.due, a.status, "
    "a.outcome, a.meeting_id, a.created_at, a.completed_at, a.officer FROM case_action a "
    "JOIN pupil_case c ON c.id = a.case_id JOIN pupil p ON p.id = c.pupil_id"
)


def _action_from_row(row: tuple, today: dt.date) -> ActionRecord:  # type: ignore[type-arg]
    due = dt.date.fromisoformat(row[8]) if row[8] else None
    status = row[9]
    if status == "agreed" and due is not None and due < today:
        status = "overdue"
    return ActionRecord(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        row[7],
        due,
        status,
        row[10],
        row[11],
        row[12],
        row[13],
        row[14],
    )


def get_action(
    conn: sqlite3.Connection, action_id: int, *, today: dt.date | None = None
) -> ActionRecord:
    row = conn.execute(_ACTION_SQL + " WHERE a.id = ?", (action_id,)).fetchone()
    if row is None:
        raise NotFoundError(
            f"No action with id {action_id}", hint="`att case show UPN` lists a pupil's actions."
        )
    return _action_from_row(row, today or dt.date.today())


def list_actions(
    conn: sqlite3.Connection, *, case_id: int, today: dt.date | None = None
) -> list[ActionRecord]:
    rows = conn.execute(_ACTION_SQL + " WHERE a.case_id = ? ORDER BY a.id", (case_id,)).fetchall()
    return [_action_from_row(r, today or dt.date.today()) for r in rows]


def add_action(
    conn: sqlite3.Connection,
    *,
    upn: str,
    kind: str,
    action: str,
    officer: str,
    owner: str | None = None,
    agency: str | None = None,
    due: dt.date | None = None,
    meeting_id: int | None = None,
) -> ActionRecord:
    """Record an agreed action; opens a case when the pupil has none open."""
    pupil = find_pupil(conn, upn)
    found_kind = _choice(kind, kinds.KINDS, "kind of action", "--kind")
    if found_kind is None:
        raise InvalidInputError(
            "An action needs a kind",
            hint=f"Use one of: {', '.join(kinds.AGREEABLE_KINDS)} (--kind).",
        )
    if found_kind in kinds.RECORDED_ELSEWHERE:
        raise RefusedError(
            f"A {found_kind} is recorded with its own command, which applies its rules",
            hint=f"Use `{kinds.RECORDED_ELSEWHERE[found_kind]}`.",
        )
    if not action or not action.strip():
        raise InvalidInputError(
            "An action needs a description", hint="Say what was agreed (--action)."
        )
    found_agency = _choice(agency, kinds.AGENCIES, "agency", "--agency")
    if (
        meeting_id is not None
        and conn.execute("SELECT 1 FROM meeting WHERE id = ?", (meeting_id,)).fetchone() is None
    ):
        raise NotFoundError(
            f"No meeting with id {meeting_id}",
            hint="`att tsm record` creates a meeting and prints its id.",
        )
    with transaction(conn):
        case_id = ensure_open_case(conn, pupil, officer)
        action_id = insert_action(
            conn,
            case_id,
            found_kind,
            action.strip(),
            owner,
            found_agency,
            due,
            meeting_id,
            officer,
            pupil.upn,
        )
    return get_action(conn, action_id)


def insert_action(
    conn: sqlite3.Connection,
    case_id: int,
    kind: str,
    description: str,
    owner: str | None,
    agency: str | None,
    due: dt.date | None,
    meeting_id: int | None,
    officer: str,
    upn: str,
) -> int:
    """Insert an action inside the caller's transaction, with its audit entry."""
    cursor = conn.execute(
        "INSERT INTO case_action (case_id, tier, kind, description, owner, agency, due, status, meeting_id, "
        "created_at, officer) VALUES (?, ?, ?, ?, ?, ?, ?, 'agreed', ?, ?, ?)",
        (
            case_id,
            kinds.TIER_OF_KIND[kind],
            kind,
            description,
            owner,
            agency,
            due.isoformat() if due else None,
            meeting_id,
            now_text(),
            officer,
        ),
    )
    action_id = int(cursor.lastrowid or 0)
    record_audit(
        conn,
        officer=officer,
        action="add_action",
        entity="action",
        entity_id=action_id,
        upn=upn,
        detail={
            "kind": kind,
            "action": description,
            "owner": owner,
            "agency": agency,
            "due": due,
            "meeting_id": meeting_id,
        },
    )
    return action_id


def complete_action(
    conn: sqlite3.Connection, *, action_id: int, outcome: str, officer: str, status: str = "done"
) -> ActionRecord:
    if status not in ("done", "cancelled"):
        raise InvalidInputError(
            f"Status {status!r} cannot end an action",
            hint="Use --status done or --status cancelled.",
        )
    if not outcome or not outcome.strip():
        raise InvalidInputError("Say what came of the action", hint="Give --outcome TEXT.")
    with transaction(conn):
        current = get_action(conn, action_id)  # inside the write lock: two officers at once
        if current.status in ("done", "cancelled"):
            raise RefusedError(
                f"Action {action_id} is already {current.status}",
                hint="Record a new action for further work (att case add-action).",
            )
        conn.execute(
            "UPDATE case_action SET status = ?, outcome = ?, completed_at = ? WHERE id = ?",
            (status, outcome.strip(), now_text(), action_id),
        )
        record_audit(
            conn,
            officer=officer,
            action=f"action_{status}",
            entity="action",
            entity_id=action_id,
            upn=current.upn,
            detail={"outcome": outcome.strip()},
        )
    return get_action(conn, action_id)


# ------------------------------------------------------------------------ leads, notes, status


@dataclass
class LeadRecord:
    name: str
    agency: str
    role: str | None
    contact: str | None
    set_at: str
    officer: str


def current_lead(conn: sqlite3.Connection, case_id: int) -> LeadRecord | None:
    row = conn.execute(
        "SELECT name, agency, role, contact, set_at, officer FROM lead_practitioner WHERE case_id = ? ORDER BY id DESC LIMIT 1",
        (case_id,),
    ).fetchone()
    return LeadRecord(*row) if row else None


def set_lead(
    conn: sqlite3.Connection,
    *,
    upn: str,
    name: str,
    agency: str,
    officer: str,
    role: str | None = None,
    contact: str | None = None,
) -> LeadRecord:
    pupil = find_pupil(conn, upn)
    if not name or not name.strip():
        raise InvalidInputError("A lead practitioner needs a name", hint="Give --name NAME.")
    found_agency = _choice(agency, kinds.AGENCIES, "agency", "--agency")
    if found_agency is None:
        raise InvalidInputError(
            "A lead practitioner needs an agency",
            hint=f"Use one of: {', '.join(kinds.AGENCIES)} (--agency).",
        )
    with transaction(conn):
        case_id = ensure_open_case(conn, pupil, officer)
        insert_lead(conn, case_id, name.strip(), found_agency, role, contact, officer, pupil.upn)
    lead = current_lead(conn, case_id)
    assert lead is not None
    return lead


def insert_lead(
    conn: sqlite3.Connection,
    case_id: int,
    name: str,
    agency: str,
    role: str | None,
    contact: str | None,
    officer: str,
    upn: str,
) -> None:
    cursor = conn.execute(
        "INSERT INTO lead_practitioner (case_id, name, agency, role, contact, set_at, officer) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (case_id, name, agency, role, contact, now_text(), officer),
    )
    record_audit(
        conn,
        officer=officer,
        action="set_lead",
        entity="lead_practitioner",
        entity_id=int(cursor.lastrowid or 0),
        upn=upn,
        detail={"name": name, "agency": agency, "role": role},
    )


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


@dataclass
class CaseState:
    id: int
    upn: str
    status: str
    opened_at: str
    closed_at: str | None
    outcome: str | None


def close_case(conn: sqlite3.Connection, *, upn: str, outcome: str, officer: str) -> CaseState:
    pupil = find_pupil(conn, upn)
    if not outcome or not outcome.strip():
        raise InvalidInputError("Say how the case ended", hint="Give --outcome TEXT.")
    case_id = open_case(conn, pupil.id)
    if case_id is None:
        raise RefusedError(
            f"{pupil.upn} has no open case to close",
            hint="`att case show UPN` shows the case history.",
        )
    with transaction(conn):
        conn.execute(
            "UPDATE pupil_case SET status = 'closed', closed_at = ?, outcome = ? WHERE id = ?",
            (now_text(), outcome.strip(), case_id),
        )
        record_audit(
            conn,
            officer=officer,
            action="close_case",
            entity="case",
            entity_id=case_id,
            upn=pupil.upn,
            detail={"outcome": outcome.strip()},
        )
    return case_state(conn, case_id)


def reopen_case(conn: sqlite3.Connection, *, upn: str, officer: str) -> CaseState:
    pupil = find_pupil(conn, upn)
    if open_case(conn, pupil.id) is not None:
        raise RefusedError(f"{pupil.upn} already has an open case")
    row = conn.execute(
        "SELECT id, outcome FROM pupil_case WHERE pupil_id = ? ORDER BY id DESC LIMIT 1",
        (pupil.id,),
    ).fetchone()
    if row is None:
        raise NotFoundError(
            f"{pupil.upn} has no case to reopen", hint="Adding an action or a lead opens a case."
        )
    with transaction(conn):
        conn.execute(
            "UPDATE pupil_case SET status = 'open', closed_at = NULL, outcome = NULL WHERE id = ?",
            (row[0],),
        )
        record_audit(
            conn,
            officer=officer,
            action="reopen_case",
            entity="case",
            entity_id=row[0],
            upn=pupil.upn,
            detail={"previous_outcome": row[1]},
        )
    return case_state(conn, row[0])


def case_state(conn: sqlite3.Connection, case_id: int) -> CaseState:
    row = conn.execute(
        "SELECT c.id, p.upn, c.status, c.opened_at, c.closed_at, c.outcome FROM pupil_case c JOIN pupil p ON p.id = c.pupil_id WHERE c.id = ?",
        (case_id,),
    ).fetchone()
    return CaseState(*row)


def latest_case(conn: sqlite3.Connection, pupil_id: int) -> int | None:
    """The open case, else the most recent closed one."""
    row = conn.execute(
        "SELECT id FROM pupil_case WHERE pupil_id = ? ORDER BY status = 'open' DESC, id DESC LIMIT 1",
        (pupil_id,),
    ).fetchone()
    return row[0] if row else None


# ---------------------------------------------------------------------------------- documents


@dataclass
class DocumentRecord:
    id: int
    kind: str
    file_name: str
    sha256: str
    bytes: int
    document_date: dt.date | None
    description: str | None
    created_at: str
    officer: str
    stored_path: str


def attach_document(
    conn: sqlite3.Connection,
    *,
    upn: str,
    file: Path,
    kind: str,
    store: Path,
    officer: str,
    document_date: dt.date | None = None,
    description: str | None = None,
) -> DocumentRecord:
    """Copy ``file`` into the private document store, named by its SHA-256, and record it.
    The store never uses the file's own name on disk, so names cannot escape the folder."""
    pupil = find_pupil(conn, upn)
    found_kind = _choice(kind, kinds.DOCUMENT_KINDS, "document kind", "--kind")
    if found_kind is None:
        raise InvalidInputError(
            "A document needs a kind",
            hint=f"Use one of: {', '.join(kinds.DOCUMENT_KINDS)} (--kind).",
        )
    if not file.is_file():
        raise InvalidInputError(
            f"No such file: {file}", hint="Check the path of the document to attach."
        )
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    sha256 = digest.hexdigest()
    store.mkdir(mode=0o700, parents=True, exist_ok=True)
    if store.stat().st_mode & 0o077:  # an older or hand-made folder: children's documents
        store.chmod(0o700)
    target = store / sha256
    if not target.exists():  # files.PartialFile: removed on failure, swept after a kill
        from attendance_cli.files import output_file

        with output_file(target, force=True) as partial:
            with open(partial.path, "wb") as out, file.open("rb") as source:
                shutil.copyfileobj(source, out)
            partial.commit()
    size = target.stat().st_size
    with transaction(conn):
        case_id = ensure_open_case(conn, pupil, officer)
        stamp = now_text()
        cursor = conn.execute(
            "INSERT INTO case_document (case_id, kind, file_name, sha256, bytes, document_date, description, created_at, officer) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                case_id,
                found_kind,
                file.name,
                sha256,
                size,
                document_date.isoformat() if document_date else None,
                description,
                stamp,
                officer,
            ),
        )
        document_id = int(cursor.lastrowid or 0)
        record_audit(
            conn,
            officer=officer,
            action="attach_document",
            entity="document",
            entity_id=document_id,
            upn=pupil.upn,
            detail={"kind": found_kind, "file_name": file.name, "sha256": sha256, "bytes": size},
        )
    return DocumentRecord(
        document_id,
        found_kind,
        file.name,
        sha256,
        size,
        document_date,
        description,
        stamp,
        officer,
        str(target),
    )


def list_documents(conn: sqlite3.Connection, *, upn: str, store: Path) -> list[DocumentRecord]:
    pupil = find_pupil(conn, upn)
    rows = conn.execute(
        "SELECT d.id, d.kind, d.file_name, d.sha256, d.bytes, d.document_date, d.description, d.created_at, d.officer "
        "FROM case_document d JOIN pupil_case c ON c.id = d.case_id WHERE c.pupil_id = ? ORDER BY d.id",
        (pupil.id,),
    ).fetchall()
    return [
        DocumentRecord(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            dt.date.fromisoformat(r[5]) if r[5] else None,
            r[6],
            r[7],
            r[8],
            str(store / r[3]),
        )
        for r in rows
    ]


# ----------------------------------------------------------------------------------- meetings


@dataclass
class MeetingRecord:
    id: int
    school_laestab: str
    school_name: str
    date: dt.date
    kind: str
    attendees: list[str]


def record_meeting(
    conn: sqlite3.Connection,
    *,
    school: str,
    date: dt.date,
    officer: str,
    attendees: list[str] | None = None,
    kind: str = "tsm",
) -> MeetingRecord:
    from attendance_cli.analysis.dataset import find_school

    ref = find_school(conn, school)
    names = [a.strip() for a in attendees or [] if a.strip()]
    with transaction(conn):
        meeting_id = insert_meeting(conn, ref.id, date, kind, names, officer, ref.laestab)
    return MeetingRecord(meeting_id, ref.laestab, ref.name, date, kind, names)


def insert_meeting(
    conn: sqlite3.Connection,
    school_id: int,
    date: dt.date,
    kind: str,
    attendees: list[str],
    officer: str,
    laestab: str,
) -> int:
    cursor = conn.execute(
        "INSERT INTO meeting (school_id, date, kind, attendees, created_at, officer) VALUES (?, ?, ?, ?, ?, ?)",
        (school_id, date.isoformat(), kind, json.dumps(attendees), now_text(), officer),
    )
    meeting_id = int(cursor.lastrowid or 0)
    record_audit(
        conn,
        officer=officer,
        action="record_meeting",
        entity="meeting",
        entity_id=meeting_id,
        upn=None,
        detail={"school": laestab, "date": date, "kind": kind, "attendees": attendees},
    )
    return meeting_id


# ------------------------------------------------------------------- status for the TSM pack


@dataclass
class CaseworkSummary:
    has_open_case: bool
    lead_practitioner: str | None
    lead_agency: str | None
    open_actions: int
    overdue_actions: int
    next_review: dt.date | None

    @property
    def has_plan(self) -> bool:
        """An agreed plan: an open case with at least one action still to do."""
        return self.has_open_case and self.open_actions > 0


def casework_summaries(
    conn: sqlite3.Connection, pupil_ids: list[int], *, today: dt.date | None = None
) -> dict[int, CaseworkSummary]:
    """Open-case status of many pupils at once (for the TSM pack and case lists)."""
    today = today or dt.date.today()
    result: dict[int, CaseworkSummary] = {}
    if not pupil_ids:
        return result
    for start in range(0, len(pupil_ids), 5000):
        part = pupil_ids[start : start + 5000]
        marks_ = ",".join("?" * len(part))
        for case_id, pupil_id in conn.execute(
            f"SELECT id, pupil_id FROM pupil_case WHERE status = 'open' AND pupil_id IN ({marks_})",
            part,
        ).fetchall():
            lead = current_lead(conn, case_id)
            dues = [
                (status, dt.date.fromisoformat(due) if due else None)
                for status, due in conn.execute(
                    "SELECT status, due FROM case_action WHERE case_id = ?", (case_id,)
                )
            ]
            open_dues = [d for s, d in dues if s == "agreed"]
            result[pupil_id] = CaseworkSummary(
                has_open_case=True,
                lead_practitioner=lead.name if lead else None,
                lead_agency=lead.agency if lead else None,
                open_actions=len(open_dues),
                overdue_actions=sum(1 for d in open_dues if d is not None and d < today),
                next_review=min((d for d in open_dues if d is not None), default=None),
            )
    return result


# -------------------------------------------------------------------------------- case lists


@dataclass
class CaseListRow:
    case_id: int
    upn: str
    surname: str | None
    forename: str | None
    school_laestab: str | None  # the pupil's latest enrolment
    school_name: str | None
    year_group: str | None
    status: str
    opened_at: str
    closed_at: str | None
    outcome: str | None
    lead_practitioner: str | None
    lead_agency: str | None
    open_actions: int
    overdue_actions: int
    next_review: dt.date | None


def list_cases(
    conn: sqlite3.Connection,
    *,
    school: str | None = None,
    status: str = "open",
    overdue: bool = False,
    lead_agency: str | None = None,
    no_lead: bool = False,
    today: dt.date | None = None,
) -> list[CaseListRow]:
    """Cases (by default the open ones) with their lead and action counts.

    ``school`` keeps pupils with an enrolment at that school (LAESTAB or part of the name);
    ``overdue`` keeps cases with an agreed action past its due date; ``lead_agency`` keeps cases
    whose current lead is from that agency; ``no_lead`` keeps cases with no lead practitioner.
    """
    from attendance_cli.analysis.dataset import find_school

    today = today or dt.date.today()
    if status not in ("open", "closed", "all"):
        raise InvalidInputError(
            f"Unknown case status {status!r}", hint="Use open, closed or all (--status)."
        )
    agency = _choice(lead_agency, kinds.AGENCIES, "agency", "--lead-agency")
    where: list[str] = []
    args: list[object] = []
    if status != "all":
        where.append("c.status = ?")
        args.append(status)
    if school is not None:
        ref = find_school(conn, school)
        where.append("c.pupil_id IN (SELECT pupil_id FROM enrolment WHERE school_id = ?)")
        args.append(ref.id)
    sql = (
        "SELECT c.id, p.id, p.upn, p.surname, p.forename, c.status, c.opened_at, c.closed_at, c.outcome "
        "FROM pupil_case c JOIN pupil p ON p.id = c.pupil_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY p.surname, p.forename, p.upn, c.id"
    )
    rows: list[CaseListRow] = []
    for case_id, pupil_id, upn, surname, forename, state, opened, closed, outcome in conn.execute(
        sql, args
    ).fetchall():
        lead = current_lead(conn, case_id)
        if no_lead and lead is not None:
            continue
        if agency is not None and (lead is None or lead.agency != agency):
            continue
        dues = [
            dt.date.fromisoformat(due) if due else None
            for (due,) in conn.execute(
                "SELECT due FROM case_action WHERE case_id = ? AND status = 'agreed'", (case_id,)
            )
        ]
        late = sum(1 for d in dues if d is not None and d < today)
        if overdue and not late:
            continue
        enrolment = conn.execute(
            "SELECT s.laestab, s.name, e.year_group FROM enrolment e JOIN school s ON s.id = e.school_id "
            "WHERE e.pupil_id = ? ORDER BY e.leaving_date IS NOT NULL, e.entry_date DESC, e.id DESC LIMIT 1",
            (pupil_id,),
        ).fetchone() or (None, None, None)
        rows.append(
            CaseListRow(
                case_id=case_id,
                upn=upn,
                surname=surname,
                forename=forename,
                school_laestab=enrolment[0],
                school_name=enrolment[1],
                year_group=enrolment[2],
                status=state,
                opened_at=opened,
                closed_at=closed,
                outcome=outcome,
                lead_practitioner=lead.name if lead else None,
                lead_agency=lead.agency if lead else None,
                open_actions=len(dues),
                overdue_actions=late,
                next_review=min((d for d in dues if d is not None), default=None),
            )
        )
    return rows
