"""The Targeting Support Meeting pack: ``prepare_tsm_pack`` -> ``TsmPack``.

Every enrolment of the school is counted (vectorised); the full analysis (bands, at-risk reasons,
recovery, penalty threshold, continuous absence, patterns, trend) runs for every pupil who could
be listed: absence at or above the at-risk threshold, any absence in the last school weeks the
recent-absence rule looks at, enough unauthorised sessions for the penalty threshold, or PA last
year. Pupils outside that superset are band ``none`` by construction. With ``include_all`` every
enrolment is analysed. Figures are DfE-exact (see ``analysis.figures``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from attendance_cli import marks
from attendance_cli.analysis import national
from attendance_cli.analysis.calendar import SchoolCalendar
from attendance_cli.analysis.counts import (
    CountArrays,
    count_many,
    count_period,
    mark_array,
    school_calendar,
)
from attendance_cli.analysis.dataset import (
    EnrolmentRecord,
    Period,
    ReportPeriod,
    last_mark_date,
    resolve_period,
)
from attendance_cli.analysis.figures import (
    COUNT_KEYS,
    Band,
    EnrolmentFigures,
    Figures,
    analyse_enrolment,
)
from attendance_cli.analysis.summary import (
    Cohort,
    GroupSummary,
    summarise_cohorts,
    summarise_counts,
)
from attendance_cli.analysis.thresholds import DEFAULT_CONFIG, ThresholdConfig, short_label
from attendance_cli.errors import NotFoundError
from attendance_cli.records import JsonRecord, flat_keys
from attendance_cli.store import Store
from attendance_cli.store import registers as store_registers
from attendance_cli.store.registers import School
from attendance_cli.text import plural

if TYPE_CHECKING:
    from attendance_cli.cases.lists import CaseworkSummary

LISTED_BANDS = (Band.SEVERE, Band.PERSISTENT, Band.AT_RISK)


@dataclass(eq=False)
class PupilEntry(JsonRecord):
    """One enrolment's figures as listed in a pack (and shown by ``att pupil show``); its
    ``figures`` are published flat (``PUPIL_FIGURES``)."""

    upn: str
    surname: str | None
    forename: str | None
    year_group: str | None
    gender: str | None
    fsm: bool | None
    sen: str | None
    social_worker: str | None
    looked_after: bool | None
    figures: Figures
    band: str
    at_risk_reasons: list[str]
    at_risk_codes: list[str]
    penalty_threshold_met: bool
    penalty_threshold_date: dt.date | None
    penalty_threshold_met_now: bool
    longest_absence_days: int
    longest_unauthorised_days: int
    continuous_absence_running: bool
    flags: list[str]
    flag_codes: list[str]
    recovery_sessions_term: int | None
    recovery_sessions_year: int | None
    pa_unavoidable_this_year: bool | None
    pattern: list[str]
    top_reasons: list[str]
    trend_change_points: float | None
    weekly_attendance: list[float | None]
    lead_practitioner: str | None = None
    lead_agency: str | None = None
    open_actions: int = 0
    next_review: dt.date | None = None
    overdue_actions: int = 0
    has_plan: bool = False
    registration_group: str | None = None


PUPIL_FIGURES = (
    *COUNT_KEYS,
    "attendance_pct",
    "absence_pct",
    "sessions_missed",
    "days_missed",
)
PupilEntry.JSON_KEYS = flat_keys(PupilEntry, figures=PUPIL_FIGURES)
# The columns of ``att tsm prepare --format csv``: a row per listed pupil.
CSV_COLUMNS = [
    "upn",
    "surname",
    "forename",
    "year_group",
    "band",
    *PUPIL_FIGURES,
    "at_risk_reasons",
    "penalty_threshold_met",
    "penalty_threshold_date",
    "penalty_threshold_met_now",
    "longest_absence_days",
    "longest_unauthorised_days",
    "continuous_absence_running",
    "flags",
    "recovery_sessions_term",
    "recovery_sessions_year",
    "pa_unavoidable_this_year",
    "pattern",
    "top_reasons",
    "trend_change_points",
    "gender",
    "fsm",
    "sen",
    "social_worker",
    "looked_after",
    "lead_practitioner",
    "lead_agency",
    "open_actions",
    "next_review",
    "overdue_actions",
    "has_plan",
    "registration_group",
]


@dataclass
class TsmPack:
    school: School
    period: ReportPeriod
    summary: GroupSummary
    la_summary: GroupSummary
    national: national.NationalFigures
    pupils: list[PupilEntry]
    no_plan_or_lead: list[str]  # UPNs: severe or persistent with no agreed plan or no lead
    cohorts: list[Cohort] = field(default_factory=list)
    weeks: list[dt.date] = field(default_factory=list)  # week starts of weekly_attendance
    school_weekly: list[float | None] = field(default_factory=list)
    include_all: bool = False

    def listed(self, band: Band) -> list[PupilEntry]:
        return [p for p in self.pupils if p.band == band.value]


def _strings(records: list[EnrolmentRecord], year: int) -> list[str]:
    return [r.marks.get(year, marks.EMPTY_YEAR) for r in records]


def short_flags(pupil: Mapping[str, Any]) -> list[str]:
    """Short labels for a listed pupil's flags (the pack table's flag column), from the pupil
    as published (``to_jsonable(entry)``): the penalty threshold first, then the safeguarding
    and at-risk reasons, recovery and patterns. The full texts are in the JSON."""
    flags = [short_label(code) for code in pupil["flag_codes"] + pupil["at_risk_codes"]]
    if pupil["penalty_threshold_met"]:
        met = dt.date.fromisoformat(str(pupil["penalty_threshold_date"]))
        flags.insert(0, f"penalty threshold {met:%d/%m}")
    if pupil["pa_unavoidable_this_year"]:
        flags.append("PA unavoidable this year")
    elif pupil["recovery_sessions_year"]:
        flags.append(f"{plural(pupil['recovery_sessions_year'], 'session')} to leave PA")
    flags.extend(pupil["pattern"])
    return flags


def _recent_start(calendar: SchoolCalendar, end: dt.date, weeks: int) -> dt.date:
    """Monday of the ``weeks``-th last school week (a week with a school session dated on or
    before ``end``), as ``analysis.thresholds.at_risk_reasons`` counts them; looks back a year at
    most."""
    monday = end - dt.timedelta(days=end.weekday())
    found = 0
    for _ in range(53):
        days = [d for d in (monday + dt.timedelta(days=n) for n in range(5)) if d <= end]
        if any(
            calendar.year(marks.academic_year(d))[
                marks.position(d, 0) : marks.position(d, 1) + 1
            ].any()
            for d in days
        ):
            found += 1
            if found == weeks:
                break
        monday -= dt.timedelta(days=7)
    return monday


def prepare_tsm_pack(
    store: Store,
    *,
    school: str,
    term: str | None = None,
    year: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    include_all: bool = False,
    config: ThresholdConfig = DEFAULT_CONFIG,
    today: dt.date | None = None,
) -> TsmPack:
    store = Store.of(store)  # callers not yet behind the store pass a raw connection
    ref = store_registers.find_school(store, school)
    last = last_mark_date(store, ref.id)
    if last is None:
        raise NotFoundError(
            f"{ref.name} ({ref.laestab}) has no register marks yet",
            hint="Import the school's registers first: att import FILE --school " + ref.laestab,
        )
    period = resolve_period(
        last_date=last, term=term, year=year, start=start, end=end, subject=ref.name
    )
    years = list(range(marks.academic_year(period.start) - 1, marks.academic_year(period.end) + 1))
    records = store_registers.load_enrolments(store, years=years, school_id=ref.id)
    arrays = {y: mark_array(_strings(records, y)) for y in years}
    calendar = SchoolCalendar({y: school_calendar(arrays[y]) for y in years})
    counts = count_period(arrays, period.start, period.end)
    summary = summarise_counts(counts)
    if not summary.possible:  # a pack of dashes would say nothing; say why instead
        raise NotFoundError(
            f"{ref.name} ({ref.laestab}) has no register marks in {period.label} "
            f"({period.start:%d/%m/%Y} to {period.end:%d/%m/%Y})",
            hint=f"att holds its registers up to {last:%d/%m/%Y}: choose a period with marks "
            "(--year, --term, or --from and --to), or import that period's registers.",
        )
    figures = _analyse(records, arrays, counts, calendar, period, include_all, config)
    la = _la_summary(store, period)
    from attendance_cli.cases.lists import casework_summaries

    casework = casework_summaries(
        store.connection, [records[i].pupil_id for i, _ in figures], today=today
    )
    pupils = [pupil_entry(records[i], f, casework.get(records[i].pupil_id)) for i, f in figures]
    if not include_all:
        pupils = [p for p in pupils if p.band in {b.value for b in LISTED_BANDS}]
    pupils.sort(key=lambda p: (_BAND_ORDER[p.band], -(p.absence_pct or 0), p.surname or "", p.upn))
    return TsmPack(
        school=ref,
        period=ReportPeriod.of(period, last),
        summary=summary,
        la_summary=la,
        national=national.latest(),
        pupils=pupils,
        no_plan_or_lead=[
            p.upn
            for p in pupils
            if p.band in ("severe", "persistent") and (not p.has_plan or not p.lead_practitioner)
        ],
        cohorts=summarise_cohorts(records, counts),
        include_all=include_all,
        **_school_weekly(arrays, period),
    )


_BAND_ORDER = {"severe": 0, "persistent": 1, "at_risk": 2, "none": 3}


def _analyse(
    records: list[EnrolmentRecord],
    arrays: dict[int, np.ndarray],
    counts: CountArrays,
    calendar: SchoolCalendar,
    period: Period,
    include_all: bool,
    config: ThresholdConfig,
) -> list[tuple[int, EnrolmentFigures]]:
    possible, absent = counts.possible, counts.absent
    if include_all:
        chosen = np.flatnonzero(possible > 0)
    else:
        # the superset of pupils who can be listed (see the module docstring)
        candidate = (possible > 0) & _at_or_above(absent, possible, config.at_risk_percent)
        recent = Period(
            _recent_start(calendar, period.end, config.recent_weeks), period.end, "recent"
        )
        clipped = _clip(recent, period)
        recent_counts = count_period(arrays, clipped.start, clipped.end)
        candidate |= (recent_counts.possible > 0) & _at_or_above(
            recent_counts.absent, recent_counts.possible, config.recent_percent
        )
        # a penalty window is 10 school weeks: at most ~26 calendar weeks with the summer break
        first_loaded = marks.year_start(min(arrays))
        lookback = Period(
            max(period.start - dt.timedelta(weeks=26), first_loaded), period.end, "penalty"
        )
        candidate |= (
            count_period(arrays, lookback.start, lookback.end).unauthorised
            >= config.penalty_sessions
        )
        previous = marks.academic_year(period.end) - 1
        if previous in arrays:
            before = count_many(arrays[previous])
            candidate |= (possible > 0) & before.persistent
        chosen = np.flatnonzero(candidate)
    results = []
    for index in chosen.tolist():
        record = records[index]
        results.append(
            (
                index,
                analyse_enrolment(
                    marks=record.marks,
                    start=period.start,
                    end=period.end,
                    calendar=calendar,
                    config=config,
                    has_social_worker=bool(record.social_worker),
                    looked_after=bool(record.looked_after),
                ),
            )
        )
    return results


def _at_or_above(absent: np.ndarray, possible: np.ndarray, percent: float | Fraction) -> np.ndarray:
    """100·absent/possible >= percent, exactly in integers (the threshold may be a Fraction)."""
    exact = Fraction(percent)
    return 100 * exact.denominator * absent >= exact.numerator * possible


def _clip(inner: Period, outer: Period) -> Period:
    return Period(max(inner.start, outer.start), inner.end, inner.label)


def pupil_entry(
    record: EnrolmentRecord, result: EnrolmentFigures, casework: CaseworkSummary | None
) -> PupilEntry:
    """One enrolment's figures as listed in a pack (and shown by ``att pupil show``)."""
    f = result.figures
    recovery = result.recovery
    pattern = [f"more absence on {day}s" for day in result.pattern.flagged_weekdays]
    if result.pattern.holiday_adjacent.flagged:
        pattern.append("absence around holidays")
    continuous = result.continuous
    return PupilEntry(
        upn=record.upn,
        surname=record.surname,
        forename=record.forename,
        year_group=record.year_group,
        registration_group=record.registration_group,
        gender=record.gender,
        fsm=record.fsm,
        sen=record.sen,
        social_worker=record.social_worker,
        looked_after=record.looked_after,
        figures=f,
        band=result.band.value,
        at_risk_reasons=[r.text for r in result.at_risk_reasons],
        at_risk_codes=[r.code for r in result.at_risk_reasons],
        penalty_threshold_met=result.penalty.met_in_period,
        penalty_threshold_date=result.penalty.first_met_date,
        penalty_threshold_met_now=result.penalty.met_at_end,
        longest_absence_days=continuous.longest.days if continuous.longest else 0,
        longest_unauthorised_days=continuous.longest_unauthorised.days
        if continuous.longest_unauthorised
        else 0,
        continuous_absence_running=bool(continuous.longest and continuous.longest.still_running),
        flags=[r.text for r in result.flags],
        flag_codes=[r.code for r in result.flags],
        recovery_sessions_term=recovery.term.sessions_needed if recovery else None,
        recovery_sessions_year=recovery.year.sessions_needed if recovery else None,
        pa_unavoidable_this_year=recovery.year.unavoidable if recovery else None,
        pattern=pattern,
        top_reasons=[f"{r.code} x{r.sessions}" for r in result.pattern.top_reasons],
        trend_change_points=result.trend.change_points,
        weekly_attendance=[w.attendance_pct for w in result.trend.weekly],
        lead_practitioner=casework.lead_practitioner if casework else None,
        lead_agency=casework.lead_agency if casework else None,
        open_actions=casework.open_actions if casework else 0,
        next_review=casework.next_review if casework else None,
        overdue_actions=casework.overdue_actions if casework else 0,
        has_plan=casework.has_plan if casework else False,
    )


def _la_summary(store: Store, period: Period) -> GroupSummary:
    """Every enrolment in the database over the same period (the LA benchmark)."""
    years = list(marks.years_between(period.start, period.end))
    strings = store_registers.all_marks(store, years=years, empty=marks.EMPTY_YEAR)
    arrays = {y: mark_array(strings[y]) for y in years}
    return summarise_counts(count_period(arrays, period.start, period.end))


def _school_weekly(arrays: dict[int, np.ndarray], period: Period) -> dict[str, Any]:
    weeks: list[dt.date] = []
    values: list[float | None] = []
    monday = period.start - dt.timedelta(days=period.start.weekday())
    while monday <= period.end:
        week = Period(
            max(monday, period.start), min(monday + dt.timedelta(days=4), period.end), "week"
        )
        year = marks.academic_year(week.start)
        if year in arrays and marks.academic_year(week.end) == year:
            counts = count_many(arrays[year], *marks.span(year, week.start, week.end))
            possible = int(counts.possible.sum())
            if possible:
                weeks.append(monday)
                values.append(round(100 * int(counts.attended.sum()) / possible, 1))
        monday += dt.timedelta(days=7)
    return {"weeks": weeks, "school_weekly": values}
