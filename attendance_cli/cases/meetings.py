"""Meetings with a school (Targeting Support Meetings and others)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass

from attendance_cli.cases.audit import record_audit
from attendance_cli.db.engine import transaction
from attendance_cli.registers.store import now_text


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
