"""Case lists and the casework status of many pupils at once (TSM pack, pupil view, LA report).

Both read every case's lead and agreed actions in a few set-based queries
(``store.cases.case_work``), never one query per case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from attendance_cli.cases import kinds
from attendance_cli.errors import InvalidInputError
from attendance_cli.store import cases as stored
from attendance_cli.store.connection import Store


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


def _overdue(dues: tuple[dt.date | None, ...], today: dt.date) -> int:
    return sum(1 for d in dues if d is not None and d < today)


def _next_review(dues: tuple[dt.date | None, ...]) -> dt.date | None:
    return min((d for d in dues if d is not None), default=None)


def casework_summaries(
    db: Store, pupil_ids: list[int], *, today: dt.date | None = None
) -> dict[int, CaseworkSummary]:
    """Open-case status of many pupils at once (for the TSM pack and case lists)."""
    today = today or dt.date.today()
    result: dict[int, CaseworkSummary] = {}
    if not pupil_ids:
        return result
    for work in stored.open_case_work(db, pupil_ids):
        result[work.pupil_id] = CaseworkSummary(
            has_open_case=True,
            lead_practitioner=work.lead.name if work.lead else None,
            lead_agency=work.lead.agency if work.lead else None,
            open_actions=len(work.agreed_dues),
            overdue_actions=_overdue(work.agreed_dues, today),
            next_review=_next_review(work.agreed_dues),
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
    store: Store,
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
    from attendance_cli.store.registers import find_school

    today = today or dt.date.today()
    if status not in ("open", "closed", "all"):
        raise InvalidInputError(
            f"Unknown case status {status!r}", hint="Use open, closed or all (--status)."
        )
    agency = kinds.choose(lead_agency, kinds.AGENCIES, "agency", "--lead-agency")
    school_id = find_school(store, school).id if school is not None else None
    works = stored.case_work(store, status=None if status == "all" else status, school_id=school_id)
    kept = [
        w
        for w in works
        if not (no_lead and w.lead is not None)
        and not (agency is not None and (w.lead is None or w.lead.agency != agency))
        and not (overdue and not _overdue(w.agreed_dues, today))
    ]
    enrolments = stored.latest_enrolments(store, [w.pupil_id for w in kept])
    rows: list[CaseListRow] = []
    for w in kept:
        enrolment = enrolments.get(w.pupil_id)
        rows.append(
            CaseListRow(
                case_id=w.case_id,
                upn=w.upn,
                surname=w.surname,
                forename=w.forename,
                school_laestab=enrolment.laestab if enrolment else None,
                school_name=enrolment.school_name if enrolment else None,
                year_group=enrolment.year_group if enrolment else None,
                status=w.status,
                opened_at=w.opened_at,
                closed_at=w.closed_at,
                outcome=w.outcome,
                lead_practitioner=w.lead.name if w.lead else None,
                lead_agency=w.lead.agency if w.lead else None,
                open_actions=len(w.agreed_dues),
                overdue_actions=_overdue(w.agreed_dues, today),
                next_review=_next_review(w.agreed_dues),
            )
        )
    return rows
