"""When the school was open: the school calendar, school weeks, and the assumed English year.

School calendar
    ``SchoolCalendar`` holds, per academic year, one bool per session position: True when the
    school had at least one possible session for ANY pupil (``counts.school_calendar``). A
    *school day* is a weekday with at least one such session; a *school week* is a Monday-Friday
    week with at least one (attendance-rules.md: "A school week is any week with at least one
    possible session"). Holiday weeks are therefore skipped by everything counted in school weeks.
    An enrolment's own possible sessions always count as school sessions too, so a calendar built
    without that pupil (or missing a year) stays consistent with their marks.

Assumed school year (used only beyond the calendar seen so far, e.g. for recovery)
    ``assumed_terms(year)`` and ``assumed_school_days(year)`` model a typical English LA year of
    exactly 190 school days (380 sessions):

    * autumn term ends on the Friday on or before 22 December; half-term is the week starting on
      the last Monday of October;
    * spring term starts on the first weekday on or after 4 January and ends on Maundy Thursday
      or on the first Friday on or after 27 March, whichever is earlier; half-term is the week
      starting on the third Monday of February;
    * the Easter holiday is the two weeks from the Monday after the spring term ends; the summer
      term ends on 22 July (the Friday before when 22 July falls at a weekend); its half-term is
      the week starting on the last Monday of May (the spring bank holiday);
    * Good Friday, Easter Monday and the early May bank holiday are not school days;
    * the autumn term starts on the weekday that makes the year exactly 190 days, so a staff
      year's five INSET days are assumed to fall at the start of September (2024/25: 6 Sep).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import numpy.typing as npt

from attendance_cli import marks
from attendance_cli.analysis.counts import (
    AEA,
    AUTHORISED,
    CATEGORY_INDEX,
    INVALID,
    IS_POSSIBLE,
    PRESENT,
    UNAUTHORISED,
    BoolArray,
    IntArray,
    MarkArray,
    mark_array,
    school_calendar,
)
from attendance_cli.codes import NO_MARK
from attendance_cli.errors import InvalidInputError

SCHOOL_DAYS_PER_YEAR = 190
SESSIONS_PER_YEAR = 2 * SCHOOL_DAYS_PER_YEAR


@dataclass(frozen=True, eq=False)
class SchoolCalendar:
    """Per academic year, which session positions the school had a possible session in."""

    sessions: Mapping[int, BoolArray]

    @classmethod
    def from_strings(
        cls, strings_by_year: Mapping[int, Sequence[str] | MarkArray]
    ) -> SchoolCalendar:
        """Build from all the school's enrolment strings, per academic year."""
        return cls({year: school_calendar(strings) for year, strings in strings_by_year.items()})

    def year(self, year: int) -> BoolArray:
        """The year's sessions (all False for a year the calendar does not know)."""
        found = self.sessions.get(year)
        return np.zeros(marks.YEAR_LENGTH, dtype=bool) if found is None else found

    def last_school_date(self) -> dt.date | None:
        """The date of the last school session the calendar has seen."""
        for year in sorted(self.sessions, reverse=True):
            hits = np.flatnonzero(self.sessions[year])
            if hits.size:
                return marks.date_at(year, int(hits[-1]))[0]
        return None


def weekday_of(ordinals: IntArray) -> IntArray:
    """Monday = 0 for ``date.toordinal()`` values (ordinal 1, 1 Jan 1 AD, was a Monday)."""
    return (ordinals - 1) % 7


def from_ordinal(ordinal: int | np.integer) -> dt.date:
    return dt.date.fromordinal(int(ordinal))


