"""Attendance figures for one enrolment over a period: counts, rates, band and every check.

Pure functions: marks in (``{academic_year: 540-char string}``, see ``attendance_cli.marks``),
dataclasses out; no database, no printing. Two entry points:

* ``count_sessions(marks=..., start=..., end=...)`` — the DfE counts and rates only (no
  calendar needed); for many enrolments at once use ``counts.count_many``.
* ``analyse_enrolment(marks=..., start=..., end=..., calendar=...)`` — everything: band,
  at-risk reasons, recovery, penalty threshold, continuous absence, safeguarding flags,
  patterns and trend (rules and choices in ``thresholds``, ``patterns``, ``trend``,
  ``calendar``).

The period is ``start``..``end`` inclusive and may span academic years. Marks dated after the
period end are never used; marks before its start are used where a rule looks back (penalty
windows, continuous runs, the trend's comparison period, previous-year PA). Years missing from
``marks`` count as "not on roll" (all ``.``).

Band (one per enrolment): ``severe`` (2·absent >= possible), else ``persistent``
(10·absent >= possible), else ``at_risk`` (any at-risk reason), else ``none``; an enrolment
with no possible sessions has no rates and is never severe or persistent.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from attendance_cli import marks as marks_layout
from attendance_cli.analysis.calendar import SchoolCalendar, Timeline, build_timeline
from attendance_cli.analysis.counts import (
    UNEXPLAINED_STORED,
    SessionCounts,
    count_segment,
    is_persistent,
    is_severe,
    percent,
)
from attendance_cli.analysis.patterns import AbsencePattern, find_patterns
from attendance_cli.analysis.thresholds import (
    DEFAULT_CONFIG,
    ContinuousAbsence,
    PenaltyThreshold,
    Reason,
    Recovery,
    ThresholdConfig,
    at_risk_reasons,
    check_penalty_threshold,
    find_continuous_absence,
    plan_recovery,
    safeguarding_flags,
)
from attendance_cli.analysis.trend import Trend, find_trend
from attendance_cli.errors import InvalidInputError, UsageError

_IS_UNEXPLAINED = np.zeros(256, dtype=bool)
_IS_UNEXPLAINED[[ord(ch) for ch in UNEXPLAINED_STORED]] = True


class Band(enum.StrEnum):
    SEVERE = "severe"
    PERSISTENT = "persistent"
    AT_RISK = "at_risk"
    NONE = "none"


@dataclass(frozen=True)
class Figures:
    """The DfE counts and rates of one enrolment over a period: the one figures record that a
    pack's pupils (``tsm.pack.PupilEntry``), the pupil view's terms (``views.pupil.TermFigures``)
    and the LA report's pupils (``views.la_report.LaPupil``) hold as ``figures``; each publishes
    the keys it shows, flat, through ``records.flat_keys``."""

    possible: int
    attended: int  # present + AEA
    present: int
    aea: int
    authorised: int
    unauthorised: int
    late: int  # L + U
    missing: int  # '-' no mark yet: reported, never possible
    not_possible: int
    sessions_missed: int  # authorised + unauthorised
    days_missed: float  # sessions_missed / 2
    attendance_pct: float | None  # 1 decimal, half up; None when possible == 0
    absence_pct: float | None
    persistent: bool  # 10·absent >= possible > 0
    severe: bool  # 2·absent >= possible > 0

    @classmethod
    def of(cls, counts: SessionCounts) -> Figures:
        return cls(**_figure_values(counts))

    def counts(self) -> SessionCounts:
        return SessionCounts(
            present=self.present,
            aea=self.aea,
            authorised=self.authorised,
            unauthorised=self.unauthorised,
            not_possible=self.not_possible,
            missing=self.missing,
            late=self.late,
        )


# The session counts, in the order results publish them (each result adds its rates after).
COUNT_KEYS = (
    "possible",
    "attended",
    "present",
    "aea",
    "authorised",
    "unauthorised",
    "late",
    "missing",
)


@dataclass(frozen=True)
class PeriodFigures(Figures):
    """The figures of one enrolment over the period ``start``..``end``."""

    start: dt.date
    end: dt.date

    @classmethod
    def from_counts(cls, counts: SessionCounts, *, start: dt.date, end: dt.date) -> PeriodFigures:
        return cls(start=start, end=end, **_figure_values(counts))


def _figure_values(counts: SessionCounts) -> dict[str, Any]:
    return dict(
        possible=counts.possible,
        attended=counts.attended,
        present=counts.present,
        aea=counts.aea,
        authorised=counts.authorised,
        unauthorised=counts.unauthorised,
        late=counts.late,
        missing=counts.missing,
        not_possible=counts.not_possible,
        sessions_missed=counts.absent,
        days_missed=counts.absent / 2,
        attendance_pct=percent(counts.attended, counts.possible),
        absence_pct=percent(counts.absent, counts.possible),
        persistent=is_persistent(counts.absent, counts.possible),
        severe=is_severe(counts.absent, counts.possible),
    )


def _check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise UsageError(
            f"The period ends ({end.isoformat()}) before it starts ({start.isoformat()})",
            hint="Give the start date first.",
        )


def _year_string(marks: Mapping[int, str], year: int) -> str:
    text = marks.get(year, marks_layout.EMPTY_YEAR)
    if len(text) != marks_layout.YEAR_LENGTH:
        raise InvalidInputError(
            f"The {marks_layout.academic_year_label(year)} mark string has {len(text)} "
            f"characters, expected {marks_layout.YEAR_LENGTH}",
            hint="The mark string is corrupt; re-import the register.",
        )
    return text


def count_sessions(*, marks: Mapping[int, str], start: dt.date, end: dt.date) -> PeriodFigures:
    """The DfE counts and rates of one enrolment over ``start``..``end`` (inclusive)."""
    _check_period(start, end)
    total = SessionCounts()
    for year in marks_layout.years_between(start, end):
        lo, hi = marks_layout.span(year, start, end)
        if lo < hi:
            total += count_segment(_year_string(marks, year)[lo:hi])
    return PeriodFigures.from_counts(total, start=start, end=end)


@dataclass(frozen=True)
class EnrolmentFigures:
    """Everything the analysis knows about one enrolment over a period."""

    figures: PeriodFigures
    band: Band
    at_risk_reasons: tuple[Reason, ...]  # empty unless band is at_risk
    previous_year_persistent: bool | None  # None: not supplied and no marks for that year
    recovery: Recovery | None  # PA enrolments only
    penalty: PenaltyThreshold
    continuous: ContinuousAbsence
    unexplained_sessions: int  # N and O in the period
    flags: tuple[Reason, ...]  # safeguarding: continuous absence, social worker, looked after
    pattern: AbsencePattern
    trend: Trend


def _previous_year(marks: Mapping[int, str], year: int) -> tuple[bool | None, str]:
    """PA over the whole of academic year ``year`` from its marks (None when there are none)."""
    if year not in marks:
        return None, ""
    counts = count_segment(_year_string(marks, year))
    if counts.possible == 0:
        return None, ""
    detail = (
        f"{marks_layout.academic_year_label(year)}: absence "
        f"{percent(counts.absent, counts.possible)}%, {counts.absent} of {counts.possible} sessions"
    )
    return is_persistent(counts.absent, counts.possible), detail


def enrolment_timeline(
    marks: Mapping[int, str], calendar: SchoolCalendar, start: dt.date, end: dt.date
) -> Timeline:
    """The enrolment's sessions laid out as ``analyse_enrolment`` sees them (every loaded year,
    marks after ``end`` dropped), for callers that need only one check of ``thresholds``."""
    years = set(marks) | set(calendar.sessions)
    first = min([start, *(marks_layout.year_start(y) for y in years)])
    last = max([end, *(marks_layout.year_end(y) for y in years)])
    for year in marks:
        _year_string(marks, year)
    return build_timeline(
        marks_by_year=marks, calendar=calendar, first=first, last=last, marks_until=end
    )


def analyse_enrolment(
    *,
    marks: Mapping[int, str],
    start: dt.date,
    end: dt.date,
    calendar: SchoolCalendar,
    config: ThresholdConfig = DEFAULT_CONFIG,
    previous_year_persistent: bool | None = None,
    has_social_worker: bool = False,
    looked_after: bool = False,
) -> EnrolmentFigures:
    """All figures for one enrolment over ``start``..``end``.

    ``marks`` may hold several academic years (give the previous year for look-backs);
    ``calendar`` is the school's (``SchoolCalendar.from_strings``). ``previous_year_persistent``
    overrides the previous year's PA status computed from ``marks``.
    """
    figures = count_sessions(marks=marks, start=start, end=end)
    timeline = enrolment_timeline(marks, calendar, start, end)

    previous_detail = ""
    if previous_year_persistent is None:
        previous_year_persistent, previous_detail = _previous_year(
            marks, marks_layout.academic_year(end) - 1
        )
    reasons = at_risk_reasons(
        timeline,
        start=start,
        end=end,
        absent=figures.sessions_missed,
        possible=figures.possible,
        previous_year_persistent=bool(previous_year_persistent),
        previous_year_detail=previous_detail,
        config=config,
    )
    if figures.severe:
        band = Band.SEVERE
    elif figures.persistent:
        band = Band.PERSISTENT
    elif reasons:
        band = Band.AT_RISK
    else:
        band = Band.NONE

    recovery = None
    if figures.persistent:
        recovery = plan_recovery(
            timeline, end=end, absent=figures.sessions_missed, possible=figures.possible
        )

    period = timeline.between(start, end)
    unexplained = int(_IS_UNEXPLAINED[timeline.chars[period]].sum())
    continuous = find_continuous_absence(timeline, start=start, end=end)
    return EnrolmentFigures(
        figures=figures,
        band=band,
        at_risk_reasons=reasons,
        previous_year_persistent=previous_year_persistent,
        recovery=recovery,
        penalty=check_penalty_threshold(timeline, start=start, end=end, config=config),
        continuous=continuous,
        unexplained_sessions=unexplained,
        flags=safeguarding_flags(
            continuous,
            unexplained_sessions=unexplained,
            has_social_worker=has_social_worker,
            looked_after=looked_after,
            config=config,
        ),
        pattern=find_patterns(timeline, start=start, end=end, config=config),
        trend=find_trend(timeline, start=start, end=end),
    )
