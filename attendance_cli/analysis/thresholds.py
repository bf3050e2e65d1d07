"""Thresholds officers act on: at risk of PA, recovery, penalty notices, continuous absence.

Choices made where the rules are silent (attendance-rules.md states the rules themselves):

At risk of persistent absence (only for enrolments not already PA), one reason per test met:
    ``period_absence``  absence >= 7% over the period (``100·absent >= 7·possible``);
    ``recent_absence``  absence >= 10% over the last 4 school weeks of the period (the sessions
                        from the Monday of the 4th-last school week, or the period start if
                        later, to the period end);
    ``previous_year_pa`` persistently absent over the whole previous academic year (of the
                        period's end), from the caller's flag or, failing that, the marks.
    An enrolment with no possible sessions can still be at risk through ``previous_year_pa``.

Recovery (PA enrolments only)
    The period's own figures are extended to a horizon assuming every future session is
    attended: the smallest k with ``10·absent < possible + k`` (k = 10·absent − possible + 1).
    Horizons: the end of the current term (the first assumed term end on or after the period
    end: a period ending on the last day of term has 0 sessions left that term) and the end of
    the academic year, both from ``calendar.assumed_terms``. Remaining sessions come from the
    school calendar up to the last school session it has seen, and from the assumed 190-day
    year beyond that. k > remaining means PA is unavoidable for that horizon.

Penalty-notice threshold
    Rolling windows of 10 *school* weeks (weeks with a school session; holiday weeks are
    skipped and do not count) over all the marks supplied, so windows span terms and years.
    The window "at" an unauthorised session holds the unauthorised sessions of its own school
    week and the 9 school weeks before, up to and including that session. The threshold is met
    in the period when that count reaches 10 at an unauthorised session dated in the period;
    the earliest such session is reported (it is the 10th in its window, unless the window had
    already reached 10 before the period started, in which case it is the period's first
    unauthorised session and ``first_met_window_count`` says how many the window held).
    ``met_at_end`` looks at the last 10 school weeks with a session on or before the period end
    (fewer when the marks do not go back that far).

Continuous absence (counted in school days: weekdays with a school session)
    A day is *absent* when the pupil had at least one possible session and every possible
    session that day was an absence (so AM ``I`` + PM ``#`` is absent); *unauthorised-absent*
    when every possible session was unauthorised (AM ``I`` + PM ``O`` breaks an unauthorised
    run). A school day with no possible session for the pupil is *neutral* when it carries a
    mark (a not-possible code such as ``D``, ``Y1`` or ``#``, or ``-`` not yet marked): it is
    skipped, neither counted nor breaking the run: the pupil was on roll but not expected in
    school, or not yet marked. A school day with no mark at all (``.``: not on roll, or no
    register taken) breaks the run.
    Runs are followed back before the period start (a child missing since before the period is
    not undercounted); only runs reaching into the period are reported, the longest (earliest
    on a tie). A run is still running when no breaking day follows it up to the period end.
    Flags: >= 10 days of continuous unauthorised absence (the school must tell the LA), >= 20
    (possible child missing education), and any ``N``/``O`` in the period for a child with a
    social worker or looked after.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from attendance_cli import marks
from attendance_cli.analysis.calendar import (
    Timeline,
    assumed_sessions_between,
    assumed_terms,
    from_ordinal,
    sorted_unique,
)
from attendance_cli.analysis.counts import BoolArray, IntArray, is_persistent, percent
from attendance_cli.codes import NO_MARK
from attendance_cli.errors import UsageError
from attendance_cli.text import plural


def _exact(value: int | float | Fraction) -> Fraction:
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


@dataclass(frozen=True)
class ThresholdConfig:
    """Thresholds used by the figures.

    Defaults: the at-risk tests specified for ``att`` (7% over the period; 10% over its last 4
    school weeks); penalty, continuous-absence and deletion thresholds from the national
    framework and guidance (attendance-rules.md); pattern tests p < 0.01 with >= 4 sessions.
    Percentages are compared exactly (``100·absent >= percent·possible``): a float such as 7.5
    is read as the decimal it prints as.
    """

    at_risk_percent: int | float | Fraction = 7  # absence over the period: at risk
    recent_weeks: int = 4  # school weeks at the end of the period looked at again
    recent_percent: int | float | Fraction = 10  # absence over those weeks: at risk
    penalty_sessions: int = 10  # unauthorised sessions ... (national framework, Aug 2024)
    penalty_weeks: int = 10  # ... within this many school weeks
    notify_la_days: int = 10  # continuous unauthorised absence the school must report
    missing_education_days: int = 20  # continuous unauthorised absence: possible CME
    pattern_p_value: float = 0.01  # binomial tail below which a pattern is flagged
    pattern_min_absent: int = 4  # and at least this many absent sessions in it
    holiday_gap_weekdays: int = 3  # weekdays without school that make a holiday
    top_reasons: int = 5  # reason codes listed

    def __post_init__(self) -> None:
        counts = (
            self.recent_weeks,
            self.penalty_sessions,
            self.penalty_weeks,
            self.notify_la_days,
            self.missing_education_days,
            self.holiday_gap_weekdays,
        )
        if min(counts) < 1 or self.top_reasons < 0 or self.pattern_min_absent < 0:
            raise UsageError("Threshold weeks, days and session counts must be at least 1")
        if (
            not 0 <= _exact(self.at_risk_percent) <= 100
            or not 0 <= _exact(self.recent_percent) <= 100
        ):
            raise UsageError("Threshold percentages must be between 0 and 100")


DEFAULT_CONFIG = ThresholdConfig()


@dataclass(frozen=True)
class Reason:
    """One explainable flag: a stable short code and text for officers."""

    code: str
    text: str


# A few words for each reason code, for on-screen tables (the full texts are in the JSON).
SHORT_LABELS = {
    "period_absence": "7%+ absence",
    "recent_absence": "10%+ last 4 weeks",
    "previous_year_pa": "PA last year",
    "continuous_unauthorised_absence": "10+ days unauthorised: tell LA",
    "possible_missing_education": "20+ days: possible CME",
    "unexplained_absence_social_worker": "N/O: tell social worker",
    "unexplained_absence_looked_after": "N/O: tell social worker and virtual school",
}


def short_label(code: str) -> str:
    """The on-screen label of a reason code (the code itself for one without a label)."""
    return SHORT_LABELS.get(code, code)


def _meets(absent: int, possible: int, percent_threshold: int | float | Fraction) -> bool:
    return possible > 0 and 100 * absent >= _exact(percent_threshold) * possible


def _pct_text(absent: int, possible: int) -> str:
    return f"{percent(absent, possible)}% ({absent} of {possible} sessions)"


def at_risk_reasons(
    timeline: Timeline,
    *,
    start: dt.date,
    end: dt.date,
    absent: int,
    possible: int,
    previous_year_persistent: bool,
    previous_year_detail: str = "",
    config: ThresholdConfig = DEFAULT_CONFIG,
) -> tuple[Reason, ...]:
    """Why an enrolment that is not PA is at risk of becoming PA (empty when PA or not at risk)."""
    if is_persistent(absent, possible):
        return ()
    reasons: list[Reason] = []
    if _meets(absent, possible, config.at_risk_percent):
        reasons.append(
            Reason(
                "period_absence",
                f"Absence {_pct_text(absent, possible)} over the period, at or above "
                f"{config.at_risk_percent}%",
            )
        )
    weeks = timeline.school_weeks(start, end)[-config.recent_weeks :]
    if weeks.size:
        first = max(start, from_ordinal(weeks[0]))
        window = timeline.between(first, end)
        recent_possible = int(timeline.possible[window].sum())
        recent_absent = int(timeline.absent[window].sum())
        if _meets(recent_absent, recent_possible, config.recent_percent):
            reasons.append(
                Reason(
                    "recent_absence",
                    f"Absence {_pct_text(recent_absent, recent_possible)} over the last "
                    f"{weeks.size} school weeks (from {first.isoformat()}), at or above "
                    f"{config.recent_percent}%",
                )
            )
    if previous_year_persistent:
        reasons.append(
            Reason(
                "previous_year_pa",
                "Persistently absent in the previous academic year"
                + (f" ({previous_year_detail})" if previous_year_detail else ""),
            )
        )
    return tuple(reasons)


# --- recovery -------------------------------------------------------------------------------


def sessions_to_recover(absent: int, possible: int) -> int:
    """Sessions to attend in a row so absence falls below 10%: smallest k, 10·absent < possible + k.

    0 when there is no absence (nothing to recover from, even with no possible sessions).
    """
    if absent == 0:
        return 0
    return max(0, 10 * absent - possible + 1)


@dataclass(frozen=True)
class RecoveryHorizon:
    horizon: str  # "term" or "year"
    label: str  # e.g. "end of spring term 2025"
    date: dt.date
    remaining_sessions: int
    remaining_from: str  # "calendar", "assumed", "calendar+assumed" or "past"
    sessions_needed: int
    days_needed: float
    unavoidable: bool  # sessions_needed > remaining_sessions


@dataclass(frozen=True)
class Recovery:
    absent: int
    possible: int
    sessions_needed: int
    term: RecoveryHorizon
    year: RecoveryHorizon


def remaining_sessions(timeline: Timeline, *, after: dt.date, through: dt.date) -> tuple[int, str]:
    """School sessions after ``after`` up to ``through``: the calendar as far as it has seen a
    school session, the assumed year beyond. Returns (sessions, where they came from)."""
    if through <= after:
        return 0, "past"
    seen = timeline.ordinals[timeline.school]
    last_seen = from_ordinal(seen.max()) if seen.size else after
    known_until = min(through, last_seen)
    known = 0
    if known_until > after:
        known = int(
            timeline.school[timeline.between(after + dt.timedelta(days=1), known_until)].sum()
        )
    assumed_from = max(after, last_seen)
    assumed = assumed_sessions_between(assumed_from, through) if through > assumed_from else 0
    source = "+".join(
        name
        for name, used in (("calendar", known_until > after), ("assumed", through > assumed_from))
        if used
    )
    return known + assumed, source


def plan_recovery(timeline: Timeline, *, end: dt.date, absent: int, possible: int) -> Recovery:
    """How many sessions in a row a PA pupil must attend to fall below 10% by term / year end."""
    needed = sessions_to_recover(absent, possible)
    year = marks.academic_year(end)
    terms = assumed_terms(year)
    term_name, term_end = next(
        ((name, date) for name, date in terms.term_ends() if date >= end), terms.term_ends()[-1]
    )

    def horizon(kind: str, label: str, date: dt.date) -> RecoveryHorizon:
        remaining, source = remaining_sessions(timeline, after=end, through=date)
        return RecoveryHorizon(
            horizon=kind,
            label=label,
            date=date,
            remaining_sessions=remaining,
            remaining_from=source,
            sessions_needed=needed,
            days_needed=needed / 2,
            unavoidable=needed > remaining,
        )

    return Recovery(
        absent=absent,
        possible=possible,
        sessions_needed=needed,
        term=horizon("term", f"end of {term_name} term {term_end.year}", term_end),
        year=horizon("year", f"end of {marks.academic_year_label(year)}", terms.summer_end),
    )


# --- penalty-notice threshold ---------------------------------------------------------------


@dataclass(frozen=True)
class PenaltyThreshold:
    sessions: int  # the threshold: this many unauthorised sessions ...
    weeks: int  # ... within this many school weeks
    unauthorised_in_period: int
    met_in_period: bool
    first_met_date: dt.date | None
    first_met_session: str | None  # "AM" / "PM"
    first_met_window_start: dt.date | None  # Monday of the window's first school week
    first_met_window_count: int | None
    met_at_end: bool
    end_window_start: dt.date | None
    end_window_weeks: int
    end_window_count: int


def check_penalty_threshold(
    timeline: Timeline, *, start: dt.date, end: dt.date, config: ThresholdConfig = DEFAULT_CONFIG
) -> PenaltyThreshold:
    """The penalty-notice threshold over rolling windows of school weeks."""
    size, needed = config.penalty_weeks, config.penalty_sessions
    upto = timeline.ordinals <= end.toordinal()
    weeks = sorted_unique(timeline.mondays[timeline.school & upto])
    unauthorised = np.flatnonzero(timeline.unauthorised & upto)
    week_of = np.searchsorted(weeks, timeline.mondays[unauthorised])
    window_first = np.searchsorted(week_of, week_of - (size - 1), side="left")
    in_window = np.arange(len(unauthorised)) - window_first + 1
    in_period = timeline.ordinals[unauthorised] >= start.toordinal()
    hits = np.flatnonzero((in_window >= needed) & in_period)

    first_date = first_session = first_window_start = None
    first_count = None
    if hits.size:
        hit = int(hits[0])
        index = int(unauthorised[hit])
        first_date, first_session = timeline.date(index), timeline.session_name(index)
        first_window_start = from_ordinal(weeks[max(int(week_of[hit]) - (size - 1), 0)])
        first_count = int(in_window[hit])

    end_weeks = weeks[-size:]
    end_start = from_ordinal(end_weeks[0]) if end_weeks.size else None
    end_count = int((timeline.mondays[unauthorised] >= end_weeks[0]).sum()) if end_weeks.size else 0
    return PenaltyThreshold(
        sessions=needed,
        weeks=size,
        unauthorised_in_period=int(in_period.sum()),
        met_in_period=bool(hits.size),
        first_met_date=first_date,
        first_met_session=first_session,
        first_met_window_start=first_window_start,
        first_met_window_count=first_count,
        met_at_end=end_count >= needed,
        end_window_start=end_start,
        end_window_weeks=int(end_weeks.size),
        end_window_count=end_count,
    )


# --- continuous absence ---------------------------------------------------------------------


@dataclass(frozen=True)
class AbsenceRun:
    days: int  # school days absent (neutral days skipped are not counted)
    start: dt.date
    end: dt.date
    still_running: bool  # nothing broke the run up to the period end


@dataclass(frozen=True)
class ContinuousAbsence:
    longest: AbsenceRun | None
    longest_unauthorised: AbsenceRun | None


def _longest_run(
    day_ordinals: IntArray, counted: BoolArray, extends: BoolArray, start: dt.date
) -> AbsenceRun | None:
    """Longest run of ``extends`` among the ``counted`` days, ending on or after ``start``."""
    ordinals = day_ordinals[counted]
    values = extends[counted].astype(np.int8)
    edges = np.diff(np.concatenate(([0], values, [0])))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    keep = ordinals[stops] >= start.toordinal() if stops.size else np.zeros(0, dtype=bool)
    starts, stops = starts[keep], stops[keep]
    if not starts.size:
        return None
    best = int(np.argmax(stops - starts))
    return AbsenceRun(
        days=int(stops[best] - starts[best] + 1),
        start=from_ordinal(ordinals[starts[best]]),
        end=from_ordinal(ordinals[stops[best]]),
        still_running=bool(stops[best] == len(ordinals) - 1),
    )


def counted_days(timeline: Timeline, *, end: dt.date) -> tuple[IntArray, BoolArray]:
    """Each weekday's ordinal, and whether it counts in a run of days: a school day up to
    ``end`` that is not neutral for the pupil (a day with no possible session of theirs but a
    mark, e.g. D, Y1-Y7, Q, X, is skipped: it neither extends nor breaks a run)."""
    days = timeline.ordinals[::2]
    school_day = timeline.school.reshape(-1, 2).any(axis=1) & (days <= end.toordinal())
    possible = timeline.possible.reshape(-1, 2).sum(axis=1)
    unmarked = (timeline.chars.reshape(-1, 2) == ord(NO_MARK)).all(axis=1)
    neutral = (possible == 0) & ~unmarked
    return days, school_day & ~neutral


def run_reached(timeline: Timeline, run: AbsenceRun, days: int) -> dt.date | None:
    """The day ``run`` reached ``days`` counted school days (None if it never did)."""
    ordinals, counted = counted_days(timeline, end=run.end)
    inside = ordinals[counted & (ordinals >= run.start.toordinal())]
    return from_ordinal(inside[days - 1]) if days <= min(run.days, inside.size) else None


def find_continuous_absence(
    timeline: Timeline, *, start: dt.date, end: dt.date
) -> ContinuousAbsence:
    """Longest runs of whole-day absence (any, and unauthorised) reaching into the period."""
    days, counted = counted_days(timeline, end=end)
    possible = timeline.possible.reshape(-1, 2).sum(axis=1)
    absent = timeline.absent.reshape(-1, 2).sum(axis=1)
    unauthorised = timeline.unauthorised.reshape(-1, 2).sum(axis=1)
    return ContinuousAbsence(
        longest=_longest_run(days, counted, (possible > 0) & (absent == possible), start),
        longest_unauthorised=_longest_run(
            days, counted, (possible > 0) & (unauthorised == possible), start
        ),
    )


def safeguarding_flags(
    continuous: ContinuousAbsence,
    *,
    unexplained_sessions: int,
    has_social_worker: bool,
    looked_after: bool,
    config: ThresholdConfig = DEFAULT_CONFIG,
) -> tuple[Reason, ...]:
    """Flags an officer must act on: long continuous unauthorised absence, unexplained absence
    of a child with a social worker or looked after."""
    flags: list[Reason] = []
    run = continuous.longest_unauthorised
    if run is not None and run.days >= config.notify_la_days:
        flags.append(
            Reason(
                "continuous_unauthorised_absence",
                f"{plural(run.days, 'school day')} of continuous unauthorised absence from "
                f"{run.start.isoformat()}: the school must tell the LA "
                f"({plural(config.notify_la_days, 'day')} or more)",
            )
        )
    if run is not None and run.days >= config.missing_education_days:
        flags.append(
            Reason(
                "possible_missing_education",
                f"{plural(run.days, 'school day')} of continuous unauthorised absence: possible child "
                f"missing education; make joint reasonable enquiries",
            )
        )
    if unexplained_sessions and has_social_worker:
        flags.append(
            Reason(
                "unexplained_absence_social_worker",
                f"{plural(unexplained_sessions, 'session')} of unexplained absence (N/O): tell the "
                f"child's social worker",
            )
        )
    if unexplained_sessions and looked_after:
        flags.append(
            Reason(
                "unexplained_absence_looked_after",
                f"{plural(unexplained_sessions, 'session')} of unexplained absence (N/O) of a looked-after "
                f"child: tell the child's social worker and the virtual school head",
            )
        )
    return tuple(flags)
