"""Everything held about one child for a legal referral, read once.

The case file holds the pupil and their parents, each enrolment's marks and figures for the
period and the previous academic year, the casework (``cases.chronology.case_view``), penalty
notices, the penalty-notice threshold per school, siblings (other pupils sharing a parent: same
name and address), the register imports behind the marks and the marks changed between imports.

Figures are the DfE counts per enrolment (``analysis.figures.count_sessions``); the child's
figure over the period adds the enrolments up: a session is counted at one school only (a dual
registered pupil is ``D``, not possible, at the other), so the sum is the child's attendance.

The period never runs past the child's last marked session or today: a certificate of attendance
can only speak for days the register covers. ``--to`` after today is refused.

The penalty-notice threshold is the child's, not a school's: the enrolments' marks are laid
over one another (at each session the mark that makes it possible, so a ``D`` at one school
gives way to the other's mark) and a school week is a week with a session at any of the
child's schools; 6 unauthorised sessions at one school and 5 at the next within 10 school
weeks are 11.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from attendance_cli import marks as layout
from attendance_cli.analysis.dataset import Period, resolve_period
from attendance_cli.codes import CATEGORY_OF_STORED, NO_MARK, describe_stored
from attendance_cli.errors import InvalidInputError, UsageError
from attendance_cli.store import cases as stored
from attendance_cli.store import penalties as stored_penalties
from attendance_cli.store import registers as store_registers
from attendance_cli.store.cases import ContactDetails, ImportRef, PupilDetails
from attendance_cli.store.connection import Store

__all__ = ["ContactDetails", "ImportRef", "PupilDetails"]  # records read by store.cases

#: Stored characters of the codes the check looks at (the same in both code sets).
HOLIDAY_CODE = "G"
ILLNESS_CODE = "I"


@dataclass
class EnrolmentFile:
    enrolment_id: int
    school_id: int
    laestab: str
    school_name: str
    year_group: str | None
    entry_date: str | None
    leaving_date: str | None
    marks: dict[int, str]
    period: Any  # PeriodFigures over the period
    previous_year: Any  # PeriodFigures over the whole previous academic year
    code_counts: Counter[str]  # code as written -> sessions, in the period
    first_marked: dt.date | None  # the first session in the period with any mark (``-`` too)
    last_marked: dt.date | None  # the last one: the dates a certificate can speak for


@dataclass(frozen=True)
class RegisterSession:
    """One marked session of the register extract."""

    date: dt.date
    session: str  # AM / PM
    mark: str  # the code as written in the register
    meaning: str
    category: str
    school_laestab: str


@dataclass(frozen=True)
class MarkChangeRow:
    date: dt.date
    session: str
    old_mark: str
    new_mark: str
    school_laestab: str
    import_file: str
    import_sha256: str
    imported_at: str


@dataclass
class CaseFile:
    pupil: PupilDetails
    period: Period
    previous_year: tuple[dt.date, dt.date]
    enrolments: list[EnrolmentFile]
    figures: Any  # PeriodFigures: every enrolment over the period, added up
    previous_figures: Any  # PeriodFigures: every enrolment over the previous academic year
    contacts: list[ContactDetails]
    siblings: list[str]  # names only
    view: Any  # cases.chronology.CaseView
    code_counts: Counter[str] = field(default_factory=Counter)
    penalty: Any | None = None  # PenaltyThreshold of the child (every school), None: no marks
    notices_to_improve: list[Any] = field(default_factory=list)  # store.penalties.ImproveLetter

    @property
    def parents(self) -> list[ContactDetails]:
        return [c for c in self.contacts if c.needs_letter]


def name_tokens(text: str | None) -> set[str]:
    """Lower-case ASCII words of a text, apostrophes dropped (``Ó'Brien`` -> ``obrien``)."""
    if not text:
        return set()
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    plain = plain.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("Ø", "O")
    plain = re.sub(r"['’`]", "", plain.lower())
    return {word for word in re.split(r"[^0-9a-z]+", plain) if word}


def no_mark_yet(sessions: int) -> str:
    """``-`` sessions, reported as missing data (never present or absent)."""
    return f"{sessions} session{'' if sessions == 1 else 's'} with no mark yet"


def _same_address(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return sorted(name_tokens(a)) == sorted(name_tokens(b))


def pupil_last_mark(records: list[Any]) -> dt.date | None:
    latest: dt.date | None = None
    for record in records:
        for year, text in record.marks.items():
            pos = len(text.rstrip(NO_MARK)) - 1
            if pos >= 0:
                day = layout.date_at(year, pos)[0]
                latest = day if latest is None or day > latest else latest
    return latest


def gather_case_file(
    store: Store,
    *,
    upn: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
) -> CaseFile:
    """Read the child's case file. The period defaults to the academic year to date (up to the
    child's last marked session)."""
    from attendance_cli.analysis.counts import SessionCounts
    from attendance_cli.analysis.figures import PeriodFigures, count_sessions
    from attendance_cli.analysis.thresholds import check_penalty_threshold
    from attendance_cli.cases.case import find_pupil
    from attendance_cli.cases.chronology import case_view, enrolment_timelines
    from attendance_cli.store.conversions import date_text

    today = today or dt.date.today()
    found = find_pupil(store, upn)
    pupil = PupilDetails(
        found.id,
        found.upn,
        found.surname,
        found.forename,
        found.date_of_birth,
        found.gender,
        found.sen,
        found.social_worker,
        found.looked_after,
    )
    all_years = store_registers.marked_years(store, pupil_id=pupil.id)
    records = store_registers.load_enrolments(store, years=all_years, pupil_id=pupil.id)
    period = referral_period(last_mark=pupil_last_mark(records), start=start, end=end, today=today)
    previous = period.academic_year - 1
    previous_span = (layout.year_start(previous), layout.year_end(previous))

    schools = {s.id: (s.laestab, s.name) for s in store_registers.all_schools(store)}
    timelines = enrolment_timelines(store, pupil.id)
    enrolments: list[EnrolmentFile] = []
    total, total_previous = SessionCounts(), SessionCounts()
    code_counts: Counter[str] = Counter()
    for record in records:
        figures = count_sessions(marks=record.marks, start=period.start, end=period.end)
        before = count_sessions(marks=record.marks, start=previous_span[0], end=previous_span[1])
        if figures.possible + figures.not_possible + figures.missing == 0 and (
            before.possible + before.not_possible + before.missing == 0
        ):
            continue  # on roll neither in the period nor the year before
        sessions = _sessions(record.marks, period.start, period.end, "")
        counts = Counter(session.mark for session in sessions)
        laestab, name = schools[record.school_id]
        enrolments.append(
            EnrolmentFile(
                enrolment_id=record.enrolment_id,
                school_id=record.school_id,
                laestab=laestab,
                school_name=name,
                year_group=record.year_group,
                entry_date=date_text(record.entry_date),
                leaving_date=date_text(record.leaving_date),
                marks=record.marks,
                period=figures,
                previous_year=before,
                code_counts=counts,
                first_marked=sessions[0].date if sessions else None,
                last_marked=sessions[-1].date if sessions else None,
            )
        )
        total += figures.counts()
        total_previous += before.counts()
        code_counts += counts
    penalty = None
    if total.possible and timelines:
        penalty = check_penalty_threshold(
            child_timeline(timelines), start=period.start, end=period.end
        )

    contacts = stored.contacts_of_pupil(store, pupil.id)
    return CaseFile(
        pupil=pupil,
        period=period,
        previous_year=previous_span,
        enrolments=enrolments,
        figures=PeriodFigures.from_counts(total, start=period.start, end=period.end),
        previous_figures=PeriodFigures.from_counts(
            total_previous, start=previous_span[0], end=previous_span[1]
        ),
        contacts=contacts,
        siblings=find_siblings(store, pupil.id, contacts),
        view=case_view(store, pupil.upn, today=today),
        code_counts=code_counts,
        penalty=penalty,
        notices_to_improve=stored_penalties.notices_to_improve(store, pupil.id),
    )


def referral_period(
    *,
    last_mark: dt.date | None,
    start: dt.date | None,
    end: dt.date | None,
    today: dt.date,
) -> Period:
    """The period of a referral: the academic year to date by default; ``start``/``end`` move
    either end, but the end is always capped at the earlier of the child's last marked session
    and today (a certificate cannot speak for days the register does not cover)."""
    if end is not None and end > today:
        raise InvalidInputError(
            f"--to {end.isoformat()} is after today ({today.isoformat()}): a referral can only "
            "cover days the register has already recorded",
            hint="Give --to today or earlier, or leave it out (the period then ends at the "
            "child's last marked session).",
        )
    if start is not None and end is not None and end < start:
        raise UsageError(
            f"The period ends ({end.isoformat()}) before it starts ({start.isoformat()})",
            hint="Check --from and --to.",
        )
    period = resolve_period(last_date=last_mark, start=start, end=end, today=today)
    cap = min(last_mark, today) if last_mark is not None else today
    if period.end <= cap:
        return period
    if cap < period.start:
        raise InvalidInputError(
            f"No register marks from {period.start.isoformat()}: the child's last marked "
            f"session is on {cap.isoformat()}"
            if last_mark is not None and last_mark <= today
            else f"The period starts ({period.start.isoformat()}) after today",
            hint="Give an earlier --from (or leave it out).",
        )
    return Period(period.start, cap, period.label)


def child_timeline(enrolments: list[tuple[Any, Any, Any]]) -> Any:
    """One Timeline for the child over all their enrolments (``enrolment_timelines``' tuples).

    The marks are laid over one another per session: a blank takes any mark, and a mark that
    makes the session possible replaces one that does not (``D`` at one school, ``O`` at the
    other: ``O``). A school week is a week with a session at any of the child's schools."""
    from attendance_cli.analysis.calendar import SchoolCalendar, build_timeline

    if len(enrolments) == 1:
        return enrolments[0][1]
    merged: dict[int, list[str]] = {}
    calendars: dict[int, Any] = {}
    for record, _, calendar in enrolments:
        for year, text in record.marks.items():
            own = merged.setdefault(year, list(NO_MARK * len(text)))
            for pos, char in enumerate(text):
                current = own[pos]
                if current == NO_MARK or (
                    CATEGORY_OF_STORED[char].is_possible
                    and not CATEGORY_OF_STORED[current].is_possible
                ):
                    own[pos] = char
            school = calendar.year(year)
            calendars[year] = school if year not in calendars else calendars[year] | school
    years = sorted(merged)
    last = layout.year_end(years[-1])
    return build_timeline(
        marks_by_year={year: "".join(chars) for year, chars in merged.items()},
        calendar=SchoolCalendar(calendars),
        first=layout.year_start(years[0]),
        last=last,
        marks_until=last,
    )


def find_siblings(db: Store, pupil_id: int, contacts: list[ContactDetails]) -> list[str]:
    """Other pupils with a parent of the same name at the same address (names only)."""
    found: dict[int, str] = {}
    for contact in contacts:
        if not contact.address:
            continue
        for other in stored.same_name_contacts(db, name=contact.name, pupil_id=pupil_id):
            if _same_address(contact.address, other.address):
                found[other.pupil_id] = (
                    " ".join(filter(None, [other.forename, other.surname])) or "(no name)"
                )
    return sorted(found.values())


def _sessions(
    marks_by_year: dict[int, str], start: dt.date, end: dt.date, laestab: str
) -> list[RegisterSession]:
    rows = []
    for year in layout.years_between(start, end):
        text = marks_by_year.get(year)
        if text is None:
            continue
        lo, hi = layout.span(year, start, end)
        for pos in range(lo, hi):
            char = text[pos]
            if char == NO_MARK:
                continue
            day, session = layout.date_at(year, pos)
            code, meaning, category = describe_stored(char, day)
            rows.append(
                RegisterSession(
                    day, layout.SESSION_NAMES[session], code, meaning, category, laestab
                )
            )
    return rows


def sessions_between(case_file: CaseFile, start: dt.date, end: dt.date) -> list[RegisterSession]:
    """Every marked session of the child from ``start`` to ``end`` (any dates, not only the
    period), by date, session and school."""
    rows: list[RegisterSession] = []
    for enrolment in case_file.enrolments:
        rows += _sessions(enrolment.marks, start, end, enrolment.laestab)
    rows.sort(key=lambda r: (r.date, r.session, r.school_laestab))
    return rows


def register_extract(case_file: CaseFile) -> list[RegisterSession]:
    """Every marked session of the child in the period, by date, session and school."""
    rows: list[RegisterSession] = []
    for enrolment in case_file.enrolments:
        rows += _sessions(
            enrolment.marks, case_file.period.start, case_file.period.end, enrolment.laestab
        )
    rows.sort(key=lambda r: (r.date, r.session, r.school_laestab))
    return rows


def register_imports(db: Store, case_file: CaseFile) -> list[ImportRef]:
    """Register imports for the child's schools (or several schools at once) whose dates overlap
    the previous academic year or the period: the files behind the figures."""
    school_ids = sorted({e.school_id for e in case_file.enrolments})
    if not school_ids:
        return []
    return stored.register_imports(
        db,
        school_ids=school_ids,
        date_from_until=case_file.period.end,
        date_to_from=case_file.previous_year[0],
    )


def database_as_at(imports: list[ImportRef], period: Period) -> ImportRef | None:
    """The latest import whose dates overlap the period."""
    covering = [
        i
        for i in imports
        if i.date_from is not None
        and i.date_to is not None
        and i.date_from <= period.end.isoformat()
        and i.date_to >= period.start.isoformat()
    ]
    return max(covering, key=lambda i: (i.imported_at, i.id), default=None)


def mark_changes(db: Store, case_file: CaseFile) -> list[MarkChangeRow]:
    """Register marks of the child in the period that a later import replaced."""
    by_id = {e.enrolment_id: e.laestab for e in case_file.enrolments}
    if not by_id:
        return []
    return [
        MarkChangeRow(
            c.date,
            layout.SESSION_NAMES[c.session],
            describe_stored(c.old_mark, c.date)[0] or "(blank)",
            describe_stored(c.new_mark, c.date)[0] or "(blank)",
            by_id[c.enrolment_id],
            c.import_file,
            c.import_sha256,
            c.imported_at,
        )
        for c in stored.mark_changes(
            db,
            enrolment_ids=list(by_id),
            start=case_file.period.start,
            end=case_file.period.end,
        )
    ]
