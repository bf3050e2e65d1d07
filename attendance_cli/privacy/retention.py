"""Retention periods: how long att keeps each kind of record, and what is past its period.

Periods are whole years from a date each record type names (``docs/domain/retention.md`` gives
the sources and why each default was chosen); an LA sets its own in the settings file:

```toml
[retention]
marks_years = 6           # register entries: from the end of the academic year (31 July)
casework_years = 6        # a closed case and everything in it: from the day it was closed
penalty_notice_years = 6  # a penalty notice: from the day it was paid or withdrawn, else issued
pupil_years = 6           # the pupil record: from the pupil's last activity (see below)
meeting_years = 6         # a meeting (TSM): from its date; kept while a case action names it
tsm_workbook_years = 6    # a TSM workbook recorded: from the day it was recorded
import_log_years = 6      # an import's log entry: from the import; kept while its mark changes are
school_letter_years = 6   # a letter to a school (the TSM summary): from the letter's date
```

A record is past its period on the day after the period ends: runs from 31/07/2019, 6 years,
ends on 31/07/2025, past from 01/08/2025. An open case is never past its period (it runs from
the day it closes); a case is kept at least as long as the penalty notices filed in it. The
pupil record (name, date of birth, contacts, enrolments) runs from the pupil's last activity
(the last leaving date, the end of the last academic year with marks, the last case or notice
date, or the day the pupil was first imported) and is kept at least as long as anything else
held about the pupil, so erasing a pupil past retention never removes a record still within its
own period.

Records that are no one pupil's have periods of their own: a meeting (and the TSM workbooks
recorded into it, which it outlasts), an import's log entry, a letter to a school. A meeting a
case action refers to, or an import a mark change refers to, is kept while that row is (it goes
with its case or year of marks). ``TABLE_RETENTION`` names every table of the schema with the
record type it is kept under, or why it has none (a test checks the list is complete).

A child under a legal hold (``privacy.hold``) has nothing past retention: their records whose
period has ended are listed with ``held`` true and ``past`` false, and are never erased.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from attendance_cli.errors import InvalidInputError
from attendance_cli.marks import academic_year_label, year_end

if TYPE_CHECKING:
    from attendance_cli.settings import Settings
    from attendance_cli.store.connection import Store

TABLE = "retention"
MARKS, CASE, PENALTY_NOTICE, PUPIL = "marks", "case", "penalty_notice", "pupil"
MEETING, TSM_WORKBOOK, IMPORT_LOG, SCHOOL_LETTER = (
    "meeting", "tsm_workbook", "import_log", "school_letter"
)  # fmt: skip
RECORD_TYPES = (
    PUPIL,
    CASE,
    PENALTY_NOTICE,
    MARKS,
    MEETING,
    TSM_WORKBOOK,
    IMPORT_LOG,
    SCHOOL_LETTER,
)
# each record type's setting, its default and its smallest allowed value
SETTINGS: dict[str, tuple[str, int, int]] = {
    MARKS: ("marks_years", 6, 1),
    CASE: ("casework_years", 6, 1),
    # the "second notice within 3 years" rule needs every notice of the last 3 years
    PENALTY_NOTICE: ("penalty_notice_years", 6, 3),
    PUPIL: ("pupil_years", 6, 1),
    MEETING: ("meeting_years", 6, 1),
    TSM_WORKBOOK: ("tsm_workbook_years", 6, 1),
    IMPORT_LOG: ("import_log_years", 6, 1),
    SCHOOL_LETTER: ("school_letter_years", 6, 1),
}
LONGEST = 100
# the table each record type's id belongs to (the row erasure starts from)
TABLES = {
    MARKS: "mark_year",
    CASE: "pupil_case",
    PENALTY_NOTICE: "penalty_notice",
    PUPIL: "pupil",
    MEETING: "meeting",
    TSM_WORKBOOK: "meeting_workbook",
    IMPORT_LOG: "import_log",
    SCHOOL_LETTER: "letter",
}
_SHARED_TYPES = {
    "meeting": MEETING,
    "meeting_workbook": TSM_WORKBOOK,
    "import_log": IMPORT_LOG,
    "letter": SCHOOL_LETTER,
}
# Every table of the schema: the record types its rows are kept under, or (a text) why it has
# no period of its own. tests/privacy/test_retention.py checks that every table is named, so
# a table a later migration adds cannot be forgotten.
TABLE_RETENTION: dict[str, tuple[str, ...] | str] = {
    "pupil": (PUPIL,),
    "enrolment": (PUPIL,),
    "contact": (PUPIL,),
    "contact_correction": (PUPIL,),
    "legal_hold": (PUPIL,),
    "penalty_request": (PUPIL,),
    "penalty_request_document": (PUPIL,),
    "mark_year": (MARKS,),
    "mark_change": (MARKS,),
    "pupil_case": (CASE,),
    "lead_practitioner": (CASE,),
    "case_action": (CASE,),
    "case_note": (CASE,),
    "case_note_revision": (CASE,),
    "case_document": (CASE,),
    "case_allocation": (CASE,),
    "penalty_notice": (PENALTY_NOTICE, CASE),
    "penalty_notice_session": (PENALTY_NOTICE,),
    "penalty_payment": (PENALTY_NOTICE,),
    "letter": (CASE, SCHOOL_LETTER),  # to a parent: a case document; to a school: its own
    "meeting": (MEETING,),
    "meeting_workbook": (TSM_WORKBOOK,),
    "import_log": (IMPORT_LOG,),
    "school": "a school's name, LAESTAB and phase: no personal data; kept while the LA has it",
    "column_map": "a school's headers and the officer who saved them: configuration, not a "
    "record about a person",
    "officer": "the team's members: staff records under the LA's own staff schedule, kept "
    "while the officer is in the team (att team)",
    "school_allocation": "which officer is a school's contact: staff work allocation, replaced "
    "when it changes",
    "marks_version": "a counter raised by every write of marks (store.benchmark): no personal data",
    "la_benchmark": "the LA's aggregate figures per period, a cache of counts over every pupil: "
    "no one child's data; rebuilt from the marks",
    "audit_detail": "the personal part of an audit entry: erased with what it is about "
    "(privacy.erase), never on its own",
    "audit_log": "the hash chain: never shortened; erasure appends tombstones "
    "(docs/domain/retention.md)",
}


@dataclass(frozen=True)
class RetentionPeriods:
    marks_years: int = 6
    casework_years: int = 6
    penalty_notice_years: int = 6
    pupil_years: int = 6
    meeting_years: int = 6
    tsm_workbook_years: int = 6
    import_log_years: int = 6
    school_letter_years: int = 6

    def years(self, record_type: str) -> int:
        return int(getattr(self, SETTINGS[record_type][0]))


def retention_periods(settings: Settings) -> RetentionPeriods:
    """The LA's periods from ``[retention]``, the documented defaults for those not set."""
    values: dict[str, int] = {}
    known = {key for key, _, _ in SETTINGS.values()}
    for key in settings.tables.get(TABLE, {}):
        if key not in known:
            raise InvalidInputError(
                f"Unknown setting {TABLE}.{key}",
                file=str(settings.path),
                hint=f"[{TABLE}] takes: {', '.join(sorted(known))}.",
            )
    for key, default, least in SETTINGS.values():
        years = settings.integer(TABLE, key, default)
        if not least <= years <= LONGEST:
            raise InvalidInputError(
                f"Setting {TABLE}.{key} must be from {least} to {LONGEST} years, not {years}",
                file=str(settings.path),
                hint=f"Write it as {key} = {default} under [{TABLE}] "
                "(docs/domain/retention.md says why each period has its least value).",
            )
        values[key] = years
    return RetentionPeriods(**values)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class RetentionItem:
    """One record and its period. ``ends_on`` is the last day it is kept (None: kept while a
    case is open); it is past its period from the day after."""

    record_type: str  # RECORD_TYPES
    table: str
    id: int  # the row's id (marks: the enrolment's id)
    academic_year: int | None  # marks only
    upn: str | None  # None: a record of no one pupil (a meeting, an import...)
    runs_from: dt.date | None
    years: int
    ends_on: dt.date | None
    past: bool  # past its period and not held: erasable
    description: str  # what it is, without names
    held: bool = False  # past its period but the child is under a legal hold
    hold_ids: tuple[int, ...] = ()  # the holds in force on the child

    @property
    def key(self) -> tuple[str, int, int | None]:
        return (self.record_type, self.id, self.academic_year)


