"""The database entities: one SQLModel metadata, the single source of the schema.

Alembic migrations (``migrations/versions``) are written from these and a test checks they do
not drift. Hot paths (import, figures) read and write the same tables through stdlib sqlite3
because importing SQLModel costs ~0.6 s of start-up; they use only the names defined here.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, String, UniqueConstraint
from sqlmodel import Field, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLModel.metadata = MetaData(naming_convention=NAMING_CONVENTION)
metadata = SQLModel.metadata


class School(SQLModel, table=True):
    __tablename__ = "school"

    id: int | None = Field(default=None, primary_key=True)
    laestab: str = Field(max_length=7, unique=True)
    name: str
    phase: str | None = None
    created_at: dt.datetime


class Pupil(SQLModel, table=True):
    __tablename__ = "pupil"

    id: int | None = Field(default=None, primary_key=True)
    upn: str = Field(max_length=13, unique=True)
    surname: str | None = None
    forename: str | None = None
    date_of_birth: dt.date | None = None
    gender: str | None = None
    fsm: bool | None = None  # eligible for free school meals
    sen: str | None = None  # N (none), K (SEN support), E (EHC plan)
    social_worker: str | None = (
        None  # CIN, CP (child in need / protection plan) or SW (type not given)
    )
    looked_after: bool | None = None
    # a register's single name column without a comma ("Alex Smith"), kept as written until a
    # roster gives the surname and forename (att never guesses which word is the surname)
    name_as_written: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime


class Enrolment(SQLModel, table=True):
    """A pupil on roll at one school: attendance figures are counted per enrolment."""

    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("pupil_id", "school_id"),)

    id: int | None = Field(default=None, primary_key=True)
    pupil_id: int = Field(foreign_key="pupil.id", index=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    entry_date: dt.date | None = None
    leaving_date: dt.date | None = None
    year_group: str | None = None  # normalised: "1".."14", "R" (reception), "N1", "N2"
    registration_group: str | None = None  # the register's Reg / Form / Tutor Group


class Contact(SQLModel, table=True):
    """A parent or carer of a pupil."""

    __tablename__ = "contact"

    id: int | None = Field(default=None, primary_key=True)
    pupil_id: int = Field(foreign_key="pupil.id", index=True)
    priority: int = 1
    name: str
    relationship: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    parental_responsibility: bool | None = None


class MarkYear(SQLModel, table=True):
    """One enrolment's session marks for one academic year (layout: ``attendance_cli.marks``)."""

    __tablename__ = "mark_year"

    enrolment_id: int = Field(
        sa_column=Column(Integer, ForeignKey("enrolment.id"), primary_key=True)
    )
    academic_year: int = Field(sa_column=Column(Integer, primary_key=True))
    marks: str = Field(sa_column=Column(String(540), nullable=False))


class ImportLog(SQLModel, table=True):
    """One row per import that wrote to the database (dry runs are not logged)."""

    __tablename__ = "import_log"

    id: int | None = Field(default=None, primary_key=True)
    file_name: str
    sha256: str = Field(max_length=64, index=True)
    file_format: str
    school_id: int | None = Field(default=None, foreign_key="school.id")
    rows: int
    marks_added: int
    marks_changed: int
    marks_unchanged: int
    rows_rejected: int
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    imported_at: dt.datetime
    os_user: str
    tool_version: str
    code_map: str | None = None  # the LA code map applied: file name and SHA-256
    # the column map applied (--columns or the one saved for the school), as FIELD=HEADER pairs
    column_map: str | None = None


class MarkChange(SQLModel, table=True):
    """A register mark replaced by a later import (kept for evidence bundles)."""

    __tablename__ = "mark_change"
    __table_args__ = (Index("ix_mark_change_enrolment_date", "enrolment_id", "date"),)

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="import_log.id")
    enrolment_id: int = Field(foreign_key="enrolment.id")
    date: dt.date
    session: int  # 0 = AM, 1 = PM
    old_mark: str = Field(max_length=1)
    new_mark: str = Field(max_length=1)


class MarksVersion(SQLModel, table=True):
    """One row: a counter every write of register marks raises in its own transaction
    (``store.benchmark.marks_changed``), so a cached figure can say which marks it was counted
    from (``la_benchmark``)."""

    __tablename__ = "marks_version"

    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    version: int


class LaBenchmark(SQLModel, table=True):
    """The LA benchmark of a TSM pack (every enrolment's totals over a period), as counted
    from the marks at ``marks_version``: read only while that is still the current version."""

    __tablename__ = "la_benchmark"

    period_start: dt.date = Field(primary_key=True)
    period_end: dt.date = Field(primary_key=True)
    marks_version: int
    enrolments: int
    on_roll: int
    possible: int
    attended: int
    authorised: int
    unauthorised: int
    late: int
    missing: int
    persistent: int
    severe: int


