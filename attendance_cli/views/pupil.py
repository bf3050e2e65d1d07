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
from dataclasses import dataclass
from typing import TYPE_CHECKING

from attendance_cli import codes, marks
from attendance_cli.analysis.counts import count_segment
from attendance_cli.analysis.dataset import (
    TERMS,
    EnrolmentRecord,
    Period,
    ReportPeriod,
    last_mark_date,
    resolve_period,
    school_calendar_of,
)
from attendance_cli.analysis.figures import (
    COUNT_KEYS,
    Figures,
    PeriodFigures,
    analyse_enrolment,
    count_sessions,
)
from attendance_cli.analysis.thresholds import DEFAULT_CONFIG, ThresholdConfig
from attendance_cli.records import JsonRecord, flat_keys
from attendance_cli.store import Store
from attendance_cli.store import registers as store_registers
from attendance_cli.store.conversions import date_text
from attendance_cli.store.registers import Pupil, School
from attendance_cli.tsm.pack import PupilEntry, pupil_entry

if TYPE_CHECKING:
    from attendance_cli.cases.lists import CaseworkSummary


@dataclass(frozen=True, eq=False)
class TermFigures(JsonRecord):
    """The DfE counts of one term (or a whole year), published flat (``TERM_FIGURES``)."""

    term: str  # "autumn term 2025/26", or "2024/25" for a whole year
    start: dt.date
    end: dt.date
    figures: Figures

    @classmethod
    def of(cls, term: str, f: PeriodFigures) -> TermFigures:
        return cls(term=term, start=f.start, end=f.end, figures=f)


TERM_FIGURES = (
    *COUNT_KEYS,
    "sessions_missed",
    "days_missed",
    "attendance_pct",
    "absence_pct",
    "persistent",
    "severe",
)
TermFigures.JSON_KEYS = flat_keys(TermFigures, figures=TERM_FIGURES)


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
    entry_date: str | None  # ISO, as published (the record's dates as text)
    leaving_date: str | None
    period: ReportPeriod | None  # last_marks: the school's
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


@dataclass(eq=False)
class PupilRecord(JsonRecord):
    """The pupil (published flat: ``PUPIL_DETAILS``), the open case, and each enrolment."""

    pupil: Pupil
    casework: Casework | None
    enrolments: list[EnrolmentView]


PUPIL_DETAILS = (
    "upn",
    "surname",
    "forename",
    "date_of_birth",
    "gender",
    "fsm",
    "sen",
    "social_worker",
    "looked_after",
)
PupilRecord.JSON_KEYS = flat_keys(PupilRecord, pupil=PUPIL_DETAILS)


def show_pupil(
    store: Store,
    *,
    upn: str,
    year: int | None = None,
    config: ThresholdConfig = DEFAULT_CONFIG,
    today: dt.date | None = None,
) -> PupilRecord:
    """Everything held about one pupil's attendance, per enrolment (see the module docstring).
    Raises InvalidInputError for a malformed UPN and NotFoundError for an unknown one."""
    pupil = store_registers.find_pupil(store, upn)
    from attendance_cli.cases.lists import casework_summaries

    found = casework_summaries(store, [pupil.id], today=today).get(pupil.id)
    years = store_registers.marked_years(store, pupil_id=pupil.id)
    records = store_registers.load_enrolments(store, years=years, pupil_id=pupil.id)
    schools = {school.id: school for school in store_registers.all_schools(store)}
    views = [
        _enrolment(store, record, schools[record.school_id], year, config, found)
        for record in records
    ]
    views.sort(key=lambda v: (v.period is None, -(v.period.end.toordinal() if v.period else 0)))
    return PupilRecord(
        pupil=pupil,
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
    store: Store,
    record: EnrolmentRecord,
    school: School,
    year: int | None,
    config: ThresholdConfig,
    casework: CaseworkSummary | None,
) -> EnrolmentView:
    view = EnrolmentView(
        laestab=school.laestab,
        school=school.name,
        phase=school.phase,
        year_group=record.year_group,
        entry_date=date_text(record.entry_date),
        leaving_date=date_text(record.leaving_date),
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
    school_last = last_mark_date(store, record.school_id)
    period = resolve_period(last_date=school_last, year=academic)
    view.period = ReportPeriod.of(period, school_last)
    calendar = school_calendar_of(store, record.school_id, [academic - 1, academic])
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
    left = record.leaving_date
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


def register_category(code: str | None, day: dt.date) -> str | None:
    """The category (``present``, ``authorised``, ..., ``missing``) of a mark as the register
    grid shows it (``RegisterWeek.marks``) on ``day``; None for no mark or an unknown code."""
    if code is None:
        return None
    if code == codes.MISSING_MARK:
        return "missing"
    found = codes.lookup(code, day)
    return found.category.value if found else None


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
