"""Lead practitioners: the newest is the case's current lead, the older ones its history."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from attendance_cli.cases import kinds
from attendance_cli.cases.audit import record_audit
from attendance_cli.cases.case import ensure_open_case, find_pupil
from attendance_cli.db.engine import transaction
from attendance_cli.errors import InvalidInputError
from attendance_cli.registers.store import now_text


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
    found_agency = kinds.choose(agency, kinds.AGENCIES, "agency", "--agency")
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
