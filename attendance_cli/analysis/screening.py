"""Vectorised screens over every enrolment of one school, to find the few that need the exact
per-enrolment checks (``figures.check_enrolment``) in an LA-wide report.

The rules live in ``analysis.thresholds``; nothing a screen computes is ever reported. A screen
only chooses whom to check, so it must never miss an enrolment the exact rule would flag (a
property test compares both on random registers):

``penalty_possible``
    True when some window of 10 school weeks ending in a week of the period (or the last 10
    school weeks up to the period end) holds at least 10 unauthorised sessions, counting whole
    weeks. The exact rule counts a window only up to each unauthorised session dated in the
    period, which is never more, so every enrolment meeting the threshold (in the period, or in
    the 10 school weeks ending on its last day) is screened in.
``longest_unauthorised_days``
    The longest run of school days of unauthorised absence reaching into the period, with the
    same day rules as ``thresholds.find_continuous_absence`` (neutral days skipped, unmarked
    school days break a run, runs followed back before the period start), computed for all
    enrolments at once with cumulative sums.

School sessions and weeks come from the school calendar of the rows given (every enrolment of
the school, as ``counts.school_calendar``), cut at the period end like the exact checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from attendance_cli import marks
from attendance_cli.analysis.counts import (
    CATEGORY_INDEX,
    IS_POSSIBLE,
    UNAUTHORISED,
    BoolArray,
    IntArray,
    MarkArray,
)
from attendance_cli.analysis.thresholds import DEFAULT_CONFIG, ThresholdConfig
from attendance_cli.codes import NO_MARK

_WEEKS = marks.WEEKS_PER_YEAR
_DAYS = _WEEKS * 5


@dataclass(frozen=True, eq=False)
class Screen:
    penalty_possible: BoolArray  # one per row: could meet the penalty-notice threshold
    longest_unauthorised_days: IntArray  # one per row: exact longest unauthorised run (days)


@dataclass(frozen=True, eq=False)
class _Year:
    unauthorised: BoolArray  # (n, 540), marks after the period end dropped
    possible: BoolArray  # (n, 540)
    unmarked: BoolArray  # (n, 540): '.'
    school: BoolArray  # (540,): a school session on or before the period end


def _cut(year: int, array: MarkArray, end: dt.date) -> _Year:
    """The year's marks dated in the academic year and up to ``end`` (others become '.')."""
    lo, hi = marks.span(year, marks.year_start(year), min(marks.year_end(year), end))
    chars = np.full_like(array, ord(NO_MARK))
    chars[:, lo:hi] = array[:, lo:hi]
    possible = IS_POSSIBLE[chars]
    return _Year(
        unauthorised=CATEGORY_INDEX[chars] == UNAUTHORISED,
        possible=possible,
        unmarked=chars == ord(NO_MARK),
        school=np.asarray(possible.any(axis=0), dtype=bool),
    )


def screen_school(
    arrays_by_year: Mapping[int, MarkArray],
    *,
    start: dt.date,
    end: dt.date,
    config: ThresholdConfig = DEFAULT_CONFIG,
) -> Screen:
    """Screen every enrolment of one school (``arrays_by_year[year]`` is an ``(n, 540)``
    ``mark_array``, rows in the same order every year; give the year before the period too)."""
    years = sorted(arrays_by_year)
    n = arrays_by_year[years[0]].shape[0]
    if n == 0:
        return Screen(np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64))
    cut = [_cut(year, arrays_by_year[year], end) for year in years]
    return Screen(
        penalty_possible=_penalty_possible(years, cut, start, config),
        longest_unauthorised_days=_longest_unauthorised(years, cut, start),
    )


def _per_day(sessions: BoolArray) -> npt.NDArray[np.int8]:
    """(n, 540) sessions -> (n, 270) counts per weekday (AM + PM); strided adds, which numpy
    does much faster than a sum over a short last axis."""
    return sessions[:, 0::2].astype(np.int8) + sessions[:, 1::2]


def _per_week(sessions: BoolArray) -> IntArray:
    """(n, 540) sessions -> (n, 54) counts per week."""
    total = np.zeros((sessions.shape[0], _WEEKS), dtype=np.int64)
    for offset in range(marks.SESSIONS_PER_WEEK):
        total += sessions[:, offset :: marks.SESSIONS_PER_WEEK]
    return total


def _penalty_possible(
    years: list[int], cut: list[_Year], start: dt.date, config: ThresholdConfig
) -> BoolArray:
    n = cut[0].unauthorised.shape[0]
    mondays = np.concatenate(
        [marks.year_base(y).toordinal() + 7 * np.arange(_WEEKS, dtype=np.int64) for y in years]
    )
    weekly = np.concatenate([_per_week(c.unauthorised) for c in cut], axis=1)
    school = np.concatenate([_per_week(c.school[None, :])[0] > 0 for c in cut])
    # a calendar week can sit at the end of one year's string and the start of the next: merge
    weeks, which = np.unique(mondays, return_inverse=True)
    merged = np.zeros((n, weeks.size), dtype=np.int64)
    for column in range(mondays.size):
        merged[:, which[column]] += weekly[:, column]
    is_school = np.zeros(weeks.size, dtype=bool)
    np.logical_or.at(is_school, which, school)
    counts, weeks = merged[:, is_school], weeks[is_school]
    if not weeks.size:
        return np.zeros(n, dtype=bool)
    size = config.penalty_weeks
    running = np.concatenate([np.zeros((n, 1), dtype=np.int64), counts.cumsum(axis=1)], axis=1)
    last = np.arange(1, weeks.size + 1)
    windows = running[:, last] - running[:, np.maximum(last - size, 0)]
    first_monday = start.toordinal() - start.weekday()
    ends_in_period = weeks >= first_monday
    ends_in_period[-1] = True  # the 10 school weeks ending on the period's last day
    return np.asarray((windows[:, ends_in_period] >= config.penalty_sessions).any(axis=1))


def _longest_unauthorised(years: list[int], cut: list[_Year], start: dt.date) -> IntArray:
    day = np.arange(_DAYS, dtype=np.int64)
    ordinals = np.concatenate(
        [marks.year_base(y).toordinal() + (day // 5) * 7 + day % 5 for y in years]
    )
    possible = np.concatenate([_per_day(c.possible) for c in cut], axis=1)
    unauthorised = np.concatenate([_per_day(c.unauthorised) for c in cut], axis=1)
    unmarked = np.concatenate([_per_day(c.unmarked) == 2 for c in cut], axis=1)
    school_day = np.concatenate([_per_day(c.school[None, :])[0] > 0 for c in cut])
    counted = school_day & ~((possible == 0) & ~unmarked)  # neutral days are skipped
    extends = counted & (possible > 0) & (unauthorised == possible)
    breaks = counted & ~extends
    total = np.cumsum(extends, axis=1, dtype=np.int64)
    since = np.maximum.accumulate(np.where(breaks, total, 0), axis=1)
    run = total - since
    in_period = extends & (ordinals >= start.toordinal())
    return np.asarray(np.where(in_period, run, 0).max(axis=1), dtype=np.int64)
