"""Every read and write the letters make in the rest of att, in one place.

The store refactor is moving SQL out of ``cases/``, ``analysis/`` and friends into
``attendance_cli/store/``; when it lands, only this module needs re-pointing. Nothing else in
``letters/`` imports another att package's data functions or touches the database.

Most functions here call existing core functions. Reads and writes that had no core function
are marked **NEW SQL** below (the pupil's details and contacts, school names, the latest TSM
meeting of a school, and the ``letter`` table of migration ``0005_letters``); they belong in
``store/`` once it exists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attendance_cli.errors import NotFoundError

if TYPE_CHECKING:
    from attendance_cli.analysis.dataset import EnrolmentRecord, Period
    from attendance_cli.cases.lists import CaseListRow
    from attendance_cli.cases.penalty import PenaltyNoticeRecord
    from attendance_cli.referrals.evidence import ContactDetails
    from attendance_cli.store.cases import ActionRecord
    from attendance_cli.tsm.pack import PupilEntry, TsmPack


# ------------------------------------------------------------------------ people and schools


@dataclass(frozen=True)
class PupilInfo:
    id: int
    upn: str
    surname: str | None
    forename: str | None
    date_of_birth: dt.date | None
    social_worker: str | None
    looked_after: bool | None

    @property
    def name(self) -> str:
        return " ".join(filter(None, [self.forename, self.surname])) or self.upn


def find_pupil(conn: sqlite3.Connection, upn: str) -> PupilInfo:
    """The pupil (core ``cases.case.find_pupil``) with the details a letter prints."""
    from attendance_cli.cases.case import find_pupil as core_find_pupil

    pupil = core_find_pupil(conn, upn)
    return PupilInfo(
        pupil.id,
        pupil.upn,
        pupil.surname,
        pupil.forename,
        pupil.date_of_birth,
        pupil.social_worker,
        pupil.looked_after,
    )


def pupil_contacts(conn: sqlite3.Connection, pupil_id: int) -> list[ContactDetails]:
    """The pupil's parents and carers in roster order, as the referral check reads them
    (``ContactDetails.needs_letter``: parental responsibility, or not recorded)."""
    from attendance_cli.referrals.evidence import ContactDetails

    # NEW SQL: the same query gather_case_file makes inline
    return [
        ContactDetails(r[0], r[1], r[2], r[3], r[4], r[5], None if r[6] is None else bool(r[6]))
        for r in conn.execute(
            "SELECT id, name, relationship, address, phone, email, parental_responsibility "
            "FROM contact WHERE pupil_id = ? ORDER BY priority, id",
            (pupil_id,),
        )
    ]


@dataclass(frozen=True)
class SchoolInfo:
    id: int
    laestab: str
    name: str


def find_school(conn: sqlite3.Connection, query: str) -> SchoolInfo:
    from attendance_cli.analysis.dataset import find_school as core_find_school

    ref = core_find_school(conn, query)
    return SchoolInfo(ref.id, ref.laestab, ref.name)


def school_by_id(conn: sqlite3.Connection, school_id: int) -> SchoolInfo:
    # NEW SQL: a school by its id
    row = conn.execute("SELECT id, laestab, name FROM school WHERE id = ?", (school_id,)).fetchone()
    return SchoolInfo(*row)


def pupil_enrolments(conn: sqlite3.Connection, pupil_id: int) -> list[EnrolmentRecord]:
    """The pupil's enrolments with all their marks (``analysis.dataset.load_enrolments``)."""
    from attendance_cli.analysis.dataset import load_enrolments

    # NEW SQL: which academic years the pupil has marks in (as views.pupil asks inline)
    years = [
        y
        for (y,) in conn.execute(
            "SELECT DISTINCT m.academic_year FROM mark_year m JOIN enrolment e "
            "ON e.id = m.enrolment_id WHERE e.pupil_id = ? ORDER BY 1",
            (pupil_id,),
        )
    ]
    return load_enrolments(conn, years=years, pupil_id=pupil_id)


# -------------------------------------------------------------------------------- figures