@dataclass(frozen=True, eq=False)
class Timeline:
    """Every weekday session over a date range, in order, across academic years.

    Arrays run in step, one entry per session (AM then PM of each weekday). ``chars`` are the
    enrolment's stored marks (``.`` after the date the marks are cut at); ``school`` is True where
    the school had a possible session (calendar or this pupil).
    """

    ordinals: IntArray
    chars: MarkArray
    school: BoolArray

    def __len__(self) -> int:
        return len(self.ordinals)

    @cached_property
    def categories(self) -> npt.NDArray[np.int8]:
        return CATEGORY_INDEX[self.chars]

    # each a lookup of the stored character (one pass over the sessions; comparing categories
    # twice and or-ing was a fifth of the per-pupil cost of a TSM pack's timelines)
    @cached_property
    def possible(self) -> BoolArray:
        return IS_POSSIBLE[self.chars]

    @cached_property
    def absent(self) -> BoolArray:
        return _IS_ABSENT[self.chars]

    @cached_property
    def unauthorised(self) -> BoolArray:
        return _IS_UNAUTHORISED[self.chars]

    @cached_property
    def attended(self) -> BoolArray:
        return _IS_ATTENDED[self.chars]

    @cached_property
    def weekdays(self) -> IntArray:
        return weekday_of(self.ordinals)

    @cached_property
    def mondays(self) -> IntArray:
        """Ordinal of the Monday of each session's week."""
        return self.ordinals - self.weekdays

    def between(self, start: dt.date, end: dt.date) -> BoolArray:
        """Mask of the sessions dated start..end inclusive."""
        return (self.ordinals >= start.toordinal()) & (self.ordinals <= end.toordinal())

    def date(self, index: int) -> dt.date:
        return from_ordinal(self.ordinals[index])

    def session_name(self, index: int) -> str:
        return marks.SESSION_NAMES[index % 2]

    def school_weeks(self, start: dt.date, end: dt.date) -> IntArray:
        """Sorted Monday ordinals of the weeks with a school session dated start..end."""
        # the sessions are in date order, so their Mondays never decrease: keep each first one
        # (np.unique sorts again, and on numpy 2 imports numpy.ma: ~10 ms of the TSM pack)
        return sorted_unique(self.mondays[self.school & self.between(start, end)])


