"""What the figures need from the store: the period reported on, the last marks, a school's
calendar. Every command that shows figures goes through here and ``store.registers``, so schools
are found, periods chosen and marks loaded one way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from attendance_cli import marks
from attendance_cli.errors import NotFoundError, UsageError
from attendance_cli.records import JsonRecord
from attendance_cli.store import Store
from attendance_cli.store import registers as store_registers
from attendance_cli.store.registers import EnrolmentRecord, School

if TYPE_CHECKING:
    from attendance_cli.analysis.calendar import SchoolCalendar

TERMS = ("autumn", "spring", "summer")

__all__ = [
    "TERMS",
    "EnrolmentRecord",
    "Period",
    "ReportPeriod",
    "School",
    "last_mark_date",
    "resolve_period",
    "school_calendar_of",
]


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    @property
    def academic_year(self) -> int:
        return marks.academic_year(self.end)


@dataclass(frozen=True, eq=False)
class ReportPeriod(JsonRecord):
    """The period a result covers, with the last date there are marks for (of the school or
    the LA); JSON ``{"from", "to", "label", "last_marks"}``."""

    start: dt.date
    end: dt.date
    label: str
    last_marks: dt.date | None

    JSON_KEYS = {"from": "start", "to": "end", "label": "label", "last_marks": "last_marks"}

    @classmethod
    def of(cls, period: Period, last_marks: dt.date | None) -> ReportPeriod:
        return cls(period.start, period.end, period.label, last_marks)


def last_mark_date(store: Store, school_id: int | None = None) -> dt.date | None:
    """The last date with any mark (for one school, or anywhere)."""
    found = store_registers.last_marked_position(store, school_id=school_id)
    return None if found is None else marks.date_at(*found)[0]


def school_calendar_of(store: Store, school_id: int, years: list[int]) -> SchoolCalendar:
    """The school's sessions (a position is a session when any pupil could attend it) for
    ``years``, from all its enrolments' marks."""
    from attendance_cli.analysis.calendar import SchoolCalendar
    from attendance_cli.analysis.counts import mark_array, school_calendar

    return SchoolCalendar(
        {
            year: school_calendar(
                mark_array(store_registers.school_marks(store, school_id=school_id, year=year))
            )
            for year in years
        }
    )


def resolve_period(
    *,
    last_date: dt.date | None,
    term: str | None = None,
    year: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
    subject: str | None = None,
) -> Period:
    """The period to report on. Default: the academic year to date, up to ``last_date`` (the
    last date with marks). ``term`` uses the assumed term dates (see analysis.calendar) of
    ``year`` (default: the year of the last marks); ``start``/``end`` override either end.
    A term or year that starts after the last marks is a NotFoundError saying so, naming
    ``subject`` (the school) and where its registers end."""
    from attendance_cli.analysis.calendar import assumed_terms

    anchor = last_date or today or dt.date.today()
    academic = year if year is not None else marks.academic_year(anchor)
    if term is not None:
        if term not in TERMS:
            raise UsageError(f"Unknown term {term!r}", hint="Use autumn, spring or summer.")
        terms = assumed_terms(academic)
        bounds = {  # terms run back to back: holidays have no sessions anyway
            "autumn": (marks.year_start(academic), terms.autumn_end),
            "spring": (terms.autumn_end + dt.timedelta(days=1), terms.spring_end),
            "summer": (terms.spring_end + dt.timedelta(days=1), marks.year_end(academic)),
        }
        first, last = bounds[term]
        label = f"{term} term {marks.academic_year_label(academic)}"
    else:
        first, last = marks.year_start(academic), marks.year_end(academic)
        label = f"{marks.academic_year_label(academic)} to date"
    if last_date is not None and start is None and end is None:
        last = min(last, last_date)
    if start is not None or end is not None:
        label = "custom period"
    first = start or first
    last = end or last
    if last < first and last_date is not None and start is None and end is None:
        raise NotFoundError(
            f"{subject or 'The registers'} {'has' if subject else 'have'} no marks in {label} "
            f"yet: {'its' if subject else 'the'} registers end {last_date:%d/%m/%Y}",
            hint="Import the newer registers, or choose a period up to then "
            "(--term, --year, or --from and --to).",
        )
    if last < first:
        raise UsageError(
            f"The period ends ({last:%d/%m/%Y}) before it starts ({first:%d/%m/%Y})",
            hint="Check --from and --to (and --term/--year).",
        )
    return Period(first, last, label)
