"""Every school with its headline figures: ``list_schools`` -> ``SchoolList`` (``att schools``).

The period is the LA's academic year to date (up to the last date with marks anywhere), or a
whole earlier year with ``year``. Each school's figures are the TSM pack's headline for the
same period (``analysis.summary``: DfE sums over enrolments; PA and SA rates out of the pupils
on roll), with the last date the school has marks for, so stale registers show. ``pa_rank``
ranks the schools by their exact PA rate (persistent / on roll, compared as fractions, never
rounded), 1 = highest; schools with the same rate share a rank; schools with nobody on roll
have none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from fractions import Fraction

import numpy as np

from attendance_cli import marks
from attendance_cli.analysis import national
from attendance_cli.analysis.counts import CountArrays, MarkArray, count_period, mark_array
from attendance_cli.analysis.dataset import ReportPeriod, last_mark_date, resolve_period
from attendance_cli.analysis.summary import GroupSummary, summarise_counts
from attendance_cli.codes import NO_MARK
from attendance_cli.store import Store
from attendance_cli.store import registers as store_registers


@dataclass
class SchoolRow:
    """One school's headline figures (flat: a row of ``att schools`` and of the LA report)."""

    laestab: str
    name: str
    phase: str | None
    last_marks: dt.date | None
    pa_rank: int | None
    enrolments: int
    on_roll: int
    possible: int
    attended: int
    authorised: int
    unauthorised: int
    sessions_missed: int
    late: int
    missing: int
    attendance_pct: float | None
    absence_pct: float | None
    authorised_pct: float | None
    unauthorised_pct: float | None
    persistent: int
    persistent_pct: float | None
    severe: int
    severe_pct: float | None


COLUMNS = list(SchoolRow.__dataclass_fields__)


@dataclass
class SchoolList:
    period: ReportPeriod  # last_marks: the LA's
    la_summary: GroupSummary
    national: national.NationalFigures
    schools: list[SchoolRow]


def list_schools(store: Store, *, year: int | None = None) -> SchoolList:
    """Every school in the database, by name, with its figures for the year to date."""
    store = Store.of(store)  # callers not yet behind the store pass a raw connection
    last = last_mark_date(store)
    period = resolve_period(last_date=last, year=year)
    records = store_registers.load_enrolments(store, years=[period.academic_year])
    current = mark_array([r.marks.get(period.academic_year, marks.EMPTY_YEAR) for r in records])
    counts = count_period({period.academic_year: current}, period.start, period.end)
    school_ids = np.array([r.school_id for r in records], dtype=np.int64)
    return SchoolList(
        period=ReportPeriod.of(period, last),
        la_summary=summarise_counts(counts),
        national=national.latest(),
        schools=school_rows(
            store,
            school_ids=school_ids,
            counts=counts,
            marks_now=current,
            year=period.academic_year,
        ),
    )


def school_rows(
    store: Store,
    *,
    school_ids: np.ndarray,
    counts: CountArrays,
    marks_now: MarkArray,
    year: int,
) -> list[SchoolRow]:
    """A row per school in the database (by name), from every enrolment's counts over the
    period (``school_ids[i]`` is the school of row i); ``marks_now`` is the period's academic
    year of marks in the same order (for each school's last date with marks)."""
    marked = marks_now != ord(NO_MARK)
    last_position = np.where(
        marked.any(axis=1), marks.YEAR_LENGTH - 1 - np.argmax(marked[:, ::-1], axis=1), -1
    )
    rows = []
    for school in store_registers.all_schools(store):
        mine = school_ids == school.id
        summary = summarise_counts(counts.take(mine))
        position = int(last_position[mine].max(initial=-1))
        rows.append(
            SchoolRow(
                laestab=school.laestab,
                name=school.name,
                phase=school.phase,
                last_marks=marks.date_at(year, position)[0] if position >= 0 else None,
                pa_rank=None,
                **asdict(summary),
            )
        )
    _rank_by_pa_rate(rows)
    return rows


def _rank_by_pa_rate(rows: list[SchoolRow]) -> None:
    rated = sorted(
        (r for r in rows if r.on_roll),
        key=lambda r: Fraction(r.persistent, r.on_roll),
        reverse=True,
    )
    previous: Fraction | None = None
    for position, row in enumerate(rated, start=1):
        rate = Fraction(row.persistent, row.on_roll)
        row.pa_rank = position if rate != previous else rated[position - 2].pa_rank
        previous = rate


def ranked(rows: list[SchoolRow]) -> list[SchoolRow]:
    """Schools by PA rate, highest first (then by name); those with nobody on roll last."""
    return sorted(rows, key=lambda r: (r.pa_rank is None, r.pa_rank or 0, r.name, r.laestab))
