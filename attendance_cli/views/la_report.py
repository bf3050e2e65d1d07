"""The LA-wide report: ``prepare_la_report`` -> ``LaReport`` (``att report la``).

Over one period for every enrolment in the database (default: the LA's academic year to date,
up to the last date with marks anywhere; ``term``/``year``/``start``/``end`` as for the TSM
pack):

* ``summary``: the LA headline (``analysis.summary``), beside the latest national figures;
* ``schools``: every school's headline (``views.schools.SchoolRow``), ranked by PA rate;
* ``cohorts``: LA-wide breakdowns by year group, FSM, SEN, social care and gender;
* ``social_care``: every child with a social worker (CIN/CP) or looked after and on roll in the
  period (the virtual school's view), looked-after children first;
* ``penalty_threshold``: enrolments meeting the penalty-notice threshold in the period, or in
  the 10 school weeks ending on its last day;
* ``continuous_absence``: enrolments with a run of continuous unauthorised absence reaching into
  the period of at least 10 school days (the school must tell the LA; 20: possible child
  missing education).

Figures are per enrolment (a pupil at two schools appears once per school). Counting is
vectorised for the whole LA; the exact rules of ``analysis.thresholds`` (penalty threshold,
continuous absence, safeguarding flags) run only for the enrolments a vectorised screen
(``analysis.screening``) cannot rule out, so every listed figure is the one the TSM pack shows.
Listed pupils carry ``persistent``/``severe`` rather than the pack's band: the at-risk tests are
for the termly meeting, not an LA list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from attendance_cli import marks
from attendance_cli.analysis import national
from attendance_cli.analysis.calendar import SchoolCalendar
from attendance_cli.analysis.counts import (
    UNEXPLAINED_STORED,
    SessionCounts,
    count_period,
    mark_array,
)
from attendance_cli.analysis.dataset import (
    EnrolmentRecord,
    Period,
    ReportPeriod,
    last_mark_date,
    resolve_period,
)
from attendance_cli.analysis.figures import Figures, PeriodFigures, enrolment_timeline
from attendance_cli.analysis.screening import screen_school
from attendance_cli.analysis.summary import (
    Cohort,
    GroupSummary,
    summarise_cohorts,
    summarise_counts,
)
from attendance_cli.analysis.thresholds import (
    DEFAULT_CONFIG,
    AbsenceRun,
    ContinuousAbsence,
    PenaltyThreshold,
    ThresholdConfig,
    check_penalty_threshold,
    find_continuous_absence,
    safeguarding_flags,
)
from attendance_cli.errors import NotFoundError
from attendance_cli.records import JsonRecord, flat_keys
from attendance_cli.store import Store
from attendance_cli.store import registers as store_registers
from attendance_cli.views.schools import SchoolRow, ranked, school_rows


@dataclass(eq=False)
class LaPupil(JsonRecord):
    """One enrolment listed in the LA report; its ``figures`` are published flat
    (``LA_PUPIL_FIGURES``)."""

    laestab: str
    school: str
    upn: str
    surname: str | None
    forename: str | None
    year_group: str | None
    gender: str | None
    social_worker: str | None
    looked_after: bool | None
    figures: Figures  # persistent: 10·absent >= possible; severe: 2·absent >= possible
    unexplained_sessions: int  # N and O in the period
    penalty_threshold_met: bool
    penalty_threshold_date: dt.date | None
    penalty_threshold_met_now: bool
    unauthorised_last_10_weeks: int | None  # in the 10 school weeks ending on the period end
    longest_unauthorised_days: int  # longest run of unauthorised school days into the period
    longest_unauthorised_from: dt.date | None  # given for runs of 10 days or more
    longest_unauthorised_running: bool | None
    flags: list[str]
    flag_codes: list[str]
    lead_practitioner: str | None = None
    open_actions: int = 0
    next_review: dt.date | None = None


LA_PUPIL_FIGURES = (
    "possible",
    "attended",
    "authorised",
    "unauthorised",
    "sessions_missed",
    "days_missed",
    "attendance_pct",
    "absence_pct",
    "persistent",
    "severe",
)
LaPupil.JSON_KEYS = flat_keys(LaPupil, figures=LA_PUPIL_FIGURES)
PUPIL_COLUMNS = list(LaPupil.JSON_KEYS)


@dataclass
class LaReport:
    period: ReportPeriod
    summary: GroupSummary
    national: national.NationalFigures
    schools: list[SchoolRow]  # ranked by PA rate, highest first
    cohorts: list[Cohort]
    social_care: list[LaPupil]
    penalty_threshold: list[LaPupil]
    continuous_absence: list[LaPupil]
    thresholds: dict[str, int]


def prepare_la_report(
    store: Store,
    *,
    term: str | None = None,
    year: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    config: ThresholdConfig = DEFAULT_CONFIG,
    today: dt.date | None = None,
) -> LaReport:
    last = last_mark_date(store)
    if last is None:
        raise NotFoundError(
            "The database has no register marks yet",
            hint="Import the schools' registers first: att import FILE...",
        )
    period = resolve_period(last_date=last, term=term, year=year, start=start, end=end)
    years = list(range(marks.academic_year(period.start) - 1, period.academic_year + 1))
    records = store_registers.load_enrolments(store, years=years)
    arrays = {y: mark_array([r.marks.get(y, marks.EMPTY_YEAR) for r in records]) for y in years}
    counts = count_period(arrays, period.start, period.end)
    school_ids = np.array([r.school_id for r in records], dtype=np.int64)
    schools = school_rows(
        store,
        school_ids=school_ids,
        counts=counts,
        marks_now=arrays[period.academic_year],
        year=period.academic_year,
        year_groups=[r.year_group for r in records],
    )
    social = np.array([bool(r.looked_after or r.social_worker) for r in records], dtype=bool)
    social &= counts.possible > 0
    found = _check_flagged(records, arrays, school_ids, period.start, period.end, config)
    schools_by_id = {s.id: (s.laestab, s.name) for s in store_registers.all_schools(store)}
    social_rows = np.flatnonzero(social)
    listed = sorted(
        set(social_rows.tolist())
        | {
            i
            for i, f in found.items()
            if (f.penalty and (f.penalty.met_in_period or f.penalty.met_at_end))
            or f.run_days >= config.notify_la_days
        }
    )
    rows = np.array(listed, dtype=np.int64)
    unexplained = _unexplained(arrays, rows, period.start, period.end).tolist()
    entries = {
        i: _pupil(
            records[i],
            counts.at(i),
            found.get(i, _Found()),
            unexplained[n],
            schools_by_id[records[i].school_id],
            period,
            config,
        )
        for n, i in enumerate(listed)
    }
    social_care = [entries[i] for i in social_rows.tolist()]
    social_care.sort(
        key=lambda p: (
            not p.looked_after,
            not p.figures.severe,
            not p.figures.persistent,
            -(p.figures.absence_pct or 0),
            p.upn,
        )
    )
    penalty = [
        p for p in entries.values() if p.penalty_threshold_met or p.penalty_threshold_met_now
    ]
    penalty.sort(
        key=lambda p: (
            not p.penalty_threshold_met_now,
            -(p.unauthorised_last_10_weeks or 0),
            -p.figures.unauthorised,
            p.upn,
        )
    )
    continuous = [
        p for p in entries.values() if p.longest_unauthorised_days >= config.notify_la_days
    ]
    continuous.sort(key=lambda p: (-p.longest_unauthorised_days, p.laestab, p.upn))
    _add_casework(store, records, entries, today)
    return LaReport(
        period=ReportPeriod.of(period, last),
        summary=summarise_counts(counts),
        national=national.latest(),
        schools=ranked(schools),
        cohorts=summarise_cohorts(records, counts),
        social_care=social_care,
        penalty_threshold=penalty,
        continuous_absence=continuous,
        thresholds={
            "penalty_sessions": config.penalty_sessions,
            "penalty_weeks": config.penalty_weeks,
            "notify_la_days": config.notify_la_days,
            "missing_education_days": config.missing_education_days,
        },
    )


@dataclass
class _Found:
    """What the exact checks found for one enrolment."""

    penalty: PenaltyThreshold | None = None  # checked when the screen could not rule it out
    run: AbsenceRun | None = None  # checked when the run is long enough to flag
    run_days: int = 0  # the screen's longest unauthorised run (equal to the exact rule's)


def _check_flagged(
    records: list[EnrolmentRecord],
    arrays: dict[int, np.ndarray],
    school_ids: np.ndarray,
    start: dt.date,
    end: dt.date,
    config: ThresholdConfig,
) -> dict[int, _Found]:
    """The exact penalty-threshold check for the enrolments the screen cannot rule out, and the
    exact continuous-absence run for those with a run long enough to flag, school by school
    (each with its own calendar). Returns them by row."""
    found: dict[int, _Found] = {}
    order = np.argsort(school_ids, kind="stable")
    for rows in np.split(order, np.flatnonzero(np.diff(school_ids[order])) + 1):
        if not rows.size:
            continue
        mine = {year: array[rows] for year, array in arrays.items()}
        screen = screen_school(mine, start=start, end=end, config=config)
        long_run = screen.longest_unauthorised_days >= config.notify_la_days
        wanted = screen.penalty_possible | long_run
        for at in np.flatnonzero(screen.longest_unauthorised_days).tolist():
            found[int(rows[at])] = _Found(run_days=int(screen.longest_unauthorised_days[at]))
        if not wanted.any():
            continue
        calendar = SchoolCalendar.from_strings(mine)
        for at in np.flatnonzero(wanted).tolist():
            index = int(rows[at])
            timeline = enrolment_timeline(records[index].marks, calendar, start, end)
            result = found.setdefault(index, _Found())
            if screen.penalty_possible[at]:
                result.penalty = check_penalty_threshold(
                    timeline, start=start, end=end, config=config
                )
            if long_run[at]:
                result.run = find_continuous_absence(
                    timeline, start=start, end=end
                ).longest_unauthorised
    return found


def _unexplained(
    arrays: dict[int, np.ndarray], rows: np.ndarray, start: dt.date, end: dt.date
) -> np.ndarray:
    """N and O sessions in the period of the given rows."""
    stored = np.array([ord(ch) for ch in UNEXPLAINED_STORED], dtype=np.uint8)
    total = np.zeros(rows.size, dtype=np.int64)
    for year in marks.years_between(start, end):
        lo, hi = marks.span(year, start, end)
        total += np.isin(arrays[year][rows, lo:hi], stored).sum(axis=1)
    return total


def _pupil(
    record: EnrolmentRecord,
    counts: SessionCounts,
    found: _Found,
    unexplained: int,
    school: tuple[str, str],
    period: Period,
    config: ThresholdConfig,
) -> LaPupil:
    f = PeriodFigures.from_counts(counts, start=period.start, end=period.end)
    penalty, run = found.penalty, found.run
    flags = safeguarding_flags(
        ContinuousAbsence(longest=None, longest_unauthorised=run),
        unexplained_sessions=unexplained,
        has_social_worker=bool(record.social_worker),
        looked_after=bool(record.looked_after),
        config=config,
    )
    return LaPupil(
        laestab=school[0],
        school=school[1],
        upn=record.upn,
        surname=record.surname,
        forename=record.forename,
        year_group=record.year_group,
        gender=record.gender,
        social_worker=record.social_worker,
        looked_after=record.looked_after,
        figures=f,
        unexplained_sessions=unexplained,
        penalty_threshold_met=bool(penalty and penalty.met_in_period),
        penalty_threshold_date=penalty.first_met_date if penalty else None,
        penalty_threshold_met_now=bool(penalty and penalty.met_at_end),
        unauthorised_last_10_weeks=penalty.end_window_count if penalty else None,
        longest_unauthorised_days=found.run_days,
        longest_unauthorised_from=run.start if run else None,
        longest_unauthorised_running=run.still_running if run else None,
        flags=[r.text for r in flags],
        flag_codes=[r.code for r in flags],
    )


def _add_casework(
    store: Store,
    records: list[EnrolmentRecord],
    entries: dict[int, LaPupil],
    today: dt.date | None,
) -> None:
    from attendance_cli.cases.lists import casework_summaries

    pupil_of = {i: records[i].pupil_id for i in entries}
    casework = casework_summaries(store, sorted(set(pupil_of.values())), today=today)
    for index, entry in entries.items():
        found = casework.get(pupil_of[index])
        if found:
            entry.lead_practitioner = found.lead_practitioner
            entry.open_actions = found.open_actions
            entry.next_review = found.next_review
