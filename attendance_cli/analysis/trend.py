"""Attendance over time: this period against the one before it, and week by week.

The period's school weeks are the weeks with a school session dated in the period. The
comparison period is the same number of school weeks immediately before the week the period
starts in (whole weeks; holiday weeks skipped, so it may reach back into the previous term or
academic year). When the marks do not reach back that far it holds fewer weeks
(``previous_school_weeks`` says how many) and, with no possible sessions, has no percentage.
The change is in percentage points, computed from the exact rates and then rounded.

Weekly figures (for sparklines) cover every school week of the period, counting only the
period's own sessions in its first and last week; a week in which the pupil had no possible
session has no percentage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from attendance_cli.analysis.calendar import Timeline, from_ordinal, in_sorted, sorted_unique
from attendance_cli.analysis.counts import percent, round_1dp


@dataclass(frozen=True)
class WeekFigures:
    week_start: dt.date  # Monday
    possible: int
    attended: int
    attendance_pct: float | None


@dataclass(frozen=True)
class Trend:
    school_weeks: int
    possible: int
    attended: int
    attendance_pct: float | None
    previous_start: dt.date | None  # Monday of the comparison period's first school week
    previous_end: dt.date | None  # the Friday before the week the period starts in
    previous_school_weeks: int
    previous_possible: int
    previous_attended: int
    previous_attendance_pct: float | None
    change_points: float | None  # attendance_pct − previous_attendance_pct
    weekly: tuple[WeekFigures, ...]


def find_trend(timeline: Timeline, *, start: dt.date, end: dt.date) -> Trend:
    period = timeline.between(start, end)
    weeks = timeline.school_weeks(start, end)
    possible = int((timeline.possible & period).sum())
    attended = int((timeline.attended & period).sum())

    start_monday = start.toordinal() - start.weekday()
    before = timeline.ordinals < start_monday
    earlier_weeks = sorted_unique(timeline.mondays[timeline.school & before])
    previous_weeks = (
        earlier_weeks[max(0, len(earlier_weeks) - len(weeks)) :]
        if len(weeks)
        else earlier_weeks[:0]
    )
    previous_possible = previous_attended = 0
    previous_start = previous_end = None
    if previous_weeks.size:
        window = before & (timeline.ordinals >= previous_weeks[0])
        previous_possible = int((timeline.possible & window).sum())
        previous_attended = int((timeline.attended & window).sum())
        previous_start = from_ordinal(previous_weeks[0])
        previous_end = from_ordinal(start_monday - 3)

    change = None
    if possible and previous_possible:
        change = round_1dp(
            Fraction(100 * attended, possible)
            - Fraction(100 * previous_attended, previous_possible)
        )

    # per-week sums in one pass: each period session goes to its school week's bucket
    in_period = period & in_sorted(timeline.mondays, weeks)
    bucket = np.searchsorted(weeks, timeline.mondays[in_period])
    week_possible = np.bincount(bucket, weights=timeline.possible[in_period], minlength=len(weeks))
    week_attended = np.bincount(bucket, weights=timeline.attended[in_period], minlength=len(weeks))
    weekly = [
        WeekFigures(
            week_start=from_ordinal(monday),
            possible=int(p),
            attended=int(a),
            attendance_pct=percent(int(a), int(p)),
        )
        for monday, p, a in zip(
            weeks.tolist(), week_possible.tolist(), week_attended.tolist(), strict=True
        )
    ]

    return Trend(
        school_weeks=len(weeks),
        possible=possible,
        attended=attended,
        attendance_pct=percent(attended, possible),
        previous_start=previous_start,
        previous_end=previous_end,
        previous_school_weeks=int(previous_weeks.size),
        previous_possible=previous_possible,
        previous_attended=previous_attended,
        previous_attendance_pct=percent(previous_attended, previous_possible),
        change_points=change,
        weekly=tuple(weekly),
    )