def _later(*days: dt.date | None) -> dt.date | None:
    known = [d for d in days if d is not None]
    return max(known) if known else None


def retention_items(
    store: Store, *, periods: RetentionPeriods, today: dt.date, include_kept: bool = False
) -> list[RetentionItem]:
    """Every record past its period on ``today`` (or, ``include_kept``, every record). Records
    of a pupil who is past retention as a whole are left out: the pupil's item covers them."""
    from attendance_cli.privacy.hold import holds_in_force
    from attendance_cli.store import privacy as stored

    pupils, years, cases, notices = stored.retention_dates(store)
    holds = {p: tuple(h.id for h in hs) for p, hs in holds_in_force(store).items()}
    upns = {p.pupil_id: p.upn for p in pupils}
    by_pupil: dict[int, list[RetentionItem]] = {p.pupil_id: [] for p in pupils}
    # the first day after which each pupil has had no activity
    activity: dict[int, dt.date | None] = {p.pupil_id: p.last_leaving for p in pupils}
    open_case: set[int] = set()

    notice_items: dict[int, RetentionItem] = {}
    for n in notices:
        runs_from = n.withdrawn or n.paid or n.issued
        item = _item(
            PENALTY_NOTICE,
            n.notice_id,
            None,
            upns[n.pupil_id],
            runs_from,
            periods,
            today,
            f"penalty notice {n.notice_id} issued {n.issued.isoformat()}",
        )
        notice_items[n.notice_id] = item
        by_pupil[n.pupil_id].append(item)
        activity[n.pupil_id] = _later(activity[n.pupil_id], runs_from)
    case_notice_end: dict[int, dt.date | None] = {}
    for n in notices:
        if n.case_id is not None:
            case_notice_end[n.case_id] = _later(
                case_notice_end.get(n.case_id), notice_items[n.notice_id].ends_on
            )
    for c in cases:
        if c.status == "open" or c.closed is None:
            open_case.add(c.pupil_id)
            item = RetentionItem(
                CASE,
                TABLES[CASE],
                c.case_id,
                None,
                upns[c.pupil_id],
                None,
                periods.years(CASE),
                None,
                False,
                f"case {c.case_id} opened {c.opened.isoformat()} (open)",
            )
        else:
            ends_on: dt.date | None = _later(
                add_years(c.closed, periods.years(CASE)), case_notice_end.get(c.case_id)
            )
            assert ends_on is not None
            item = RetentionItem(
                CASE,
                TABLES[CASE],
                c.case_id,
                None,
                upns[c.pupil_id],
                c.closed,
                periods.years(CASE),
                ends_on,
                today > ends_on,
                f"case {c.case_id} closed {c.closed.isoformat()}",
            )
            activity[c.pupil_id] = _later(activity[c.pupil_id], c.closed)
        by_pupil[c.pupil_id].append(item)
    for y in years:
        item = _item(
            MARKS,
            y.enrolment_id,
            y.academic_year,
            upns[y.pupil_id],
            year_end(y.academic_year),
            periods,
            today,
            f"{academic_year_label(y.academic_year)} marks of enrolment {y.enrolment_id}",
        )
        by_pupil[y.pupil_id].append(item)
        activity[y.pupil_id] = _later(activity[y.pupil_id], year_end(y.academic_year))

    found: list[RetentionItem] = []
    for p in pupils:
        items = by_pupil[p.pupil_id]
        # the day the pupil was first imported only when nothing else has a date
        last_activity = activity[p.pupil_id] or p.created
        own_end = add_years(last_activity, periods.years(PUPIL))
        ends_on = None if p.pupil_id in open_case else _later(own_end, *(i.ends_on for i in items))
        past = ends_on is not None and today > ends_on
        pupil_item = RetentionItem(
            PUPIL,
            TABLES[PUPIL],
            p.pupil_id,
            None,
            p.upn,
            last_activity,
            periods.years(PUPIL),
            ends_on,
            past,
            f"pupil {p.pupil_id} and everything held about them",
        )
        if p.pupil_id in holds:
            pupil_item = _held(pupil_item, holds[p.pupil_id])
            items = [_held(i, holds[p.pupil_id]) for i in items]
            past = pupil_item.held
        if past or include_kept:
            found.append(pupil_item)
        if past and not include_kept:
            continue
        found.extend(i for i in items if i.past or i.held or include_kept)
    found.extend(_shared_items(store, periods=periods, today=today, include_kept=include_kept))
    return found


