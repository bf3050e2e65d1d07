"""Patterns in an enrolment's absence: weekdays, days next to holidays, reasons given.

A pattern is flagged only when it is clearly above chance: the absent sessions in it are
compared with a binomial distribution at the pupil's own absence rate over the period
(``p = absent / possible``, including the sessions tested), and flagged when the upper tail
``P(X >= absent)`` is below 0.01 *and* at least 4 sessions were missed (both configurable in
``ThresholdConfig``). The tail is summed exactly from ``math.comb`` (no scipy).

Holiday-adjacent days: the school day just before and just after a break of at least 3
weekdays without a school session (a holiday week is such a break; a bank-holiday Monday is
not). Breaks are found from the school calendar, which may extend past the period (a period
ending on the last day of term still knows that day is before a holiday); the first and last
school day the calendar knows are not counted (what lies beyond them is unknown).

Reasons: the absence codes (authorised and unauthorised) in the period, as written in the
register, from the stored character and the code set in force on its date. The same letter in
the two sets (e.g. ``C``) is listed once per set, since its meaning differs.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from attendance_cli import codes
from attendance_cli.analysis.calendar import Timeline, from_ordinal, sorted_unique
from attendance_cli.analysis.counts import percent
from attendance_cli.analysis.thresholds import DEFAULT_CONFIG, ThresholdConfig

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def binomial_tail(n: int, k: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), to double precision."""
    if k <= 0:
        return 1.0
    if k > n or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    # log of the first term exactly, the rest by the log-ratio of successive terms (no underflow
    # and no big-integer math.comb); stop once terms past the mode no longer change the sum
    log_p, log_q = math.log(p), math.log1p(-p)
    if k - 1 < n * p:
        # at or below the expected count (most weekdays of most pupils): one minus the k terms
        # below k, from the exact first term P(X = 0); the answer is near 1 (~0.4 or more),
        # where the subtraction loses nothing that matters. Summing up from k instead walked
        # every term to past the mode: a third of the TSM pack's pattern time.
        log_term = n * log_q
        lower = []
        for i in range(k):
            lower.append(log_term)
            log_term += math.log((n - i) / (i + 1)) + log_p - log_q
        return max(0.0, 1.0 - math.fsum(math.exp(x) for x in lower))
    log_term = (
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + k * log_p
        + (n - k) * log_q
    )
    log_ratio = log_p - log_q
    logs = [log_term]
    peak = log_term
    for i in range(k, n):
        log_term += math.log((n - i) / (i + 1)) + log_ratio
        logs.append(log_term)
        peak = max(peak, log_term)
        if i > n * p and log_term < peak - 40:
            break
    total = math.exp(peak) * math.fsum(math.exp(x - peak) for x in logs)
    return min(1.0, total)


@dataclass(frozen=True)
class WeekdayAbsence:
    """Absence on one weekday, tested against the pupil's overall rate."""

    weekday: str
    possible: int
    absent: int
    absence_pct: float | None
    p_value: float | None  # None when the weekday had no possible sessions
    flagged: bool


@dataclass(frozen=True)
class HolidayAdjacentAbsence:
    """Absence on the school days next to holidays, tested against the pupil's overall rate."""

    days: int  # holiday-adjacent school days in the period
    possible: int
    absent: int
    absence_pct: float | None
    p_value: float | None
    flagged: bool
    absent_dates: tuple[dt.date, ...]  # holiday-adjacent days with an absence


@dataclass(frozen=True)
class ReasonCount:
    code: str
    meaning: str
    category: str
    code_set: str
    sessions: int


@dataclass(frozen=True)
class AbsencePattern:
    weekdays: tuple[WeekdayAbsence, ...]
    flagged_weekdays: tuple[str, ...]
    holiday_adjacent: HolidayAdjacentAbsence
    top_reasons: tuple[ReasonCount, ...]


def flag_above_chance(
    possible: int, absent: int, rate: float, config: ThresholdConfig = DEFAULT_CONFIG
) -> tuple[float | None, bool]:
    """(p-value, flagged) for ``absent`` of ``possible`` sessions at the overall ``rate``."""
    if not possible:
        return None, False
    p_value = binomial_tail(possible, absent, rate)
    return p_value, absent >= config.pattern_min_absent and p_value < config.pattern_p_value


def holiday_adjacent_days(timeline: Timeline, *, gap_weekdays: int = 3) -> np.ndarray:
    """Day ordinals of the school days just before or after a break of ``gap_weekdays`` or more."""
    return np.asarray(timeline.ordinals[::2][_adjacent_day_mask(timeline, gap_weekdays)])


