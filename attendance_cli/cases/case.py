"""A pupil's case: finding the pupil, the open case, closing and reopening it.

A case belongs to a pupil and follows them across schools. Nothing is deleted: a case closes
with an outcome and may be reopened. Every change runs in one transaction with its audit entry
(``cases.audit``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

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


def latest_case(conn: sqlite3.Connection, pupil_id: int) -> int | None:
    """The open case, else the most recent closed one."""
    row = conn.execute(
        "SELECT id FROM pupil_case WHERE pupil_id = ? ORDER BY status = 'open' DESC, id DESC LIMIT 1",
        (pupil_id,),
    ).fetchone()
    return row[0] if row else None


@dataclass
class CaseState:
    id: int
    upn: str
    status: str
    opened_at: str
    closed_at: str | None
    outcome: str | None


def case_state(conn: sqlite3.Connection, case_id: int) -> CaseState:
    row = conn.execute(
        "SELECT c.id, p.upn, c.status, c.opened_at, c.closed_at, c.outcome FROM pupil_case c JOIN pupil p ON p.id = c.pupil_id WHERE c.id = ?",
        (case_id,),
    ).fetchone()
    return CaseState(*row)


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
