"""Every read and write the letters make in the rest of att, in one place.

Nothing else in ``letters/`` imports another att package's data functions or touches the
database, and this module runs no SQL itself: it calls core functions, and the store for the
rest (``store.letters`` for the ``letter`` table of migration ``0005_letters``;
``store.cases`` for contacts and the latest TSM meeting; ``store.registers`` for a school by
id and the years a pupil has marks in).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attendance_cli.errors import NotFoundError
from attendance_cli.store.connection import Store
from attendance_cli.store.letters import LetterRecord

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


def find_pupil(conn: Store, upn: str) -> PupilInfo:
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


def pupil_contacts(conn: Store, pupil_id: int) -> list[ContactDetails]:
    """The pupil's parents and carers in roster order, as the referral check reads them
    (``ContactDetails.needs_letter``: parental responsibility, or not recorded)."""
    from attendance_cli.store.cases import contacts_of_pupil

    return contacts_of_pupil(conn, pupil_id)


@dataclass(frozen=True)
class SchoolInfo:
    id: int
    laestab: str
    name: str


def find_school(conn: Store, query: str) -> SchoolInfo:
    from attendance_cli.store.registers import find_school as core_find_school

    ref = core_find_school(conn, query)
    return SchoolInfo(ref.id, ref.laestab, ref.name)


def school_by_id(conn: Store, school_id: int) -> SchoolInfo:
    from attendance_cli.store.registers import school_by_id as stored_school

    school = stored_school(conn, school_id)
    if school is None:
        raise NotFoundError(f"No school with id {school_id} in the database")
    return SchoolInfo(school.id, school.laestab, school.name)


def pupil_enrolments(conn: Store, pupil_id: int) -> list[EnrolmentRecord]:
    """The pupil's enrolments with all their marks (``store.registers.load_enrolments``)."""
    from attendance_cli.store.registers import load_enrolments, marked_years

    years = marked_years(conn, pupil_id=pupil_id)
    return load_enrolments(conn, years=years, pupil_id=pupil_id)


# -------------------------------------------------------------------------------- figures


def school_period(
    conn: Store,
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


def pupil_figures(conn: Store, *, enrolment_id: int, school_id: int, period: Period) -> PupilEntry:
    """One enrolment's figures exactly as the school's TSM pack computes them: the school's
    calendar from every enrolment's marks (``counts.school_calendar``), ``analyse_enrolment``,
    then ``tsm.pack.pupil_entry`` (the pack's own row builder)."""
    from attendance_cli import marks
    from attendance_cli.analysis.calendar import SchoolCalendar
    from attendance_cli.analysis.counts import mark_array
    from attendance_cli.analysis.figures import analyse_enrolment
    from attendance_cli.analysis.thresholds import DEFAULT_CONFIG
    from attendance_cli.store.registers import load_enrolments
    from attendance_cli.tsm.pack import pupil_entry

    years = list(range(marks.academic_year(period.start) - 1, marks.academic_year(period.end) + 1))
    records = load_enrolments(conn, years=years, school_id=school_id)
    arrays = {y: mark_array([r.marks.get(y, marks.EMPTY_YEAR) for r in records]) for y in years}
    calendar = SchoolCalendar.from_strings(arrays)
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
    conn: Store,
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


def open_actions(conn: Store, pupil_id: int) -> list[ActionRecord]:
    """The actions still to do on the pupil's open case (agreed or overdue)."""
    from attendance_cli.cases.actions import list_actions
    from attendance_cli.cases.case import open_case

    case_id = open_case(conn, pupil_id)
    if case_id is None:
        return []
    return [a for a in list_actions(conn, case_id=case_id) if a.status in ("agreed", "overdue")]


def school_cases(conn: Store, school: str) -> list[CaseListRow]:
    from attendance_cli.cases.lists import list_cases

    return list_cases(conn, school=school, status="open")


def case_actions(conn: Store, case_id: int) -> list[ActionRecord]:
    from attendance_cli.cases.actions import list_actions

    return list_actions(conn, case_id=case_id)


def latest_tsm_meeting(conn: Store, school_id: int) -> tuple[int, dt.date] | None:
    """The school's most recent Targeting Support Meeting: (id, date)."""
    from attendance_cli.store.cases import latest_tsm_meeting as stored_latest

    return stored_latest(conn, school_id)


def penalty_notices(conn: Store, upn: str) -> list[PenaltyNoticeRecord]:
    from attendance_cli.cases.penalty import list_penalty_notices

    return list_penalty_notices(conn, upn=upn)


def parent_key(name: str) -> str:
    """Parent names as the penalty rules compare them (case, punctuation, a title ignored)."""
    from attendance_cli.cases.penalty_rules import parent_key as core_parent_key

    return core_parent_key(name)


def letter_dates(conn: Store, upn: str, store: Path) -> list[dt.date]:
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
    from attendance_cli.store.conversions import now_text as core_now_text

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
    on: dt.date | None = None  # the day the case document is dated as sent (default today)
    case_id: int | None = None  # the case to file it in (default: the open case, opened if none)


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
    conn: Store,
    *,
    pupil_id: int | None,
    school_id: int | None,
    template: str,
    addressee_key: str,
    letter_date: dt.date,
) -> int | None:
    """The id of a letter already made for this pupil (or, for a letter to a school, this
    school), addressee, template and date, else None."""
    from attendance_cli.store.letters import letter_sent

    return letter_sent(
        conn,
        pupil_id=pupil_id,
        school_id=school_id,
        template=template,
        addressee_key=addressee_key,
        letter_date=letter_date,
    )


def file_letters(
    store: Store,
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
    from attendance_cli.cases.case import find_pupil as core_find_pupil
    from attendance_cli.cases.documents import file_document
    from attendance_cli.errors import RefusedError
    from attendance_cli.store import LOCK_LETTERS, writing
    from attendance_cli.store.letters import insert_letter

    made: list[tuple[int, int | None]] = []
    with writing(store, LOCK_LETTERS):
        for letter in letters:
            if not force:
                earlier = already_sent(
                    store,
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
            document_id: int | None = None
            if letter.file_in_case and letter.pupil_id is not None and letter.upn is not None:
                document_id = file_document(
                    store,
                    core_find_pupil(store, letter.upn),
                    kind="letter",
                    file_name=letter.file_name,
                    sha256=letter.sha256,
                    size=letter.bytes,
                    document_date=letter.letter_date,
                    description=letter.description,
                    officer=officer,
                    on=letter.on,
                    case_id=letter.case_id,
                ).id
            letter_id = insert_letter(
                store,
                document_id=document_id,
                pupil_id=letter.pupil_id,
                school_id=letter.school_id,
                template=letter.template,
                template_version=letter.template_version,
                template_sha256=letter.template_sha256,
                addressee=letter.addressee,
                addressee_key=letter.addressee_key,
                letter_date=letter.letter_date,
                file_name=letter.file_name,
                sha256=letter.sha256,
                size=letter.bytes,
                batch=batch,
                officer=officer,
            )
            record_audit(
                store,
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


LetterRow = LetterRecord  # a letter made, as ``att letter list`` shows it


def list_letters(
    conn: Store, *, pupil_id: int | None = None, school_id: int | None = None
) -> list[LetterRow]:
    from attendance_cli.store.letters import letters

    return letters(conn, pupil_id=pupil_id, school_id=school_id)