# ------------------------------------------------------------------------------ casework
# Nothing in casework is ever deleted: cases close, actions are done or cancelled, lead
# practitioners are replaced by a newer row, notices are paid or withdrawn. Every change is also
# written to the hash-chained audit log.


class PupilCase(SQLModel, table=True):
    """A pupil's case: it follows the child across schools."""

    __tablename__ = "pupil_case"

    id: int | None = Field(default=None, primary_key=True)
    pupil_id: int = Field(foreign_key="pupil.id", index=True)
    status: str  # open or closed
    opened_at: dt.datetime
    opened_by: str
    closed_at: dt.datetime | None = None
    outcome: str | None = None
    # the days it happened (``att case ... --on``); *_at are when att recorded it
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None


class LeadPractitioner(SQLModel, table=True):
    """Who leads a case; the newest row is the current lead (the older ones are its history)."""

    __tablename__ = "lead_practitioner"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="pupil_case.id", index=True)
    name: str
    agency: str
    role: str | None = None
    contact: str | None = None
    set_at: dt.datetime
    officer: str
    set_on: dt.date | None = None  # the day the lead took over (``--on``); set_at: recorded


class Meeting(SQLModel, table=True):
    """A Targeting Support Meeting (or another meeting) with a school."""

    __tablename__ = "meeting"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    date: dt.date
    kind: str  # tsm or other
    attendees: str  # JSON list of names
    created_at: dt.datetime
    officer: str


class MeetingWorkbook(SQLModel, table=True):
    """A filled-in TSM workbook recorded into a meeting (``att tsm record``); each file once."""

    __tablename__ = "meeting_workbook"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    sha256: str = Field(max_length=64, unique=True)
    file_name: str | None = None
    recorded_at: dt.datetime
    officer: str


class CaseAction(SQLModel, table=True):
    """An agreed action of the graduated approach (see ``attendance_cli.cases.kinds``)."""

    __tablename__ = "case_action"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="pupil_case.id", index=True)
    tier: str  # support, formal, legal
    kind: str
    description: str
    owner: str | None = None
    agency: str | None = None
    due: dt.date | None = None
    status: str  # agreed, done, cancelled
    outcome: str | None = None
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    created_at: dt.datetime
    completed_at: dt.datetime | None = None
    officer: str
    # the notice this action tracks (kind "penalty notice", recorded by ``cases.penalty``)
    penalty_notice_id: int | None = Field(default=None, foreign_key="penalty_notice.id", index=True)
    # the days it was agreed (its meeting's date, or ``--on``) and ended; *_at: recorded
    agreed_on: dt.date | None = None
    ended_on: dt.date | None = None


class CaseNote(SQLModel, table=True):
    __tablename__ = "case_note"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="pupil_case.id", index=True)
    text: str  # as corrected, if it was (``case_note_revision`` keeps each text replaced)
    created_at: dt.datetime
    officer: str
    happened_on: dt.date | None = None  # the day of what the note records (``--on``)
    corrected_at: dt.datetime | None = None  # the last correction (UK GDPR art. 16)


class CaseNoteRevision(SQLModel, table=True):
    """A note's text as it was before a correction (``att case note correct``): kept out of the
    audit log so that erasing the note later can remove it too (with a tombstone entry)."""

    __tablename__ = "case_note_revision"

    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="case_note.id", index=True)
    case_id: int = Field(foreign_key="pupil_case.id")
    text: str  # the text replaced
    reason: str | None = None
    replaced_at: dt.datetime
    officer: str  # who corrected it


class CaseDocument(SQLModel, table=True):
    """A file copied into the document store beside the database, named by its SHA-256."""

    __tablename__ = "case_document"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="pupil_case.id", index=True)
    kind: str  # letter, minutes, contract, medical, other
    file_name: str  # the name it was attached under
    sha256: str = Field(max_length=64)
    bytes: int
    document_date: dt.date | None = None
    description: str | None = None
    created_at: dt.datetime
    officer: str
    happened_on: dt.date | None = None  # the day it was received or sent (``--on``)
    # withdrawn (att case document withdraw): kept, listed, but in no new bundle
    withdrawn_at: dt.datetime | None = None
    withdrawn_reason: str | None = None
    withdrawn_by: str | None = None


