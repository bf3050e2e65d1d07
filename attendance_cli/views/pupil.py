"""One pupil's record: ``show_pupil`` -> ``PupilRecord`` (``att pupil show UPN``).

Per enrolment (a pupil who moved or is dual registered has one per school; figures are never
added across schools):

* ``period``: the academic year to date, as the school's TSM pack counts it (up to the last
  date the school has marks for); the year is the latest in which this enrolment has marks, or
  ``year``; an enrolment with no marks that year has no period and no figures;
* ``figures``: everything the TSM pack lists for a pupil (``tsm.pack.PupilEntry``: counts,
  band, at-risk reasons, penalty threshold, continuous absence, flags, recovery, pattern);
* ``terms``: the DfE counts per term (assumed term dates, see ``analysis.calendar``) up to the
  period end, and ``previous_year`` for the whole year before when there are marks for it;
* ``register``: a week-by-week grid of the marks as written in the register (``C1``, not its
  stored character), Monday AM to Friday PM, for every week with a mark.

``casework`` is the pupil's open case (lead practitioner, actions), or None.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from attendance_cli import codes, marks
from attendance_cli.analysis.calendar import SchoolCalendar
from attendance_cli.analysis.counts import count_segment, mark_array, school_calendar
from attendance_cli.analysis.dataset import (
    TERMS,
    EnrolmentRecord,
    Period,
    last_mark_date,
    load_enrolments,
    resolve_period,
)
from attendance_cli.analysis.figures import PeriodFigures, analyse_enrolment, count_sessions
from attendance_cli.analysis.thresholds import DEFAULT_CONFIG, ThresholdConfig
from attendance_cli.errors import InvalidInputError, NotFoundError
from attendance_cli.identifiers import normalise_upn, upn_problem
from attendance_cli.tsm.pack import PupilEntry, pupil_entry

if TYPE_CHECKING:
    from attendance_cli.cases.service import CaseworkSummary


@dataclass
class TermFigures:
    term: str  # "autumn term 2025/26", or "2024/25" for a whole year
    start: dt.date
    end: dt.date
    possible: int
    attended: int
    present: int
    aea: int
    authorised: int
    unauthorised: int
    late: int
    missing: int
    sessions_missed: int
    days_missed: float
    attendance_pct: float | None
    absence_pct: float | None
    persistent: bool
    severe: bool

    @classmethod
    def of(cls, term: str, f: PeriodFigures) -> TermFigures:
        return cls(
            term=term,
            start=f.start,
            end=f.end,
            possible=f.possible,
            attended=f.attended,
            present=f.present,
            aea=f.aea,
            authorised=f.authorised,
            unauthorised=f.unauthorised,
            late=f.late,
            missing=f.missing,
            sessions_missed=f.sessions_missed,
            days_missed=f.days_missed,
            attendance_pct=f.attendance_pct,
            absence_pct=f.absence_pct,
            persistent=f.persistent,
            severe=f.severe,
        )


@dataclass
class RegisterWeek:
    week_beginning: dt.date  # the Monday
    marks: list[str | None]  # 10: Mon AM, Mon PM, ..., Fri PM; None = no mark (not on roll)
    possible: int
    attended: int
    absent: int


@dataclass
class EnrolmentView:
    laestab: str
    school: str
    phase: str | None
    year_group: str | None
    entry_date: str | None
    leaving_date: str | None
    period: dict[str, Any] | None  # from, to, label, last_marks (the school's)
    figures: PupilEntry | None
    terms: list[TermFigures]
    previous_year: TermFigures | None
    register: list[RegisterWeek]
    registration_group: str | None = None


@dataclass
class Casework:
    lead_practitioner: str | None
    lead_agency: str | None
    open_actions: int
    overdue_actions: int
    next_review: dt.date | None
    has_plan: bool


@dataclass
class PupilRecord:
    upn: str
    surname: str | None
    forename: str | None
    date_of_birth: str | None
    gender: str | None
    fsm: bool | None
    sen: str | None
    social_worker: str | None
    looked_after: bool | None
    casework: Casework | None
    enrolments: list[EnrolmentView]


def show_pupil(
    conn: sqlite3.Connection,
    *,
    upn: str,
    year: int | None = None,
    config: ThresholdConfig = DEFAULT_CONFIG,
    today: dt.date | None = None,
) -> PupilRecord:
    """Everything held about one pupil's attendance, per enrolment (see the module docstring).
    Raises InvalidInputError for a malformed UPN and NotFoundError for an unknown one."""
    wanted = normalise_upn(upn)
    problem = upn_problem(wanted)
    if problem:
        raise InvalidInputError(problem, hint="Check the UPN: 13 characters, e.g. B801200005001.")
    row = conn.execute(
        "SELECT id, upn, coalesce(surname, name_as_written), forename, date_of_birth, gender, fsm, sen, social_worker, "
        "looked_after FROM pupil WHERE upn = ?",
        (wanted,),
    ).fetchone()
    if row is None:
        raise NotFoundError(
            f"No pupil with UPN {wanted} in the database",
            hint="Check the UPN, or import the school's roster and registers first.",
        )
    pupil_id = row[0]
    from attendance_cli.cases.service import casework_summaries

    found = casework_summaries(conn, [pupil_id], today=today).get(pupil_id)
    years = [
        y
        for (y,) in conn.execute(
            "SELECT DISTINCT m.academic_year FROM mark_year m JOIN enrolment e "
            "ON e.id = m.enrolment_id WHERE e.pupil_id = ? ORDER BY 1",
            (pupil_id,),
        )
    ]
    records = load_enrolments(conn, years=years, pupil_id=pupil_id)
    schools = {
        school_id: (laestab, name, phase)
        for school_id, laestab, name, phase in conn.execute(
            "SELECT id, laestab, name, phase FROM school"
        )
    }
    views = [
        _enrolment(conn, record, schools[record.school_id], year, config, found)
        for record in records
    ]
    views.sort(key=lambda v: (v.period is None, -(v.period["to"].toordinal() if v.period else 0)))
    return PupilRecord(
        upn=row[1],
        surname=row[2],
        forename=row[3],
        date_of_birth=row[4],
        gender=row[5],
        fsm=None if row[6] is None else bool(row[6]),
        sen=row[7],
        social_worker=row[8],
        looked_after=None if row[9] is None else bool(row[9]),
        casework=Casework(
            lead_practitioner=found.lead_practitioner,
            lead_agency=found.lead_agency,
            open_actions=found.open_actions,
            overdue_actions=found.overdue_actions,
            next_review=found.next_review,
            has_plan=found.has_plan,
        )
        if found
        else None,
        enrolments=views,
    )


def _has_marks(text: str | None) -> bool:
    return bool(text) and text.strip(codes.NO_MARK) != ""  # type: ignore[union-attr]


def _enrolment(
    conn: sqlite3.Connection,
    record: EnrolmentRecord,
    school: tuple[str, str, str | None],
    year: int | None,
    config: ThresholdConfig,
    casework: CaseworkSummary | None,
) -> EnrolmentView:
    laestab, name, phase = school
    view = EnrolmentView(
        laestab=laestab,
        school=name,
        phase=phase,
        year_group=record.year_group,
        entry_date=record.entry_date,
        leaving_date=record.leaving_date,
        period=None,
        figures=None,
        terms=[],
        previous_year=None,
        register=[],
        registration_group=record.registration_group,
    )
    marked = [y for y, text in record.marks.items() if _has_marks(text)]
    academic = year if year is not None else max(marked, default=None)
    if academic is None or academic not in marked:
        return view
    school_last = last_mark_date(conn, record.school_id)
    period = resolve_period(last_date=school_last, year=academic)
    view.period = {
        "from": period.start,
        "to": period.end,
        "label": period.label,
        "last_marks": school_last,
    }
    calendar = _school_calendar(conn, record.school_id, [academic - 1, academic])
    result = analyse_enrolment(
        marks=record.marks,
        start=period.start,
        end=period.end,
        calendar=calendar,
        config=config,
        has_social_worker=bool(record.social_worker),
        looked_after=bool(record.looked_after),
    )
    view.figures = pupil_entry(record, result, casework)
    left = _date(record.leaving_date)
    if left is not None and left <= period.end:
        # no advice on how to leave PA at a school the child has left
        view.figures.recovery_sessions_term = None
        view.figures.recovery_sessions_year = None
        view.figures.pa_unavoidable_this_year = None
    view.terms = _terms(record, period)
    if _has_marks(record.marks.get(academic - 1)):
        whole = count_sessions(
            marks=record.marks,
            start=marks.year_start(academic - 1),
            end=marks.year_end(academic - 1),
        )
        view.previous_year = TermFigures.of(marks.academic_year_label(academic - 1), whole)
    view.register = _register(record.marks[academic], academic, period.end)
    return view


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _school_calendar(conn: sqlite3.Connection, school_id: int, years: list[int]) -> SchoolCalendar:
    sessions = {}
    for year in years:
        rows = [
            text
            for (text,) in conn.execute(
                "SELECT CAST(m.marks AS BLOB) FROM mark_year m JOIN enrolment e "
                "ON e.id = m.enrolment_id WHERE e.school_id = ? AND m.academic_year = ?",
                (school_id, year),
            )
        ]
        sessions[year] = school_calendar(mark_array(rows))
    return SchoolCalendar(sessions)


def _terms(record: EnrolmentRecord, period: Period) -> list[TermFigures]:
    terms = []
    for term in TERMS:
        bounds = resolve_period(last_date=None, term=term, year=period.academic_year)
        if bounds.start > period.end:
            break
        end = min(bounds.end, period.end)
        figures = count_sessions(marks=record.marks, start=bounds.start, end=end)
        terms.append(TermFigures.of(bounds.label, figures))
    return terms


def _register(text: str, year: int, end: dt.date) -> list[RegisterWeek]:
    weeks = []
    size = marks.SESSIONS_PER_WEEK
    for week in range(marks.WEEKS_PER_YEAR):
        monday = marks.year_base(year) + dt.timedelta(weeks=week)
        if monday > end:
            break
        chunk = text[week * size : (week + 1) * size]
        if not _has_marks(chunk):
            continue
        cells: list[str | None] = []
        for offset, stored in enumerate(chunk):
            day = monday + dt.timedelta(days=offset // 2)
            cells.append(None if stored == codes.NO_MARK else codes.describe_stored(stored, day)[0])
        counts = count_segment(chunk)
        weeks.append(
            RegisterWeek(
                week_beginning=monday,
                marks=cells,
                possible=counts.possible,
                attended=counts.attended,
                absent=counts.absent,
            )
        )
    return weeks