def sorted_unique(values: IntArray) -> IntArray:
    """``np.unique`` of values already in order (a timeline's ordinals or Mondays, or any part of
    them): the first of each run, without sorting again (and, on numpy 2, without importing
    numpy.ma: ~10 ms of the TSM pack)."""
    if values.size == 0:
        return values
    keep = np.empty(values.size, dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def in_sorted(values: IntArray, sorted_set: IntArray) -> BoolArray:
    """``np.isin(values, sorted_set)`` for a sorted ``sorted_set`` (one binary search each)."""
    if sorted_set.size == 0:
        return np.zeros(values.shape, dtype=bool)
    at = np.searchsorted(sorted_set, values)
    np.minimum(at, sorted_set.size - 1, out=at)
    return sorted_set[at] == values


_IS_ABSENT: BoolArray = (CATEGORY_INDEX == AUTHORISED) | (CATEGORY_INDEX == UNAUTHORISED)
_IS_UNAUTHORISED: BoolArray = CATEGORY_INDEX == UNAUTHORISED
_IS_ATTENDED: BoolArray = (CATEGORY_INDEX == PRESENT) | (CATEGORY_INDEX == AEA)


@lru_cache(maxsize=64)
def _span_ordinals(year: int, lo: int, hi: int) -> IntArray:
    """The day ordinal of each session position lo..hi-1 of ``year``'s string (the same for
    every enrolment of a pack: built once, read-only)."""
    days = np.arange(lo, hi, dtype=np.int64) // 2
    found = marks.year_base(year).toordinal() + (days // 5) * 7 + days % 5
    found.flags.writeable = False
    return found


def build_timeline(
    *,
    marks_by_year: Mapping[int, str],
    calendar: SchoolCalendar,
    first: dt.date,
    last: dt.date,
    marks_until: dt.date,
) -> Timeline:
    """Lay one enrolment's marks and the school calendar out from ``first`` to ``last``.

    The enrolment's marks after ``marks_until`` are blanked, so nothing about the period can
    depend on marks after it; the school calendar is kept whole (it is used to look ahead).
    """
    ordinals: list[IntArray] = []
    chars: list[MarkArray] = []
    school: list[BoolArray] = []
    for year in marks.years_between(first, last):
        lo, hi = marks.span(year, first, last)
        if lo == hi:
            continue
        text = marks_by_year.get(year, marks.EMPTY_YEAR)
        row = mark_array([text])[0]
        ordinals.append(_span_ordinals(year, lo, hi))
        chars.append(row[lo:hi])
        school.append(calendar.year(year)[lo:hi])
    if not ordinals:
        empty = np.zeros(0, dtype=np.int64)
        return Timeline(empty, np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=bool))
    all_ordinals = np.concatenate(ordinals) if len(ordinals) > 1 else ordinals[0]
    all_chars = np.concatenate(chars)  # a copy: blanked below
    if (CATEGORY_INDEX[all_chars] == INVALID).any():
        raise InvalidInputError(
            "A mark string holds a character that is no register code",
            hint="The mark string is corrupt; re-import the register.",
        )
    all_school = (np.concatenate(school) if len(school) > 1 else school[0]) | IS_POSSIBLE[all_chars]
    cut = np.searchsorted(all_ordinals, marks_until.toordinal(), side="right")
    all_chars[cut:] = ord(NO_MARK)  # the ordinals are in order: everything after the cut
    return Timeline(all_ordinals, all_chars, all_school)


# --- the assumed English school year -------------------------------------------------------


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _on_or_before(date: dt.date, weekday: int) -> dt.date:
    return date - dt.timedelta(days=(date.weekday() - weekday) % 7)


def _on_or_after(date: dt.date, weekday: int) -> dt.date:
    return date + dt.timedelta(days=(weekday - date.weekday()) % 7)


def _last_monday(year: int, month: int) -> dt.date:
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    return _on_or_before(next_month - dt.timedelta(days=1), 0)


MONDAY, THURSDAY, FRIDAY = 0, 3, 4


@dataclass(frozen=True)
class AssumedTerms:
    """Assumed term dates of an academic year (see the module docstring for the rules)."""

    year: int
    autumn_start: dt.date
    autumn_half_term: dt.date  # Monday of the half-term week
    autumn_end: dt.date
    spring_start: dt.date
    spring_half_term: dt.date
    spring_end: dt.date
    summer_start: dt.date
    summer_half_term: dt.date
    summer_end: dt.date

    def term_ends(self) -> tuple[tuple[str, dt.date], ...]:
        return (
            ("autumn", self.autumn_end),
            ("spring", self.spring_end),
            ("summer", self.summer_end),
        )


def _weekdays(first: dt.date, last: dt.date) -> list[dt.date]:
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return [day for day in days if day.weekday() < 5]


def _term_days(
    first: dt.date, last: dt.date, half_term: dt.date, closed: set[dt.date]
) -> list[dt.date]:
    half = {half_term + dt.timedelta(days=n) for n in range(5)}
    return [day for day in _weekdays(first, last) if day not in half and day not in closed]


@lru_cache(maxsize=64)
def _assumed_year(year: int) -> tuple[AssumedTerms, tuple[dt.date, ...]]:
    easter = easter_sunday(year + 1)
    autumn_end = _on_or_before(dt.date(year, 12, 22), FRIDAY)
    autumn_half = _last_monday(year, 10)
    spring_start = dt.date(year + 1, 1, 4)
    if spring_start.weekday() >= 5:
        spring_start = _on_or_after(spring_start, MONDAY)
    spring_half = _on_or_after(dt.date(year + 1, 2, 1), MONDAY) + dt.timedelta(weeks=2)
    spring_end = min(easter - dt.timedelta(days=3), _on_or_after(dt.date(year + 1, 3, 27), FRIDAY))
    summer_start = _on_or_after(spring_end + dt.timedelta(days=1), MONDAY) + dt.timedelta(weeks=2)
    summer_half = _last_monday(year + 1, 5)
    summer_end = dt.date(year + 1, 7, 22)
    if summer_end.weekday() >= 5:
        summer_end = _on_or_before(summer_end, FRIDAY)
    bank_holidays = {
        easter - dt.timedelta(days=2),
        easter + dt.timedelta(days=1),
        _on_or_after(dt.date(year + 1, 5, 1), MONDAY),
    }
    spring = _term_days(spring_start, spring_end, spring_half, bank_holidays)
    summer = _term_days(summer_start, summer_end, summer_half, bank_holidays)
    autumn_candidates = _term_days(dt.date(year, 8, 1), autumn_end, autumn_half, set())
    autumn = autumn_candidates[
        len(autumn_candidates) - (SCHOOL_DAYS_PER_YEAR - len(spring) - len(summer)) :
    ]
    terms = AssumedTerms(
        year=year,
        autumn_start=autumn[0],
        autumn_half_term=autumn_half,
        autumn_end=autumn_end,
        spring_start=spring_start,
        spring_half_term=spring_half,
        spring_end=spring_end,
        summer_start=summer_start,
        summer_half_term=summer_half,
        summer_end=summer_end,
    )
    return terms, tuple(autumn + spring + summer)


def assumed_terms(year: int) -> AssumedTerms:
    """The assumed term dates of academic year ``year`` (2024 = 2024/25)."""
    return _assumed_year(year)[0]


def assumed_school_days(year: int) -> tuple[dt.date, ...]:
    """The 190 assumed school days of academic year ``year``, in order."""
    return _assumed_year(year)[1]


def assumed_sessions_between(after: dt.date, through: dt.date) -> int:
    """Assumed school sessions on the days after ``after`` up to and including ``through``."""
    if through <= after:
        return 0
    total = 0
    for year in marks.years_between(after, through):
        total += sum(1 for day in assumed_school_days(year) if after < day <= through)
    return 2 * total