class PenaltyNotice(SQLModel, table=True):
    """A penalty notice to one parent for one child (EA 1996 s.444A)."""

    __tablename__ = "penalty_notice"

    id: int | None = Field(default=None, primary_key=True)
    pupil_id: int = Field(foreign_key="pupil.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="pupil_case.id")
    parent_name: str
    issued: dt.date
    amount_pence: int
    paid: dt.date | None = None
    withdrawn: dt.date | None = None
    withdrawn_reason: str | None = None
    created_at: dt.datetime
    officer: str
    # 0008_penalty_framework (issue 12): the record SI 2007/1867 regs. 19-21 ask for
    kind: str = Field(
        default="attendance", sa_column_kwargs={"server_default": "attendance"}
    )  # attendance (EA 1996 s.444A) or exclusion (EIA 2006 s.105)
    reason: str | None = None  # holiday, unauthorised, lateness, exclusion
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    service_method: str | None = None  # hand, post
    served_on: dt.date | None = None  # handed over or posted
    received_on: dt.date | None = None  # cases.served.received_on
    offence_from: dt.date | None = None
    offence_to: dt.date | None = None
    force_reason: str | None = None  # why a failed check was overridden (--force --reason)
    withdrawn_ground: str | None = None  # reg. 8: not-issued, wrong-person, material-error...
    prosecuted_on: dt.date | None = None
    prosecution_outcome: str | None = None
    prosecution_outcome_on: dt.date | None = None


class PenaltyNoticeSession(SQLModel, table=True):
    """A session a penalty notice is for: the same session cannot found a second notice to the
    same parent (issue 12)."""

    __tablename__ = "penalty_notice_session"
    __table_args__ = (
        UniqueConstraint("notice_id", "session_date", "session"),
        Index("ix_penalty_notice_session_pupil_date", "pupil_id", "session_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="penalty_notice.id")
    pupil_id: int = Field(foreign_key="pupil.id")
    session_date: dt.date
    session: str = Field(max_length=2)  # AM / PM
    mark: str = Field(max_length=1)  # the code as written in the register


class PenaltyPayment(SQLModel, table=True):
    """One payment towards a penalty notice (part payments are recorded one by one)."""

    __tablename__ = "penalty_payment"

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="penalty_notice.id", index=True)
    paid_on: dt.date
    amount_pence: int
    created_at: dt.datetime
    officer: str


class AuditEntry(SQLModel, table=True):
    """Append-only, tamper-evident: each entry's hash covers its content and the previous hash
    (chain version 2, ``cases.audit``). The entry's personal part (the UPN, the detail, the
    casework row's column digests) is in ``audit_detail``, which erasure can delete: the entry
    commits to it through ``personal_hash``."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_row", "row_table", "row_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime
    officer: str
    action: str
    entity: str
    entity_id: int | None = None
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    # the casework row the entry commits to (cases.audited_tables), covered by ``hash``
    row_table: str | None = None
    row_id: int | None = None
    row_hash: str | None = Field(default=None, max_length=64)  # None with action "erase"
    # SHA-256 of the salted personal part (audit_detail), covered by ``hash``
    personal_hash: str = Field(max_length=64)
    # the entry's hash in chain version 1 (entries written before 0011_audit_detail): an anchor
    # taken then is still found; None for entries written since
    v1_hash: str | None = Field(default=None, max_length=64)
    # an ``erase_detail`` entry: the ids of the entries whose personal part it erased (JSON)
    erased_entries: str | None = None


class AuditDetail(SQLModel, table=True):
    """An audit entry's personal part, erasable (``privacy.erase``): the pupil's UPN, the
    detail JSON (descriptions, parents' names, addressees, file names) and the row's column
    digests, with the entry's random salt (so that a guessed UPN cannot be confirmed against
    ``personal_hash`` once the row is gone)."""

    __tablename__ = "audit_detail"

    entry_id: int | None = Field(default=None, primary_key=True, foreign_key="audit_log.id")
    upn: str | None = Field(default=None, max_length=13, index=True)
    detail: str  # JSON
    row_digests: str | None = None  # JSON: column -> digest of its value
    salt: str = Field(max_length=32)


class Letter(SQLModel, table=True):
    """A letter att wrote from a template (issue 15). A letter to a parent is also a case
    document (``document_id``, kind ``letter``); a letter to a school (the TSM summary, which
    names many children) is kept in the document store but filed in no pupil's case."""

    __tablename__ = "letter"
    __table_args__ = (
        Index("ix_letter_pupil_template_date", "pupil_id", "template", "letter_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: int | None = Field(default=None, foreign_key="case_document.id")
    pupil_id: int | None = Field(default=None, foreign_key="pupil.id")
    school_id: int | None = Field(default=None, foreign_key="school.id")
    template: str
    template_version: str
    template_sha256: str = Field(max_length=64)
    addressee: str
    addressee_key: str  # the addressee's name as compared (cases.penalty.parent_key)
    letter_date: dt.date
    file_name: str
    sha256: str = Field(max_length=64)
    bytes: int
    batch: str | None = None  # the bulk run it was made in
    created_at: dt.datetime
    officer: str


class ColumnMap(SQLModel, table=True):
    """A school's saved column map (issue 10): which header of its register export is which of
    att's fields, for a layout att does not recognise. One row per field; applied to that
    school's later files (``att import --school``) and named in the import log."""

    __tablename__ = "column_map"
    __table_args__ = (UniqueConstraint("school_id", "field"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id")
    field: str  # att's field name (registers.headers)
    header: str  # the school's header text, as the officer wrote it
    saved_at: dt.datetime
    officer: str  # OS user who saved it


class PenaltyRequest(SQLModel, table=True):
    """A school's request that the LA issue a penalty notice, and the LA's decision on it
    (``cases.requests``)."""

    __tablename__ = "penalty_request"

    id: int | None = Field(default=None, primary_key=True)
    pupil_id: int = Field(foreign_key="pupil.id", index=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    received_on: dt.date
    decide_by: dt.date  # received_on + the LA's [penalty] request_decision_days
    period_from: dt.date  # the sessions the notice would be for
    period_to: dt.date
    sessions: int | None = None  # unauthorised sessions the school counts in the period
    reason: str  # holiday, unauthorised absence, lateness
    requested_by: str | None = None  # who at the school asked
    details: str | None = None
    decision: str | None = None  # issue, nti, refuse (None: not decided yet)
    decision_reason: str | None = None
    decided_on: dt.date | None = None
    decided_by: str | None = None
    penalty_notice_id: int | None = Field(default=None, foreign_key="penalty_notice.id")
    outcome_text: str | None = None  # what was sent back to the school
    created_at: dt.datetime
    officer: str


class PenaltyRequestDocument(SQLModel, table=True):
    """A request's evidence: a case document attached with it."""

    __tablename__ = "penalty_request_document"

    request_id: int = Field(
        sa_column=Column(Integer, ForeignKey("penalty_request.id"), primary_key=True)
    )
    document_id: int = Field(
        sa_column=Column(Integer, ForeignKey("case_document.id"), primary_key=True)
    )


class Officer(SQLModel, table=True):
    """A member of the team (issue 16). On PostgreSQL ``role`` is the officer's database role
    (``current_user``), which the audit log records; on SQLite, the name att records (--officer,
    ATT_OFFICER or the OS user). ``display_name`` is what listings show."""

    __tablename__ = "officer"

    id: int | None = Field(default=None, primary_key=True)
    role: str = Field(unique=True)
    display_name: str
    created_at: dt.datetime
    created_by: str


class SchoolAllocation(SQLModel, table=True):
    """The officer allocated to a school: its named LA contact (one per school)."""

    __tablename__ = "school_allocation"

    school_id: int = Field(sa_column=Column(Integer, ForeignKey("school.id"), primary_key=True))
    officer_id: int = Field(foreign_key="officer.id", index=True)
    allocated_at: dt.datetime
    allocated_by: str


class CaseAllocation(SQLModel, table=True):
    """The officer a case is allocated to (one per case; reallocation replaces it, audited)."""

    __tablename__ = "case_allocation"

    case_id: int = Field(sa_column=Column(Integer, ForeignKey("pupil_case.id"), primary_key=True))
    officer_id: int = Field(foreign_key="officer.id", index=True)
    allocated_at: dt.datetime
    allocated_by: str


class ContactCorrection(SQLModel, table=True):
    """A contact's field corrected by an officer (UK GDPR art. 16, ``privacy.rectify``): the
    corrected ``value`` wins over later roster imports of the same contact until the school's
    file agrees, when the correction is retired (``retired_at``; the row is kept as the record).
    A contact is identified across imports by its pupil and ``contact_key``: the name the
    school's file gives it, as compared (``cases.penalty_rules.parent_key``)."""

    __tablename__ = "contact_correction"
    __table_args__ = (Index("ix_contact_correction_pupil_key", "pupil_id", "contact_key"),)

    id: int | None = Field(default=None, primary_key=True)
    pupil_id: int = Field(foreign_key="pupil.id")
    contact_key: str  # the school's name for the contact, as compared (parent_key)
    field: str  # name, relationship, parental_responsibility, address, phone, email
    school_value: str | None = None  # the value replaced, as held (text; Y/N for a flag)
    value: str | None = None  # the corrected value (text; Y/N for a flag)
    reason: str
    corrected_at: dt.datetime
    officer: str
    retired_at: dt.datetime | None = None  # the school's file agreed, or a newer correction
    retired_by: str | None = None  # who ran that import


class LegalHold(SQLModel, table=True):
    """A legal hold on a child's records (pending prosecution, a subject access request, a
    complaint): while it is in force nothing of the child is past retention or erasable."""

    __tablename__ = "legal_hold"

    id: int | None = Field(default=None, primary_key=True)
    pupil_id: int = Field(foreign_key="pupil.id", index=True)
    reason: str
    placed_at: dt.datetime
    placed_by: str
    released_at: dt.datetime | None = None
    released_by: str | None = None
    release_reason: str | None = None
