"""Build mark strings for tests by placing register codes (as written) at dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from attendance_cli import codes, marks
from attendance_cli.analysis.calendar import SchoolCalendar
from attendance_cli.analysis.figures import EnrolmentFigures, analyse_enrolment
from attendance_cli.marks import AM, PM

D = dt.date


def stored(code: str, day: dt.date) -> str:
    """The stored character of a register code on a date ('.' blank and '-' pass through)."""
    if code in (codes.NO_MARK, codes.MISSING_MARK):
        return code
    found = codes.lookup(codes.normalise_code(code), day)
    if found is None:
        raise ValueError(f"{code!r} is no code on {day}")
    return found.stored


def weekdays(
    first: dt.date, last: dt.date, *, skip: Iterable[tuple[dt.date, dt.date]] = ()
) -> list[dt.date]:
    """Weekdays first..last inclusive, leaving out the (start, end) ranges in ``skip``."""
    ranges = list(skip)
    days = []
    day = first
    while day <= last:
        if day.weekday() < 5 and not any(a <= day <= b for a, b in ranges):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def week(monday: dt.date) -> list[dt.date]:
    return [monday + dt.timedelta(days=n) for n in range(5)]


HALF_TERM_2024 = (D(2024, 10, 28), D(2024, 11, 1))


def autumn_2024(*, half_term: bool = True) -> list[dt.date]:
    """Autumn term 2024: Mon 2 Sep - Fri 20 Dec, half-term 28 Oct - 1 Nov (15 school weeks)."""
    return weekdays(D(2024, 9, 2), D(2024, 12, 20), skip=[HALF_TERM_2024] if half_term else [])


class Register:
    """One enrolment's marks, built code by code; ``.marks`` is {academic_year: string}."""

    def __init__(self) -> None:
        self._years: dict[int, list[str]] = {}

    def session(self, day: dt.date, session: int, code: str) -> Register:
        year = marks.academic_year(day)
        row = self._years.setdefault(year, list(marks.EMPTY_YEAR))
        row[marks.position(day, session)] = stored(code, day)
        return self

    def put(self, day: dt.date, am: str, pm: str | None = None) -> Register:
        """Both sessions of a day; ``pm`` defaults to ``am`` (``/`` gives ``\\`` in the PM)."""
        if pm is None:
            pm = "\\" if am == "/" else am
        return self.session(day, AM, am).session(day, PM, pm)

    def days(self, days: Iterable[dt.date], am: str, pm: str | None = None) -> Register:
        for day in days:
            self.put(day, am, pm)
        return self

    def lay(self, first: dt.date, session_codes: Sequence[str]) -> Register:
        """Codes for consecutive sessions, from the AM of ``first``, over weekdays."""
        day, session = first, AM
        for code in session_codes:
            while day.weekday() >= 5:
                day += dt.timedelta(days=1)
            self.session(day, session, code)
            if session == PM:
                day += dt.timedelta(days=1)
            session = PM if session == AM else AM
        return self

    @property
    def marks(self) -> dict[int, str]:
        return {year: "".join(row) for year, row in self._years.items()}


def present(days: Iterable[dt.date]) -> Register:
    return Register().days(days, "/")


def calendar_of(*registers: Register) -> SchoolCalendar:
    """The school calendar of a school whose pupils are ``registers``."""
    by_year: dict[int, list[str]] = {}
    for register in registers:
        for year, text in register.marks.items():
            by_year.setdefault(year, []).append(text)
    return SchoolCalendar.from_strings(by_year)


def analyse(
    pupil: Register,
    *,
    school_days: Iterable[dt.date],
    start: dt.date,
    end: dt.date,
    **options: Any,
) -> EnrolmentFigures:
    """Figures for ``pupil`` at a school open on ``school_days`` (another pupil attends them)."""
    calendar = calendar_of(present(school_days), pupil)
    return analyse_enrolment(marks=pupil.marks, start=start, end=end, calendar=calendar, **options)
