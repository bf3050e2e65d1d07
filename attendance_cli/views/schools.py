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
from collections.abc import Iterable, Sequence
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
    phase: str | None  # as the roster gave it, else derived from the year groups on roll
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
    phase_source: str | None = None  # "roster", "year groups", or None (no phase known)


COLUMNS = list(SchoolRow.__dataclass_fields__)


def phase_from_year_groups(year_groups: Iterable[str | None]) -> str | None:
    """A school's phase from the year groups of its pupils, in the DfE's words (Get Information
    about Schools): Nursery (N only), Primary (N, R, 1-6), Secondary (7-11, with or without a
    sixth form), 16 plus (12-14 only), All-through (both sides of Year 6/7); None when no year
    group is known. A pupil referral unit or a middle school cannot be told from year groups:
    only the roster's phase column says so."""
    groups = {g for g in year_groups if g}
    if not groups:
        return None
    numbers = {int(g) for g in groups if g.isdigit()}
    early = any(not g.isdigit() for g in groups) or any(n <= 6 for n in numbers)
    later = [n for n in numbers if n >= 7]
    if early and later:
        return "All-through"
    if later:
        return "16 plus" if min(later) >= 12 else "Secondary"
    if groups <= {"N", "N1", "N2"}:
        return "Nursery"
    return "Primary"


@dataclass
class SchoolList:
    period: ReportPeriod  # last_marks: the LA's
    la_summary: GroupSummary
    national: national.NationalFigures
    schools: list[SchoolRow]


def list_schools(store: Store, *, year: int | None = None) -> SchoolList:
    """Every school in the database, by name, with its figures for the year to date."""
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
            year_groups=[r.year_group for r in records],
        ),
    )


def school_rows(
    store: Store,
    *,
    school_ids: np.ndarray,
    counts: CountArrays,
    marks_now: MarkArray,
    year: int,
    year_groups: Sequence[str | None] | None = None,
) -> list[SchoolRow]:
    """A row per school in the database (by name), from every enrolment's counts over the
    period (``school_ids[i]`` is the school of row i); ``marks_now`` is the period's academic
    year of marks in the same order (for each school's last date with marks). A school whose
    phase the roster did not give gets one from ``year_groups`` (row i's year group) of the
    enrolments on roll in the period (``phase_from_year_groups``)."""
    marked = marks_now != ord(NO_MARK)
    last_position = np.where(
        marked.any(axis=1), marks.YEAR_LENGTH - 1 - np.argmax(marked[:, ::-1], axis=1), -1
    )
    rows = []
    groups = np.array(year_groups, dtype=object) if year_groups is not None else None
    on_roll = counts.possible > 0
    for school in store_registers.all_schools(store):
        mine = school_ids == school.id
        summary = summarise_counts(counts.take(mine))
        position = int(last_position[mine].max(initial=-1))
        phase, source = school.phase, "roster" if school.phase else None
        if not phase and groups is not None:
            phase = phase_from_year_groups(groups[mine & on_roll].tolist())
            source = "year groups" if phase else None
        rows.append(
            SchoolRow(
                laestab=school.laestab,
                name=school.name,
                phase=phase,
                phase_source=source,
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
