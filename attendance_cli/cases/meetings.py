"""Meetings with a school (Targeting Support Meetings and others)."""

from __future__ import annotations

import datetime as dt

from attendance_cli.cases.audit import record_audit
from attendance_cli.store import cases as stored
from attendance_cli.store import transaction
from attendance_cli.store.cases import MeetingRecord
from attendance_cli.store.connection import Store

__all__ = ["MeetingRecord", "insert_meeting", "record_meeting"]


def record_meeting(
    store: Store,
    *,
    school: str,
    date: dt.date,
    officer: str,
    attendees: list[str] | None = None,
    kind: str = "tsm",
) -> MeetingRecord:
    from attendance_cli.store.registers import find_school

    ref = find_school(store, school)
    names = [a.strip() for a in attendees or [] if a.strip()]
    with transaction(store):
        meeting_id = insert_meeting(store, ref.id, date, kind, names, officer, ref.laestab)
    return MeetingRecord(meeting_id, ref.laestab, ref.name, date, kind, names)


def insert_meeting(
    store: Store,
    school_id: int,
    date: dt.date,
    kind: str,
    attendees: list[str],
    officer: str,
    laestab: str,
) -> int:
    """Insert a meeting inside the caller's transaction, with its audit entry."""
    meeting_id = stored.insert_meeting(
        store, school_id=school_id, date=date, kind=kind, attendees=attendees, officer=officer
    )
    record_audit(
        store,
        officer=officer,
        action="record_meeting",
        entity="meeting",
        entity_id=meeting_id,
        upn=None,
        detail={"school": laestab, "date": date, "kind": kind, "attendees": attendees},
    )
    return meeting_id
