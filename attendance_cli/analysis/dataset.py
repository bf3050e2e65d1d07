"""Reading what the figures need from the database: schools, periods, enrolments and marks.

Uses stdlib sqlite3 (start-up budget: ``att tsm prepare`` <= 1 s). Every command that shows
figures goes through here, so schools are found, periods chosen and marks loaded one way.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field

from attendance_cli import marks
from attendance_cli.codes import NO_MARK
from attendance_cli.errors import NotFoundError, UsageError

TERMS = ("autumn", "spring", "summer")


@dataclass(frozen=True)
class SchoolRef:
    id: int
    laestab: str
    name: str
    phase: str | None = None


def find_school(conn: sqlite3.Connection, query: str) -> SchoolRef:
    """A school by LAESTAB, or by an unambiguous part of its name (case-insensitive)."""
    text = query.strip()
    digits = text.replace("/", "").replace(" ", "")
    if digits.isdigit():
        row = conn.execute(
            "SELECT id, laestab, name, phase FROM school WHERE laestab = ?", (digits,)
        ).fetchone()
        if row:
            return SchoolRef(*row)
    rows = conn.execute(
        "SELECT id, laestab, name, phase FROM school WHERE instr(lower(name), lower(?)) > 0 ORDER BY name",
        (text,),
    ).fetchall()
    exact = [r for r in rows if r[2].lower() == text.lower()]
    if len(exact) == 1 or len(rows) == 1:
        return SchoolRef(*(exact or rows)[0])
    if not rows:
        raise NotFoundError(
            f"No school matches {query!r}",
            hint="Give a LAESTAB or part of the school's name; `att schools` lists them.",
        )
    names = "; ".join(f"{r[1]} {r[2]}" for r in rows[:10])
    raise UsageError(
        f"{query!r} matches {len(rows)} schools: {names}",
        hint="Give more of the name, or the LAESTAB.",
    )


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    @property
    def academic_year(self) -> int:
        return marks.academic_year(self.end)


def last_mark_date(conn: sqlite3.Connection, school_id: int | None = None) -> dt.date | None:
    """The last date with any mark (for one school, or anywhere)."""
    sql = "SELECT m.academic_year, m.marks FROM mark_year m"
    args: tuple[object, ...] = ()
    if school_id is not None:
        sql += " JOIN enrolment e ON e.id = m.enrolment_id WHERE e.school_id = ?"
        args = (school_id,)
    latest_year = None
    latest_pos = -1
    for year, text in conn.execute(sql + " ORDER BY m.academic_year DESC", args):
        if latest_year is not None and year < latest_year:
            break
        pos = len(text.rstrip(NO_MARK)) - 1
        if pos >= 0 and (latest_year is None or pos > latest_pos):
            latest_year, latest_pos = year, pos
    if latest_year is None:
        return None
    return marks.date_at(latest_year, latest_pos)[0]


def resolve_period(
    *,
    last_date: dt.date | None,
    term: str | None = None,
    year: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
) -> Period:
    """The period to report on. Default: the academic year to date, up to ``last_date`` (the
    last date with marks). ``term`` uses the assumed term dates (see analysis.calendar) of
    ``year`` (default: the year of the last marks); ``start``/``end`` override either end."""
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
    if last < first:
        raise UsageError(
            f"The period ends ({last.isoformat()}) before it starts ({first.isoformat()})",
            hint="Check --from and --to (and --term/--year).",
        )
    return Period(first, last, label)


@dataclass
class EnrolmentRecord:
    enrolment_id: int
    pupil_id: int
    school_id: int
    upn: str
    surname: str | None
    forename: str | None
    year_group: str | None
    gender: str | None
    fsm: bool | None
    sen: str | None
    social_worker: str | None
    looked_after: bool | None
    entry_date: str | None
    leaving_date: str | None
    registration_group: str | None = None
    marks: dict[int, str] = field(default_factory=dict)


_ENROLMENT_SQL = (
    # a name kept as written (no comma, no roster yet) is shown where the surname goes
    "SELECT e.id, p.id, e.school_id, p.upn, coalesce(p.surname, p.name_as_written), p.forename, "
    "e.year_group, p.gender, p.fsm, p.sen, p.social_worker, p.looked_after, e.entry_date, "
    "e.leaving_date, e.registration_group "
    "FROM enrolment e JOIN pupil p ON p.id = e.pupil_id"
)


def load_enrolments(
    conn: sqlite3.Connection,
    *,
    years: list[int],
    school_id: int | None = None,
    pupil_id: int | None = None,
) -> list[EnrolmentRecord]:
    """Enrolments (of a school, a pupil, or all) with their marks for ``years``."""
    where, args = [], []
    if school_id is not None:
        where.append("e.school_id = ?")
        args.append(school_id)
    if pupil_id is not None:
        where.append("e.pupil_id = ?")
        args.append(pupil_id)
    sql = _ENROLMENT_SQL + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY e.id"
    records: dict[int, EnrolmentRecord] = {}
    for row in conn.execute(sql, args):
        record = EnrolmentRecord(*row)
        record.fsm = None if record.fsm is None else bool(record.fsm)
        record.looked_after = None if record.looked_after is None else bool(record.looked_after)
        records[record.enrolment_id] = record
    if not records or not years:
        return list(records.values())
    year_marks = ",".join("?" * len(years))
    mark_sql = f"SELECT m.enrolment_id, m.academic_year, m.marks FROM mark_year m WHERE m.academic_year IN ({year_marks})"
    mark_args: list[object] = list(years)
    if school_id is not None or pupil_id is not None:
        mark_sql = (
            "SELECT m.enrolment_id, m.academic_year, m.marks FROM mark_year m JOIN enrolment e "
            f"ON e.id = m.enrolment_id WHERE m.academic_year IN ({year_marks}) AND "
            + " AND ".join(where)
        )
        mark_args += args
    for enrolment_id, year, text in conn.execute(mark_sql, mark_args):
        found = records.get(enrolment_id)
        if found is not None:
            found.marks[year] = text
    return list(records.values())
