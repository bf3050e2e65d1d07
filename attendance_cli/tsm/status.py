"""``att tsm status --term T`` (issue 16): the team leader's view of the term's Targeting Support
Meetings — every school, its allocated officer, whether its TSM has been held this term (the
meetings ``att tsm record`` keeps), and how many severely and persistently absent pupils have
no plan (no agreed action on an open case) or no lead practitioner. The guidance expects a joint
plan for every severely absent pupil (docs/domain/attendance-rules.md, "Targeting Support
Meetings")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from attendance_cli import marks
from attendance_cli.analysis.counts import count_period, mark_array
from attendance_cli.analysis.dataset import ReportPeriod, last_mark_date, resolve_period
from attendance_cli.errors import NotFoundError
from attendance_cli.store import Store
from attendance_cli.store import cases as store_cases
from attendance_cli.store import registers as store_registers
from attendance_cli.store import team as store_team


@dataclass(frozen=True)
class SchoolTsmStatus:
    laestab: str
    school: str
    officer: str | None  # the allocated officer's role
    tsm_held: dt.date | None  # the latest TSM recorded in the term, None if none yet
    severe: int  # severely absent pupils in the term (2 x absent >= possible)
    persistent: int  # persistently absent, severe included (10 x absent >= possible)
    without_plan: int  # of those, no agreed action on an open case
    without_lead: int  # of those, no lead practitioner on an open case


@dataclass(frozen=True)
class TsmStatus:
    period: ReportPeriod
    schools: list[SchoolTsmStatus]  # by school name


def tsm_status(store: Store, *, term: str, year: int | None = None) -> TsmStatus:
    last = last_mark_date(store)
    if last is None:
        raise NotFoundError(
            "The database has no register marks yet",
            hint="Import the schools' registers first: att import FILE...",
        )
    period = resolve_period(last_date=last, term=term, year=year)
    years = list(range(marks.academic_year(period.start) - 1, period.academic_year + 1))
    records = store_registers.load_enrolments(store, years=years)
    arrays = {y: mark_array([r.marks.get(y, marks.EMPTY_YEAR) for r in records]) for y in years}
    counts = count_period(arrays, period.start, period.end)
    persistent, severe = counts.persistent, counts.severe
    flagged = np.flatnonzero(persistent).tolist()
    work = {
        w.pupil_id: w
        for w in store_cases.open_case_work(store, sorted({records[i].pupil_id for i in flagged}))
    }
    per_school: dict[int, list[int]] = {}
    for i in flagged:
        per_school.setdefault(records[i].school_id, []).append(i)
    officers = store_team.school_officers(store)
    rows = []
    for school in store_registers.all_schools(store):
        listed = per_school.get(school.id, [])
        meeting = store_cases.latest_tsm_meeting(store, school.id)
        held = meeting[1] if meeting and meeting[1] >= period.start else None
        cases = [work.get(records[i].pupil_id) for i in listed]
        rows.append(
            SchoolTsmStatus(
                laestab=school.laestab,
                school=school.name,
                officer=officers.get(school.id),
                tsm_held=held,
                severe=sum(1 for i in listed if severe[i]),
                persistent=len(listed),
                without_plan=sum(1 for c in cases if c is None or not c.agreed_dues),
                without_lead=sum(1 for c in cases if c is None or c.lead is None),
            )
        )
    return TsmStatus(period=ReportPeriod.of(period, last), schools=rows)