def school_period(
    conn: sqlite3.Connection,
    school_id: int,
    *,
    term: str | None = None,
    year: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Period:
    """The period as ``att tsm prepare`` resolves it for the school (default: the academic year
    to the school's last marks)."""
    from attendance_cli.analysis.dataset import last_mark_date, resolve_period

    last = last_mark_date(conn, school_id)
    if last is None:
        school = school_by_id(conn, school_id)
        raise NotFoundError(
            f"{school.name} ({school.laestab}) has no register marks yet",
            hint="Import the school's registers first: att import FILE --school " + school.laestab,
        )
    return resolve_period(last_date=last, term=term, year=year, start=start, end=end)


def pupil_figures(
    conn: sqlite3.Connection, *, enrolment_id: int, school_id: int, period: Period
) -> PupilEntry:
    """One enrolment's figures exactly as the school's TSM pack computes them: the school's
    calendar from every enrolment's marks (``counts.school_calendar``), ``analyse_enrolment``,
    then ``tsm.pack.pupil_entry`` (the pack's own row builder)."""
    from attendance_cli import marks
    from attendance_cli.analysis.calendar import SchoolCalendar
    from attendance_cli.analysis.counts import mark_array, school_calendar
    from attendance_cli.analysis.dataset import load_enrolments
    from attendance_cli.analysis.figures import analyse_enrolment
    from attendance_cli.analysis.thresholds import DEFAULT_CONFIG
    from attendance_cli.tsm.pack import pupil_entry

    years = list(range(marks.academic_year(period.start) - 1, marks.academic_year(period.end) + 1))
    records = load_enrolments(conn, years=years, school_id=school_id)
    arrays = {y: mark_array([r.marks.get(y, marks.EMPTY_YEAR) for r in records]) for y in years}
    calendar = SchoolCalendar({y: school_calendar(arrays[y]) for y in years})
    record = next(r for r in records if r.enrolment_id == enrolment_id)
    result = analyse_enrolment(
        marks=record.marks,
        start=period.start,
        end=period.end,
        calendar=calendar,
        config=DEFAULT_CONFIG,
        has_social_worker=bool(record.social_worker),
        looked_after=bool(record.looked_after),
    )
    return pupil_entry(record, result, None)


def tsm_pack(
    conn: sqlite3.Connection,
    *,
    school: str,
    term: str | None = None,
    year: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> TsmPack:
    from attendance_cli.tsm.pack import prepare_tsm_pack

    return prepare_tsm_pack(conn, school=school, term=term, year=year, start=start, end=end)


def make_period(start: dt.date, end: dt.date, label: str) -> Period:
    from attendance_cli.analysis.dataset import Period

    return Period(start, end, label)


def csv_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """CSV through the formula-injection guard (``exports.render.csv_text``)."""
    from attendance_cli.exports.render import csv_text as core_csv_text

    return core_csv_text(rows, columns)


def count_between(marks_by_year: dict[int, str], start: dt.date, end: dt.date) -> Any:
    """DfE counts of one enrolment over any dates (``analysis.figures.count_sessions``)."""
    from attendance_cli.analysis.figures import count_sessions

    return count_sessions(marks=marks_by_year, start=start, end=end)


# ------------------------------------------------------------------------------- casework


def open_actions(conn: sqlite3.Connection, pupil_id: int) -> list[ActionRecord]:
    """The actions still to do on the pupil's open case (agreed or overdue)."""
    from attendance_cli.cases.actions import list_actions
    from attendance_cli.cases.case import open_case

    case_id = open_case(conn, pupil_id)
    if case_id is None:
        return []
    return [a for a in list_actions(conn, case_id=case_id) if a.status in ("agreed", "overdue")]


def school_cases(conn: sqlite3.Connection, school: str) -> list[CaseListRow]:
    from attendance_cli.cases.lists import list_cases

    return list_cases(conn, school=school, status="open")


def case_actions(conn: sqlite3.Connection, case_id: int) -> list[ActionRecord]:
    from attendance_cli.cases.actions import list_actions

    return list_actions(conn, case_id=case_id)


def latest_tsm_meeting(conn: sqlite3.Connection, school_id: int) -> tuple[int, dt.date] | None:
    # NEW SQL: the school's most recent Targeting Support Meeting
    row = conn.execute(
        "SELECT id, date FROM meeting WHERE school_id = ? AND kind = 'tsm' ORDER BY date DESC, id DESC LIMIT 1",
        (school_id,),
    ).fetchone()
    return (row[0], dt.date.fromisoformat(row[1])) if row else None


def penalty_notices(conn: sqlite3.Connection, upn: str) -> list[PenaltyNoticeRecord]:
    from attendance_cli.cases.penalty import list_penalty_notices

    return list_penalty_notices(conn, upn=upn)


def parent_key(name: str) -> str:
    """Parent names as the penalty rules compare them (case, punctuation, a title ignored)."""
    from attendance_cli.cases.penalty_rules import parent_key as core_parent_key

    return core_parent_key(name)


def letter_dates(conn: sqlite3.Connection, upn: str, store: Path) -> list[dt.date]:
    """The dates of the pupil's case documents of kind ``letter`` (attached by hand or made
    here; undated ones count from the day they were recorded)."""
    from attendance_cli.cases.documents import list_documents

    return [
        d.document_date or dt.date.fromisoformat(d.created_at[:10])
        for d in list_documents(conn, upn=upn, store=store)
        if d.kind == "letter"
    ]


# ------------------------------------------------------------------------- where and who


def document_store(database: Path) -> Path:
    from attendance_cli.config import document_store as core_document_store

    return core_document_store(database)


def officer_name(cli_value: str | None = None) -> str:
    from attendance_cli.config import officer_name as core_officer_name

    return core_officer_name(cli_value)


def now_text() -> str:
    from attendance_cli.registers.store import now_text as core_now_text

    return core_now_text()


# ------------------------------------------------------------------------------- filing


@dataclass(frozen=True)
class LetterToFile:
    """One rendered letter, to be recorded (its bytes are already in the document store)."""

    pupil_id: int | None
    upn: str | None
    school_id: int | None
    template: str
    template_version: str
    template_sha256: str
    addressee: str
    addressee_key: str
    letter_date: dt.date
    file_name: str
    sha256: str
    bytes: int
    description: str
    file_in_case: bool  # a case document too (letters to parents)


def store_bytes(store: Path, data: bytes) -> tuple[str, bool]:
    """Put ``data`` in the private document store named by its SHA-256, as
    ``cases.documents.attach_document`` does (0700 folder, 0600 file, written then renamed).
    Returns the SHA-256 and whether the file is new (the same bytes are stored once)."""
    sha256 = hashlib.sha256(data).hexdigest()
    store.mkdir(mode=0o700, parents=True, exist_ok=True)
    if store.stat().st_mode & 0o077:
        store.chmod(0o700)
    target = store / sha256
    if not target.exists():
        partial = store / f".{sha256}.partial"
        fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
        return sha256, True
    return sha256, False


def already_sent(
    conn: sqlite3.Connection,
    *,
    pupil_id: int | None,
    school_id: int | None,
    template: str,
    addressee_key: str,
    letter_date: dt.date,
) -> int | None:
    """The id of a letter already made for this pupil (or, for a letter to a school, this
    school), addressee, template and date, else None."""
    # NEW SQL: the letter table (migration 0005_letters)
    whose = (
        ("pupil_id = ?", pupil_id)
        if pupil_id is not None
        else ("pupil_id IS NULL AND school_id = ?", school_id)
    )
    row = conn.execute(
        f"SELECT id FROM letter WHERE {whose[0]} AND template = ? "
        "AND addressee_key = ? AND letter_date = ? ORDER BY id LIMIT 1",
        (whose[1], template, addressee_key, letter_date.isoformat()),
    ).fetchone()
    return row[0] if row else None


def file_letters(
    conn: sqlite3.Connection,
    letters: Iterable[LetterToFile],
    *,
    officer: str,
    batch: str | None,
    force: bool,
) -> list[tuple[int, int | None]]:
    """Record every letter in ONE transaction: for a letter to a parent, a case document of
    kind ``letter`` on the pupil's open case (one is opened if none is) with its audit entry,
    as ``cases.documents.attach_document`` records one; then the ``letter`` row with the template
    and its version, and a ``send_letter`` audit entry. Returns (letter id, document id) pairs.

    The duplicate check runs again inside the write lock, so two officers making the same
    letter at once cannot both file it."""
    from attendance_cli.cases.audit import record_audit
    from attendance_cli.cases.case import ensure_open_case
    from attendance_cli.cases.case import find_pupil as core_find_pupil
    from attendance_cli.db.engine import transaction
    from attendance_cli.errors import RefusedError
    from attendance_cli.store import Store
    from attendance_cli.store.cases import insert_document

    made: list[tuple[int, int | None]] = []
    with transaction(conn):
        for letter in letters:
            if not force:
                earlier = already_sent(
                    conn,
                    pupil_id=letter.pupil_id,
                    school_id=letter.school_id,
                    template=letter.template,
                    addressee_key=letter.addressee_key,
                    letter_date=letter.letter_date,
                )
                if earlier is not None:
                    raise RefusedError(
                        f"Letter {earlier} already went to {letter.addressee} from template "
                        f"{letter.template} on {letter.letter_date.isoformat()}",
                        hint="Give --force to make and file it again.",
                    )
            stamp = now_text()
            document_id: int | None = None
            if letter.file_in_case and letter.pupil_id is not None and letter.upn is not None:
                pupil = core_find_pupil(conn, letter.upn)
                case_id = ensure_open_case(conn, pupil, officer)
                document_id = insert_document(
                    Store.of(conn),
                    case_id=case_id,
                    kind="letter",
                    file_name=letter.file_name,
                    sha256=letter.sha256,
                    size=letter.bytes,
                    document_date=letter.letter_date,
                    description=letter.description,
                    officer=officer,
                ).id
                record_audit(
                    conn,
                    officer=officer,
                    action="attach_document",
                    entity="document",
                    entity_id=document_id,
                    upn=letter.upn,
                    detail={
                        "kind": "letter",
                        "file_name": letter.file_name,
                        "sha256": letter.sha256,
                        "bytes": letter.bytes,
                    },
                )
            # NEW SQL: the letter table (migration 0005_letters)
            cursor = conn.execute(
                "INSERT INTO letter (document_id, pupil_id, school_id, template, template_version, "
                "template_sha256, addressee, addressee_key, letter_date, file_name, sha256, bytes, "
                "batch, created_at, officer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    document_id,
                    letter.pupil_id,
                    letter.school_id,
                    letter.template,
                    letter.template_version,
                    letter.template_sha256,
                    letter.addressee,
                    letter.addressee_key,
                    letter.letter_date.isoformat(),
                    letter.file_name,
                    letter.sha256,
                    letter.bytes,
                    batch,
                    stamp,
                    officer,
                ),
            )
            letter_id = int(cursor.lastrowid or 0)
            record_audit(
                conn,
                officer=officer,
                action="send_letter",
                entity="letter",
                entity_id=letter_id,
                upn=letter.upn,
                detail={
                    "template": letter.template,
                    "template_version": letter.template_version,
                    "addressee": letter.addressee,
                    "date": letter.letter_date,
                    "sha256": letter.sha256,
                    "document_id": document_id,
                    "forced": force,
                },
            )
            made.append((letter_id, document_id))
    return made


@dataclass
class LetterRow:
    id: int
    letter_date: dt.date
    template: str
    template_version: str
    addressee: str
    upn: str | None
    surname: str | None
    forename: str | None
    school_laestab: str | None
    school_name: str | None
    file_name: str
    sha256: str
    bytes: int
    document_id: int | None
    batch: str | None
    created_at: str
    officer: str


def list_letters(
    conn: sqlite3.Connection, *, pupil_id: int | None = None, school_id: int | None = None
) -> list[LetterRow]:
    # NEW SQL: the letter table (migration 0005_letters)
    where, args = [], []
    if pupil_id is not None:
        where.append("l.pupil_id = ?")
        args.append(pupil_id)
    if school_id is not None:
        where.append("l.school_id = ?")
        args.append(school_id)
    sql = (
        "SELECT l.id, l.letter_date, l.template, l.template_version, l.addressee, p.upn, p.surname, "
        "p.forename, s.laestab, s.name, l.file_name, l.sha256, l.bytes, l.document_id, l.batch, "
        "l.created_at, l.officer FROM letter l LEFT JOIN pupil p ON p.id = l.pupil_id "
        "LEFT JOIN school s ON s.id = l.school_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY l.letter_date, l.id"
    )
    rows = []
    for r in conn.execute(sql, args):
        rows.append(LetterRow(r[0], dt.date.fromisoformat(r[1]), *r[2:]))
    return rows
