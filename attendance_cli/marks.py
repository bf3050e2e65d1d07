"""How a year of one enrolment's session marks is laid out in one string.

Storage design (issue 2): one row per enrolment per academic year, holding a fixed-length string
of one character per possible school session (see ``attendance_cli.codes`` for the characters).
An LA year of ~48,000 enrolments is then 48,000 rows of 540 characters (~1.4 bytes per mark,
against ~17 bytes per mark for one row per mark), it loads in one pass and every figure is a
count over a slice. Per-session questions (register extracts, rolling windows) are answered by
position: the string is 54 Monday-to-Friday weeks of 10 sessions (Mon AM, Mon PM, ..., Fri PM),
starting on the Monday on or before 1 August. Weekends have no position: a weekend mark is an
input error. Positions for the days before 1 August in week 0 belong to the previous academic
year and stay empty.
"""

from __future__ import annotations

import datetime as dt

from attendance_cli.codes import NO_MARK

WEEKS_PER_YEAR = 54
SESSIONS_PER_WEEK = 10
YEAR_LENGTH = WEEKS_PER_YEAR * SESSIONS_PER_WEEK  # 540
AM, PM = 0, 1
SESSION_NAMES = ("AM", "PM")
EMPTY_YEAR = NO_MARK * YEAR_LENGTH


def academic_year(date: dt.date) -> int:
    """The academic year a date falls in, named by its first calendar year (2025 = 2025/26)."""
    return date.year if date.month >= 8 else date.year - 1


def academic_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def year_start(year: int) -> dt.date:
    return dt.date(year, 8, 1)


def year_end(year: int) -> dt.date:
    return dt.date(year + 1, 7, 31)


def year_base(year: int) -> dt.date:
    """The Monday on or before 1 August: position 0 of that academic year's string."""
    first = year_start(year)
    return first - dt.timedelta(days=first.weekday())


def position(date: dt.date, session: int) -> int:
    """Index of (date, session) in its academic year's string. Weekends raise ValueError."""
    weekday = date.weekday()
    if weekday >= 5:
        raise ValueError(f"{date.isoformat()} is a {date:%A}: registers have no weekend sessions")
    days = (date - year_base(academic_year(date))).days
    return (days // 7) * SESSIONS_PER_WEEK + weekday * 2 + session


def date_at(year: int, pos: int) -> tuple[dt.date, int]:
    """(date, session) at a position of an academic year's string."""
    week, within = divmod(pos, SESSIONS_PER_WEEK)
    day, session = divmod(within, 2)
    return year_base(year) + dt.timedelta(days=week * 7 + day), session


def span(year: int, start: dt.date, end: dt.date) -> tuple[int, int]:
    """Half-open [lo, hi) positions of ``year``'s string covering dates start..end (inclusive)."""
    first, last = max(start, year_start(year)), min(end, year_end(year))
    if first > last:
        return 0, 0
    return _offset(year, first), _offset(year, last + dt.timedelta(days=1))


def _offset(year: int, date: dt.date) -> int:
    """Position of the first session on or after ``date``, counted from ``year``'s base."""
    days = (date - year_base(year)).days
    weekday = date.weekday()
    if weekday >= 5:  # a weekend starts at the next Monday
        days += 7 - weekday
        weekday = 0
    return (days // 7) * SESSIONS_PER_WEEK + weekday * 2


def years_between(start: dt.date, end: dt.date) -> range:
    return range(academic_year(start), academic_year(end) + 1)