def _adjacent_day_mask(timeline: Timeline, gap_weekdays: int) -> np.ndarray:
    """Per timeline day (AM and PM together), whether it is a holiday-adjacent school day."""
    school_days = np.flatnonzero(timeline.school.reshape(-1, 2).any(axis=1))
    # Timeline days are consecutive weekdays, so index differences count weekdays.
    gaps = np.diff(school_days) - 1
    breaks = np.flatnonzero(gaps >= gap_weekdays)
    adjacent = np.zeros(len(timeline) // 2, dtype=bool)
    adjacent[school_days[breaks]] = True
    adjacent[school_days[breaks + 1]] = True
    return adjacent


def find_patterns(
    timeline: Timeline, *, start: dt.date, end: dt.date, config: ThresholdConfig = DEFAULT_CONFIG
) -> AbsencePattern:
    """Weekday concentration, holiday-adjacent absence and the top reason codes in the period."""
    period = timeline.between(start, end)
    possible = timeline.possible & period
    absent = timeline.absent & period
    total_possible, total_absent = int(possible.sum()), int(absent.sum())
    rate = total_absent / total_possible if total_possible else 0.0

    weekdays = []
    for day, name in enumerate(WEEKDAY_NAMES):
        on_day = timeline.weekdays == day
        day_possible, day_absent = int(possible[on_day].sum()), int(absent[on_day].sum())
        p_value, flagged = flag_above_chance(day_possible, day_absent, rate, config)
        weekdays.append(
            WeekdayAbsence(
                weekday=name,
                possible=day_possible,
                absent=day_absent,
                absence_pct=percent(day_absent, day_possible),
                p_value=p_value,
                flagged=flagged,
            )
        )

    # both sessions of each adjacent day (the ordinals are in order: no np.isin, no np.unique)
    adjacent_days = _adjacent_day_mask(timeline, config.holiday_gap_weekdays)
    on_adjacent = np.repeat(adjacent_days, 2) & period
    adjacent_possible = int((possible & on_adjacent).sum())
    adjacent_absent = int((absent & on_adjacent).sum())
    p_value, flagged = flag_above_chance(adjacent_possible, adjacent_absent, rate, config)
    holiday = HolidayAdjacentAbsence(
        days=int(sorted_unique(timeline.ordinals[on_adjacent]).size),
        possible=adjacent_possible,
        absent=adjacent_absent,
        absence_pct=percent(adjacent_absent, adjacent_possible),
        p_value=p_value,
        flagged=flagged,
        absent_dates=tuple(
            from_ordinal(day)
            for day in sorted_unique(timeline.ordinals[on_adjacent & absent]).tolist()
        ),
    )

    return AbsencePattern(
        weekdays=tuple(weekdays),
        flagged_weekdays=tuple(w.weekday for w in weekdays if w.flagged),
        holiday_adjacent=holiday,
        top_reasons=top_reasons(timeline, absent, limit=config.top_reasons),
    )


def top_reasons(timeline: Timeline, absent: np.ndarray, *, limit: int) -> tuple[ReasonCount, ...]:
    """The most used absence codes among the ``absent`` sessions, most used first."""
    # a stored character means one code per code set, and the set depends only on whether the
    # day is before the 2024 set began: count (character, set) pairs at once, then look each up
    # (a Python loop over every absent session took a fifth of a TSM pack's analysis)
    at = np.flatnonzero(absent)
    new_set = timeline.ordinals[at] >= codes.CODE_SET_2024_START.toordinal()
    counted = np.bincount(timeline.chars[at].astype(np.int64) * 2 + new_set, minlength=512)
    pairs = np.flatnonzero(counted)  # in order, as np.unique gave them (without its sort)
    sessions = counted[pairs]
    before = codes.CODE_SET_2024_START - dt.timedelta(days=1)
    counter: Counter[codes.Code] = Counter()
    for pair, n in zip(pairs.tolist(), sessions.tolist(), strict=True):
        day = codes.CODE_SET_2024_START if pair % 2 else before
        code = codes.code_for_stored(chr(pair // 2), day)
        if code is not None:  # pragma: no branch - import validation guarantees a code
            counter[code] += n
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0].code, item[0].code_set))
    return tuple(
        ReasonCount(
            code=code.code,
            meaning=code.meaning,
            category=code.category.value,
            code_set=code.code_set,
            sessions=n,
        )
        for code, n in ranked[:limit]
    )