def _held(item: RetentionItem, hold_ids: tuple[int, ...]) -> RetentionItem:
    """The item of a child under a legal hold: never past; ``held`` if its period ended."""
    return dataclasses.replace(item, past=False, held=item.past, hold_ids=hold_ids)


def _shared_items(
    store: Store, *, periods: RetentionPeriods, today: dt.date, include_kept: bool
) -> list[RetentionItem]:
    """Meetings (with their workbooks), imports and letters to schools (module docstring)."""
    from attendance_cli.store import privacy as stored

    records = stored.shared_retention_dates(store)
    items: dict[tuple[str, int], RetentionItem] = {}
    labels = {
        "meeting": "meeting {id} on {day}",
        "meeting_workbook": "TSM workbook {id} recorded {day}",
        "import_log": "import {id} on {day}",
        "letter": "letter {id} to a school, dated {day}",
    }
    for r in records:
        record_type = _SHARED_TYPES[r.table]
        years = periods.years(record_type)
        description = labels[r.table].format(id=r.id, day=r.runs_from.isoformat())
        ends_on: dt.date | None = add_years(r.runs_from, years)
        if r.referred_to_by:
            what = "case action" if r.table == "meeting" else "mark change"
            ends_on = None  # kept while the pupils' rows referring to it are
            description += f" (kept while {r.referred_to_by} {what}(s) refer to it)"
        items[(r.table, r.id)] = RetentionItem(
            record_type, r.table, r.id, None, None, r.runs_from, years, ends_on,
            ends_on is not None and today > ends_on, description,
        )  # fmt: skip
    # a meeting is kept at least as long as the workbooks recorded into it, and takes them
    for r in records:
        if r.table == "meeting_workbook" and r.parent_id is not None:
            book, meeting = items[(r.table, r.id)], items[("meeting", r.parent_id)]
            if meeting.ends_on is not None:
                ends_on = _later(meeting.ends_on, book.ends_on)
                items[("meeting", r.parent_id)] = dataclasses.replace(
                    meeting, ends_on=ends_on, past=ends_on is not None and today > ends_on
                )
    found: list[RetentionItem] = []
    for r in records:
        item = items[(r.table, r.id)]
        parent = items.get(("meeting", r.parent_id)) if r.parent_id is not None else None
        if parent is not None and parent.past and not include_kept:
            continue  # the meeting's item covers it
        if item.past or include_kept:
            found.append(item)
    return found


def _item(
    record_type: str,
    row_id: int,
    year: int | None,
    upn: str,
    runs_from: dt.date,
    periods: RetentionPeriods,
    today: dt.date,
    description: str,
) -> RetentionItem:
    years = periods.years(record_type)
    ends_on = add_years(runs_from, years)
    return RetentionItem(
        record_type,
        TABLES[record_type],
        row_id,
        year,
        upn,
        runs_from,
        years,
        ends_on,
        today > ends_on,
        description,
    )
