"""Case lists and the casework status of many pupils at once (TSM pack, pupil view, LA report)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from attendance_cli.cases import kinds
from attendance_cli.cases.leads import current_lead
from attendance_cli.errors import InvalidInputError


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
    agency = kinds.choose(lead_agency, kinds.AGENCIES, "agency", "--lead-agency")
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
