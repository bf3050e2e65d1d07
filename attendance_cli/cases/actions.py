"""Agreed actions of the graduated approach: record, complete, read.

Action status ``overdue`` is derived: agreed, with a due date before today. An action is never
deleted: it ends done or cancelled with an outcome.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from attendance_cli.cases import kinds
from attendance_cli.cases.audit import record_audit
from attendance_cli.cases.case import ensure_open_case, find_pupil, latest_case
from attendance_cli.cases.leads import current_lead
from attendance_cli.db.engine import transaction
from attendance_cli.errors import InvalidInputError, NotFoundError, RefusedError
from attendance_cli.registers.store import now_text


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


REVIEW_WEEKS = 6  # the usual interval before an agreed action is reviewed


@dataclass(frozen=True)
class ActionDefaults:
    """What ``att case add-action`` offers when it asks on a terminal."""

    owner: str  # the case's current lead practitioner, else empty
    agency: str  # the lead's agency, else the school
    due: dt.date  # the review date: REVIEW_WEEKS from today


def action_defaults(
    conn: sqlite3.Connection, *, upn: str, today: dt.date | None = None
) -> ActionDefaults:
    """The defaults for a new action for ``upn`` (NotFoundError for an unknown pupil)."""
    pupil = find_pupil(conn, upn)
    case_id = latest_case(conn, pupil.id)
    lead = current_lead(conn, case_id) if case_id is not None else None
    return ActionDefaults(
        owner=lead.name if lead else "",
        agency=lead.agency if lead else "school",
        due=(today or dt.date.today()) + dt.timedelta(weeks=REVIEW_WEEKS),
    )


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
    found_kind = kinds.choose(kind, kinds.KINDS, "kind of action", "--kind")
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
    found_agency = kinds.choose(agency, kinds.AGENCIES, "agency", "--agency")
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
