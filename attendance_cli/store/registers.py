"""Schools, pupils, enrolments and their marks: the registers aggregate, read side.

The reads here are the hot path of every per-school command (``att tsm prepare`` <= 0.5 s,
``att pupil show`` <= 0.3 s, start-up included), so they run as raw sqlite3 on
``store.connection``: importing SQLAlchemy and the models for Core statements costs ~0.27 s
(``sqlalchemy`` 0.14 s + ``sqlmodel`` models 0.13 s, ``python -X importtime``) — more than half of
the TSM pack's budget, for statements that compile to the same SQL. The functions are the
interface; a PostgreSQL store would run Core statements behind the same names.

Every statement names only tables and columns defined in ``db.models``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from attendance_cli.codes import NO_MARK
from attendance_cli.errors import InvalidInputError, NotFoundError, UsageError
from attendance_cli.identifiers import normalise_upn, upn_problem
from attendance_cli.marks import YEAR_LENGTH
from attendance_cli.records import JsonRecord
from attendance_cli.store.chunking import chunked
from attendance_cli.store.connection import Store
from attendance_cli.store.conversions import to_bool, to_date


# ----------------------------------------------------------------------------------- records
@dataclass(frozen=True, eq=False)
class School(JsonRecord):
    """A school; in results it is named by its LAESTAB and name (``{"laestab", "name"}``)."""

    id: int
    laestab: str
    name: str
    phase: str | None = None

    JSON_KEYS = {"laestab": "laestab", "name": "name"}


@dataclass(frozen=True, slots=True)
class Pupil:
    id: int
    upn: str
    surname: str | None
    forename: str | None
    date_of_birth: dt.date | None
    gender: str | None
    fsm: bool | None
    sen: str | None
    social_worker: str | None
    looked_after: bool | None


@dataclass(slots=True)
class EnrolmentRecord:
    """One enrolment with its pupil's details and its marks (``marks[academic_year]`` is the
    year's mark string; years not asked for, or without marks, are absent).

    Not frozen: an LA report builds 48,000 of these, and a frozen dataclass's ``__init__``
    (``object.__setattr__`` per field) took 0.15 s for them against 0.08 s with slots. Treat
    it as read-only all the same."""

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
    entry_date: dt.date | None
    leaving_date: dt.date | None
    registration_group: str | None = None
    marks: dict[int, str] = field(default_factory=dict)
    date_of_birth: dt.date | None = None


# ----------------------------------------------------------------------------------- schools
_SCHOOL = "SELECT id, laestab, name, phase FROM school"


def _school(row: Any) -> School:
    return School(int(row[0]), row[1], row[2], row[3])


def all_schools(store: Store) -> list[School]:
    """Every school, by name (then LAESTAB)."""
    return [_school(r) for r in store.connection.execute(_SCHOOL + " ORDER BY name, laestab")]


def school_by_id(store: Store, school_id: int) -> School | None:
    row = store.connection.execute(_SCHOOL + " WHERE id = ?", (school_id,)).fetchone()
    return _school(row) if row else None


def find_school(store: Store, query: str) -> School:
    """A school by LAESTAB, or by an unambiguous part of its name (case-insensitive)."""
    conn = store.connection
    text = query.strip()
    digits = text.replace("/", "").replace(" ", "")
    if digits.isdigit():
        row = conn.execute(_SCHOOL + " WHERE laestab = ?", (digits,)).fetchone()
        if row:
            return _school(row)
    rows = conn.execute(
        _SCHOOL + " WHERE instr(lower(name), lower(?)) > 0 ORDER BY name", (text,)
    ).fetchall()
    exact = [r for r in rows if r[2].lower() == text.lower()]
    if len(exact) == 1 or len(rows) == 1:
        return _school((exact or rows)[0])
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


# ------------------------------------------------------------------------------------ pupils
_PUPIL = (
    # a name kept as written (no comma, no roster yet) is shown where the surname goes
    "SELECT id, upn, coalesce(surname, name_as_written), forename, date_of_birth, gender, fsm, "
    "sen, social_worker, looked_after FROM pupil"
)


def _pupil(row: Any) -> Pupil:
    return Pupil(
        id=int(row[0]),
        upn=row[1],
        surname=row[2],
        forename=row[3],
        date_of_birth=to_date(row[4]),
        gender=row[5],
        fsm=to_bool(row[6]),
        sen=row[7],
        social_worker=row[8],
        looked_after=to_bool(row[9]),
    )


UPN_HINT = "Check the UPN: 13 characters, e.g. B801200005001."


@dataclass(frozen=True, slots=True)
class PupilMatch:
    """A pupil found by name, with where they are on roll (latest enrolment first)."""

    pupil: Pupil
    schools: tuple[str, ...]  # school names
    year_group: str | None


def _folded_words(text: str) -> list[str]:
    import unicodedata

    plain = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    return [w for w in "".join(c if c.isalnum() else " " for c in plain.casefold()).split() if w]


def find_pupils_by_name(store: Store, name: str) -> list[PupilMatch]:
    """Pupils whose forename, surname (or name as written) hold every word of ``name``, in any
    order, case and accents ignored ("kieran doyle", "Doyle, Kieran", "Zoe O'Brien" for Zoë)."""
    wanted = _folded_words(name)
    if not wanted:
        return []
    conn = store.connection
    found: list[Pupil] = []
    for row in conn.execute(_PUPIL + " ORDER BY surname, forename, upn"):
        words = set(_folded_words(f"{row[3] or ''} {row[2] or ''}"))
        if all(w in words for w in wanted):
            found.append(_pupil(row))
    matches = []
    for pupil in found:
        rows = conn.execute(
            "SELECT s.name, e.year_group FROM enrolment e JOIN school s ON s.id = e.school_id "
            "WHERE e.pupil_id = ? ORDER BY e.leaving_date IS NOT NULL, e.entry_date DESC, e.id DESC",
            (pupil.id,),
        ).fetchall()
        matches.append(PupilMatch(pupil, tuple(r[0] for r in rows), rows[0][1] if rows else None))
    return matches


def _looks_like_a_name(text: str) -> bool:
    """Text that cannot be a UPN but could be a name: letters beyond the first character, or
    more than one word."""
    squeezed = "".join(text.split())
    return len(text.split()) > 1 or (len(squeezed) > 1 and any(c.isalpha() for c in squeezed[1:]))


def find_pupil(store: Store, upn: str) -> Pupil:
    """The pupil with this UPN (spaces and case ignored). A malformed UPN is an
    InvalidInputError saying what is wrong with it, an unknown one a NotFoundError: the same
    two messages in every command that takes a UPN. A name where the UPN goes ("Kieran
    Doyle") finds the one pupil of that name; several are listed to choose from."""
    wanted = normalise_upn(upn)
    problem = upn_problem(wanted)
    if problem and _looks_like_a_name(upn):
        matches = find_pupils_by_name(store, upn)
        if len(matches) == 1:
            return matches[0].pupil
        if matches:
            listed = "; ".join(
                f"{m.pupil.forename or ''} {m.pupil.surname or ''} ({m.pupil.upn}, "
                f"{', '.join(m.schools) or 'no school'})".strip()
                for m in matches[:10]
            )
            raise InvalidInputError(
                f"{len(matches)} pupils are called {upn.strip()!r}: {listed}",
                hint="Give the UPN of the one you mean (att pupil find NAME lists them).",
            )
        raise NotFoundError(
            f"No pupil with UPN or name {upn.strip()!r} in the database",
            hint="Check the spelling (att pupil find NAME searches by name), or give the UPN.",
        )
    if problem:
        raise InvalidInputError(problem, hint=UPN_HINT)
    row = store.connection.execute(_PUPIL + " WHERE upn = ?", (wanted,)).fetchone()
    if row is None:
        raise NotFoundError(
            f"No pupil with UPN {wanted} in the database",
            hint="Check the UPN, or import the school's roster first (att import roster.csv).",
        )
    return _pupil(row)


# ------------------------------------------------------------------------ enrolments, marks
_ENROLMENT = (
    # a name kept as written (no comma, no roster yet) is shown where the surname goes
    "SELECT e.id, p.id, e.school_id, p.upn, coalesce(p.surname, p.name_as_written), p.forename, "
    "e.year_group, p.gender, p.fsm, p.sen, p.social_worker, p.looked_after, e.entry_date, "
    "e.leaving_date, e.registration_group, p.date_of_birth "
    "FROM enrolment e JOIN pupil p ON p.id = e.pupil_id"
)


def load_enrolments(
    store: Store,
    *,
    years: list[int],
    school_id: int | None = None,
    pupil_id: int | None = None,
) -> list[EnrolmentRecord]:
    """Enrolments (of a school, a pupil, or all) by id, with their marks for ``years``."""
    conn = store.connection
    where, args = _enrolment_filter(school_id, pupil_id)
    rows = conn.execute(_ENROLMENT + where + " ORDER BY e.id", args).fetchall()
    found: dict[int, dict[int, str]] = {r[0]: {} for r in rows}
    if rows and years:
        sql = (
            "SELECT m.enrolment_id, m.academic_year, m.marks FROM mark_year m "
            + ("JOIN enrolment e ON e.id = m.enrolment_id" if where else "")
            + (where + " AND " if where else " WHERE ")
        )
        for part in chunked(years):
            placeholders = ",".join("?" * len(part))
            for enrolment_id, year, text in conn.execute(
                sql + f"m.academic_year IN ({placeholders})", [*args, *part]
            ):
                marks = found.get(enrolment_id)
                if marks is not None:
                    marks[year] = text
    # positional, with the conversions inline: an LA report maps 48,000 of these (keyword
    # arguments and a call per conversion took 0.2 s more than this)
    return [
        EnrolmentRecord(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            r[7],
            None if r[8] is None else bool(r[8]),
            r[9],
            r[10],
            None if r[11] is None else bool(r[11]),
            to_date(r[12]) if r[12] else None,
            to_date(r[13]) if r[13] else None,
            r[14],
            found[r[0]],
            to_date(r[15]) if r[15] else None,
        )
        for r in rows
    ]


def _enrolment_filter(school_id: int | None, pupil_id: int | None) -> tuple[str, list[object]]:
    where: list[str] = []
    args: list[object] = []
    if school_id is not None:
        where.append("e.school_id = ?")
        args.append(school_id)
    if pupil_id is not None:
        where.append("e.pupil_id = ?")
        args.append(pupil_id)
    return (" WHERE " + " AND ".join(where) if where else ""), args


def marked_years(store: Store, *, pupil_id: int) -> list[int]:
    """The academic years in which any enrolment of the pupil has a mark string, in order."""
    return [
        int(year)
        for (year,) in store.connection.execute(
            "SELECT DISTINCT m.academic_year FROM mark_year m JOIN enrolment e "
            "ON e.id = m.enrolment_id WHERE e.pupil_id = ? ORDER BY 1",
            (pupil_id,),
        )
    ]


def school_marks(store: Store, *, school_id: int, year: int) -> list[bytes]:
    """Every mark string of one school's enrolments for one academic year, as bytes (for
    ``analysis.counts.mark_array``), in no particular order."""
    return [
        text
        for (text,) in store.connection.execute(
            "SELECT CAST(m.marks AS BLOB) FROM mark_year m JOIN enrolment e "
            "ON e.id = m.enrolment_id WHERE e.school_id = ? AND m.academic_year = ?",
            (school_id, year),
        )
    ]


def all_marks(store: Store, *, years: list[int], empty: str) -> dict[int, list[bytes]]:
    """Every enrolment's mark strings for ``years`` (the LA benchmark), aligned: row ``i`` of
    every year is the same enrolment; ``empty`` stands in for a year an enrolment has no marks.
    With one year only the enrolments with marks that year are returned, as bytes."""
    conn = store.connection
    if len(years) == 1:
        return {
            years[0]: [
                r[0]
                for r in conn.execute(
                    "SELECT CAST(marks AS BLOB) FROM mark_year WHERE academic_year = ?", years
                )
            ]
        }
    by_enrolment: dict[int, dict[int, bytes]] = {}
    for part in chunked(years):
        placeholders = ",".join("?" * len(part))
        for enrolment_id, year, text in conn.execute(
            "SELECT enrolment_id, academic_year, CAST(marks AS BLOB) FROM mark_year "
            f"WHERE academic_year IN ({placeholders})",
            part,
        ):
            by_enrolment.setdefault(enrolment_id, {})[year] = text
    rows = list(by_enrolment.values())
    blank = empty.encode("ascii")
    return {y: [r.get(y, blank) for r in rows] for y in years}


def all_marks_of_year(store: Store, *, year: int) -> tuple[int, bytes]:
    """Every mark string of one academic year, in no particular order, joined into one buffer:
    (how many, the bytes) for ``numpy.frombuffer`` (the LA benchmark of every TSM pack: 48,000
    strings joined as the cursor yields them, without a list of them first, took 0.03 s less
    than ``all_marks``)."""
    rows = store.connection.execute(
        "SELECT CAST(marks AS BLOB) FROM mark_year WHERE academic_year = ?", (year,)
    )
    data = b"".join(r[0] for r in rows)
    return len(data) // YEAR_LENGTH, data


def last_marked_position(store: Store, *, school_id: int | None = None) -> tuple[int, int] | None:
    """(academic year, position) of the last mark anywhere, or in one school's registers."""
    sql = "SELECT m.academic_year, m.marks FROM mark_year m"
    args: tuple[object, ...] = ()
    if school_id is not None:
        sql += " JOIN enrolment e ON e.id = m.enrolment_id WHERE e.school_id = ?"
        args = (school_id,)
    latest_year = None
    latest_pos = -1
    for year, text in store.connection.execute(sql + " ORDER BY m.academic_year DESC", args):
        if latest_year is not None and year < latest_year:
            break
        pos = len(text.rstrip(NO_MARK)) - 1
        if pos >= 0 and (latest_year is None or pos > latest_pos):
            latest_year, latest_pos = year, pos
    if latest_year is None:
        return None
    return latest_year, latest_pos
