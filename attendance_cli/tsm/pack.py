"""The Targeting Support Meeting pack: ``prepare_tsm_pack`` -> ``TsmPack``.

Every enrolment of the school is counted (vectorised); the full analysis (bands, at-risk reasons,
recovery, penalty threshold, continuous absence, patterns, trend) runs for every pupil who could
be listed: absence at or above the at-risk threshold, any absence in the last school weeks the
recent-absence rule looks at, enough unauthorised sessions for the penalty threshold, or PA last
year. Pupils outside that superset are band ``none`` by construction. With ``include_all`` every
enrolment is analysed. Figures are DfE-exact (see ``analysis.figures``).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from attendance_cli import codes, marks
from attendance_cli.analysis import national
from attendance_cli.analysis.calendar import SchoolCalendar
from attendance_cli.analysis.counts import (
    UNEXPLAINED_STORED,
    CountArrays,
    count_many,
    count_period,
    mark_array,
)
from attendance_cli.analysis.dataset import (
    EnrolmentRecord,
    Period,
    ReportPeriod,
    last_mark_date,
    resolve_period,
)
from attendance_cli.analysis.figures import (
    COUNT_KEYS,
    Band,
    EnrolmentFigures,
    Figures,
    analyse_enrolment,
)
from attendance_cli.analysis.school_age import compulsory_school_age_from
from attendance_cli.analysis.summary import (
    Cohort,
    GroupSummary,
    summarise_cohorts,
    summarise_counts,
    summarise_totals,
)
from attendance_cli.analysis.thresholds import DEFAULT_CONFIG, ThresholdConfig, short_label
from attendance_cli.errors import NotFoundError
from attendance_cli.records import JsonRecord, flat_keys
from attendance_cli.store import Store
from attendance_cli.store import benchmark as store_benchmark
from attendance_cli.store import registers as store_registers
from attendance_cli.store.registers import School
from attendance_cli.text import plural, uk_date, uk_dates_in

if TYPE_CHECKING:
    from attendance_cli.cases.lists import CaseworkSummary

LISTED_BANDS = (Band.SEVERE, Band.PERSISTENT, Band.AT_RISK)
_LISTED_BAND_VALUES = frozenset(b.value for b in LISTED_BANDS)


@dataclass(eq=False)
class PupilEntry(JsonRecord):
    """One enrolment's figures as listed in a pack (and shown by ``att pupil show``); its
    ``figures`` are published flat (``PUPIL_FIGURES``)."""

    upn: str
    surname: str | None
    forename: str | None
    year_group: str | None
    gender: str | None
    fsm: bool | None
    sen: str | None
    social_worker: str | None
    looked_after: bool | None
    figures: Figures
    band: str
    at_risk_reasons: list[str]
    at_risk_codes: list[str]
    penalty_threshold_met: bool
    penalty_threshold_date: dt.date | None
    penalty_threshold_met_now: bool
    longest_absence_days: int
    longest_unauthorised_days: int
    continuous_absence_running: bool
    flags: list[str]
    flag_codes: list[str]
    recovery_sessions_term: int | None
    recovery_sessions_year: int | None
    pa_unavoidable_this_year: bool | None
    pattern: list[str]
    top_reasons: list[str]
    trend_change_points: float | None
    weekly_attendance: list[float | None]
    lead_practitioner: str | None = None
    lead_agency: str | None = None
    open_actions: int = 0
    next_review: dt.date | None = None
    overdue_actions: int = 0
    has_plan: bool = False
    registration_group: str | None = None
    # what the pack adds to the figures (issue 14); see prepare_tsm_pack
    section: str = ""  # where the pack lists the pupil: SECTIONS
    listed_because: list[str] = field(default_factory=list)  # the "also listed" reasons
    leaving_date: dt.date | None = None  # left on or before the period's last day
    below_compulsory_school_age: bool = False  # on the period's last day
    compulsory_school_age_from: dt.date | None = None  # given when below it
    unexplained_sessions: int = 0  # N and O in the period
    tell_social_worker: bool = False  # social worker or looked after, with N/O absence
    part_time_sessions: int = 0  # C2 in the period
    part_time_from: dt.date | None = None
    part_time_to: dt.date | None = None
    siblings: list[Sibling] = field(default_factory=list)
    actions_since_last_meeting: list[AgreedAction] = field(default_factory=list)
    penalty_notices: int = 0  # issued (withdrawn ones included)
    penalty_notices_withdrawn: int = 0
    latest_penalty_notice: dt.date | None = None

    def __post_init__(self) -> None:
        if not self.section and self.band in _LISTED_BAND_VALUES:
            self.section = self.band  # a pupil built by hand: its band's section


@dataclass(frozen=True, slots=True)
class Sibling:
    """A brother or sister on roll in the LA: a pupil sharing a parent contact (phone or
    e-mail) or an address with the listed pupil."""

    upn: str
    forename: str | None
    surname: str | None
    laestab: str
    school: str
    year_group: str | None
    shared: str  # "parent contact" or "address"

    @property
    def text(self) -> str:
        name = f"{self.forename or ''} {self.surname or ''}".strip() or self.upn
        return f"{name} ({self.school})"


@dataclass(frozen=True, slots=True)
class AgreedAction:
    """An action of the pupil's case recorded since the school's last TSM, or still agreed."""

    id: int
    kind: str
    action: str
    owner: str | None
    agreed_on: dt.date
    due: dt.date | None  # the review date
    status: str  # agreed, done, cancelled
    overdue: bool  # still agreed and its review date has passed

    @property
    def text(self) -> str:
        state = "OVERDUE" if self.overdue else self.status
        due = f", review {uk_date(self.due)}" if self.due else ""
        return f"{uk_dates_in(self.action)} ({self.kind}; {state}{due})"


# Where a pupil is listed, in the pack's order. Legal-age bands first; a child below compulsory
# school age is listed apart whatever their band; "also_listed" holds pupils outside the bands
# who must still be seen (a child with a social worker or looked after with unexplained
# absence, a part-time timetable); "none" only with --all.
SECTIONS = ("severe", "persistent", "at_risk", "below_school_age", "also_listed", "none")
SECTION_TITLES = {
    "severe": "Severe absence (50% or more)",
    "persistent": "Persistent absence (10% or more)",
    "at_risk": "At risk of persistent absence",
    "below_school_age": "Below compulsory school age (not counted as legal-age PA)",
    "also_listed": "Also listed: not PA or at risk, but to be seen",
    "none": "Other pupils",
}


PUPIL_FIGURES = (
    *COUNT_KEYS,
    "attendance_pct",
    "absence_pct",
    "sessions_missed",
    "days_missed",
)
PupilEntry.JSON_KEYS = flat_keys(PupilEntry, figures=PUPIL_FIGURES)
# The columns of ``att tsm prepare --format csv``: a row per listed pupil.
CSV_COLUMNS = [
    "upn",
    "surname",
    "forename",
    "year_group",
    "band",
    *PUPIL_FIGURES,
    "at_risk_reasons",
    "penalty_threshold_met",
    "penalty_threshold_date",
    "penalty_threshold_met_now",
    "longest_absence_days",
    "longest_unauthorised_days",
    "continuous_absence_running",
    "flags",
    "recovery_sessions_term",
    "recovery_sessions_year",
    "pa_unavoidable_this_year",
    "pattern",
    "top_reasons",
    "trend_change_points",
    "gender",
    "fsm",
    "sen",
    "social_worker",
    "looked_after",
    "lead_practitioner",
    "lead_agency",
    "open_actions",
    "next_review",
    "overdue_actions",
    "has_plan",
    "registration_group",
    "section",
    "listed_because",
    "leaving_date",
    "below_compulsory_school_age",
    "compulsory_school_age_from",
    "unexplained_sessions",
    "tell_social_worker",
    "part_time_sessions",
    "part_time_from",
    "part_time_to",
    "siblings",
    "actions_since_last_meeting",
    "penalty_notices",
    "penalty_notices_withdrawn",
    "latest_penalty_notice",
]


@dataclass
class TsmPack:
    school: School
    period: ReportPeriod
    summary: GroupSummary
    la_summary: GroupSummary
    national: national.NationalFigures
    pupils: list[PupilEntry]
    no_plan_or_lead: list[str]  # UPNs: severe or persistent with no agreed plan or no lead
    cohorts: list[Cohort] = field(default_factory=list)
    # the headline without the enrolments below compulsory school age on the period's last day
    # (PA and SA of legal age: the figures a penalty notice or prosecution can rest on)
    legal_age_summary: GroupSummary | None = None
    last_meeting: dt.date | None = None  # the school's last TSM before this pack
    weeks: list[dt.date] = field(default_factory=list)  # week starts of weekly_attendance
    school_weekly: list[float | None] = field(default_factory=list)
    include_all: bool = False

    def listed(self, band: Band) -> list[PupilEntry]:
        """The pupils listed in a band's section (legal age: below compulsory school age
        is a section of its own)."""
        return [p for p in self.pupils if p.section == band.value]

    def in_section(self, section: str) -> list[PupilEntry]:
        return [p for p in self.pupils if p.section == section]


def _strings(records: list[EnrolmentRecord], year: int) -> list[str]:
    return [r.marks.get(year, marks.EMPTY_YEAR) for r in records]


def csv_rows(pupils: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The published pupils as CSV rows: siblings and agreed actions as text ("Jayden Calloway
    (Castle Hill Academy, 8994001, parent contact)"; "2025-10-01 attendance meeting: Meet the
    parents (support; agreed, review 2025-10-15, overdue)"), dates ISO as in the JSON."""
    rows = []
    for pupil in pupils:
        row = dict(pupil)
        row["siblings"] = [
            f"{(s['forename'] or '') + ' ' + (s['surname'] or '')} ({s['school']}, "
            f"{s['laestab']}, {s['shared']})".strip()
            for s in pupil["siblings"]
        ]
        row["actions_since_last_meeting"] = [
            f"{a['agreed_on']} {a['kind']}: {a['action']} ({a['status']}"
            + (f", review {a['due']}" if a["due"] else "")
            + (", overdue" if a["overdue"] else "")
            + ")"
            for a in pupil["actions_since_last_meeting"]
        ]
        rows.append(row)
    return rows


def short_flags(pupil: Mapping[str, Any]) -> list[str]:
    """Short labels for a listed pupil's flags (the pack table's flag column), from the pupil
    as published (``to_jsonable(entry)``): leaving and school age first, the penalty threshold,
    then the safeguarding and at-risk reasons, recovery (never for a leaver), patterns, a
    part-time timetable, siblings for a whole-family plan and penalty notices. The full texts
    are in the JSON."""
    flags: list[str] = []
    if pupil.get("leaving_date"):
        flags.append(f"left {uk_date(pupil['leaving_date'])}")
    if pupil.get("below_compulsory_school_age"):
        flags.append(
            f"below compulsory school age (from {uk_date(pupil['compulsory_school_age_from'])})"
            if pupil.get("compulsory_school_age_from")
            else "below compulsory school age"
        )
    if pupil["penalty_threshold_met"]:
        met = dt.date.fromisoformat(str(pupil["penalty_threshold_date"]))
        flags.append(f"penalty threshold {met:%d/%m}")
    flags += [short_label(code) for code in pupil["flag_codes"] + pupil["at_risk_codes"]]
    if pupil["pa_unavoidable_this_year"]:
        flags.append("PA unavoidable this year")
    elif pupil["recovery_sessions_year"]:
        flags.append(f"{plural(pupil['recovery_sessions_year'], 'session')} to leave PA")
    flags.extend(pupil["pattern"])
    if pupil.get("part_time_sessions"):
        flags.append(
            f"part-time timetable: {plural(pupil['part_time_sessions'], 'session')} C2 "
            f"{uk_date(pupil['part_time_from'])} to {uk_date(pupil['part_time_to'])}"
        )
    siblings = [
        f"{(s['forename'] or '') + ' ' + (s['surname'] or '')} ({s['school']})".strip()
        for s in pupil.get("siblings") or []
    ]
    if siblings:
        word = "sibling" if len(siblings) == 1 else "siblings"
        flags.append(f"whole-family plan: {word} {', '.join(siblings)}")
    if pupil.get("penalty_notices"):
        flags.append(
            f"{plural(pupil['penalty_notices'], 'penalty notice')}, latest "
            f"{uk_date(pupil['latest_penalty_notice'])}"
        )
    return flags


def _recent_start(calendar: SchoolCalendar, end: dt.date, weeks: int) -> dt.date:
    """Monday of the ``weeks``-th last school week (a week with a school session dated on or
    before ``end``), as ``analysis.thresholds.at_risk_reasons`` counts them; looks back a year at
    most."""
    monday = end - dt.timedelta(days=end.weekday())
    found = 0
    for _ in range(53):
        days = [d for d in (monday + dt.timedelta(days=n) for n in range(5)) if d <= end]
        if any(
            calendar.year(marks.academic_year(d))[
                marks.position(d, 0) : marks.position(d, 1) + 1
            ].any()
            for d in days
        ):
            found += 1
            if found == weeks:
                break
        monday -= dt.timedelta(days=7)
    return monday


def prepare_tsm_pack(
    store: Store,
    *,
    school: str,
    term: str | None = None,
    year: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    include_all: bool = False,
    config: ThresholdConfig = DEFAULT_CONFIG,
    today: dt.date | None = None,
) -> TsmPack:
    ref = store_registers.find_school(store, school)
    last = last_mark_date(store, ref.id)
    if last is None:
        raise NotFoundError(
            f"{ref.name} ({ref.laestab}) has no register marks yet",
            hint="Import the school's registers first: att import FILE --school " + ref.laestab,
        )
    period = resolve_period(
        last_date=last, term=term, year=year, start=start, end=end, subject=ref.name
    )
    years = list(range(marks.academic_year(period.start) - 1, marks.academic_year(period.end) + 1))
    records = store_registers.load_enrolments(store, years=years, school_id=ref.id)
    arrays = {y: mark_array(_strings(records, y)) for y in years}
    calendar = SchoolCalendar.from_strings(arrays)
    counts = count_period(arrays, period.start, period.end)
    summary = summarise_counts(counts)
    if not summary.possible:  # a pack of dashes would say nothing; say why instead
        raise NotFoundError(
            f"{ref.name} ({ref.laestab}) has no register marks in {period.label} "
            f"({period.start:%d/%m/%Y} to {period.end:%d/%m/%Y})",
            hint=f"att holds its registers up to {last:%d/%m/%Y}: choose a period with marks "
            "(--year, --term, or --from and --to), or import that period's registers.",
        )
    unexplained = _count_codes(arrays, period, UNEXPLAINED_STORED)
    part_time = _count_codes(arrays, period, PART_TIME_STORED)
    social = np.array([bool(r.looked_after or r.social_worker) for r in records], dtype=bool)
    tell_social_worker = social & (unexplained > 0)
    must_see = (counts.possible > 0) & (tell_social_worker | (part_time > 0))
    la_summary = _la_summary(store, period)  # counted on a second core while we analyse
    figures = _analyse(records, arrays, counts, calendar, period, include_all, config, must_see)
    la = la_summary()
    below = np.array([_below_school_age(r.date_of_birth, period.end) for r in records], dtype=bool)
    from attendance_cli.cases.lists import casework_summaries

    chosen = [i for i, _ in figures]
    pupil_ids = [records[i].pupil_id for i in chosen]
    casework = casework_summaries(store, pupil_ids, today=today)
    pupils = []
    for i, f in figures:
        entry = pupil_entry(records[i], f, casework.get(records[i].pupil_id))
        _add_register_facts(
            entry,
            records[i],
            period,
            unexplained=int(unexplained[i]),
            tell_social_worker=bool(tell_social_worker[i]),
            part_time=_part_time_span(arrays, i, period) if part_time[i] else None,
        )
        entry.section = _section(entry, include_all=include_all)
        pupils.append(entry)
    pupils = [p for p in pupils if p.section]
    from attendance_cli.store import cases as store_cases

    last_meeting = store_cases.latest_tsm_meeting(store, ref.id)
    _add_casework_history(
        store,
        pupils,
        {records[i].upn: records[i].pupil_id for i in chosen},
        since=last_meeting[1] if last_meeting else None,
        on=period.end,
        today=today or dt.date.today(),
    )
    pupils.sort(
        key=lambda p: (
            SECTIONS.index(p.section),
            _BAND_ORDER[p.band],
            -(p.absence_pct or 0),
            p.surname or "",
            p.upn,
        )
    )
    return TsmPack(
        school=ref,
        period=ReportPeriod.of(period, last),
        summary=summary,
        la_summary=la,
        national=national.latest(),
        pupils=pupils,
        no_plan_or_lead=[
            p.upn
            for p in pupils
            if p.section in ("severe", "persistent") and (not p.has_plan or not p.lead_practitioner)
        ],
        cohorts=summarise_cohorts(records, counts),
        include_all=include_all,
        legal_age_summary=summarise_counts(counts.take(~below)),
        last_meeting=last_meeting[1] if last_meeting else None,
        **_school_weekly(arrays, period),
    )


PART_TIME_STORED = frozenset({codes.CODES_2024["C2"].stored})


def _count_codes(
    arrays: dict[int, np.ndarray], period: Period, stored: frozenset[str]
) -> np.ndarray:
    """Sessions marked with any of the ``stored`` characters in the period, per enrolment."""
    wanted = np.zeros(256, dtype=bool)
    wanted[[ord(ch) for ch in stored]] = True
    total: np.ndarray | None = None
    for year in marks.years_between(period.start, period.end):
        lo, hi = marks.span(year, period.start, period.end)
        found = wanted[arrays[year][:, lo:hi]].sum(axis=1)
        total = found if total is None else total + found
    return total if total is not None else np.zeros(0, dtype=np.int64)


def _part_time_span(
    arrays: dict[int, np.ndarray], row: int, period: Period
) -> tuple[int, dt.date, dt.date] | None:
    """(C2 sessions, first date, last date) of one enrolment in the period."""
    code = ord(next(iter(PART_TIME_STORED)))
    dates: list[dt.date] = []
    for year in marks.years_between(period.start, period.end):
        lo, hi = marks.span(year, period.start, period.end)
        for pos in np.flatnonzero(arrays[year][row, lo:hi] == code).tolist():
            dates.append(marks.date_at(year, lo + pos)[0])
    return (len(dates), min(dates), max(dates)) if dates else None


def _below_school_age(date_of_birth: dt.date | None, on: dt.date) -> bool:
    """Not yet of compulsory school age on ``on`` (unknown date of birth: not below)."""
    return date_of_birth is not None and compulsory_school_age_from(date_of_birth) > on


def _add_register_facts(
    entry: PupilEntry,
    record: EnrolmentRecord,
    period: Period,
    *,
    unexplained: int,
    tell_social_worker: bool,
    part_time: tuple[int, dt.date, dt.date] | None,
) -> None:
    """Leaving, school age, unexplained absence and a part-time timetable (from the registers
    and the roster)."""
    if record.leaving_date is not None and record.leaving_date <= period.end:
        entry.leaving_date = record.leaving_date
        # a leaver cannot recover at this school: no "sessions to leave PA"
        entry.recovery_sessions_term = entry.recovery_sessions_year = None
        entry.pa_unavoidable_this_year = None
    if _below_school_age(record.date_of_birth, period.end):
        assert record.date_of_birth is not None
        entry.below_compulsory_school_age = True
        entry.compulsory_school_age_from = compulsory_school_age_from(record.date_of_birth)
    entry.unexplained_sessions = unexplained
    entry.tell_social_worker = tell_social_worker
    if part_time is not None:
        entry.part_time_sessions, entry.part_time_from, entry.part_time_to = part_time
    because = []
    if tell_social_worker:
        because.append(
            f"{plural(unexplained, 'session')} of unexplained absence (N/O): tell the social worker"
        )
    if part_time is not None:
        because.append(f"part-time timetable ({plural(part_time[0], 'session')} C2)")
    entry.listed_because = because


def _section(entry: PupilEntry, *, include_all: bool) -> str:
    """Where the pack lists the pupil ("" for not at all): see ``SECTIONS``."""
    banded = entry.band in {b.value for b in LISTED_BANDS}
    if entry.below_compulsory_school_age and (banded or entry.listed_because):
        return "below_school_age"
    if banded:
        return entry.band
    if entry.listed_because:
        return "also_listed"
    return "none" if include_all else ""


def _add_casework_history(
    store: Store,
    pupils: list[PupilEntry],
    pupil_ids: dict[str, int],
    *,
    since: dt.date | None,
    on: dt.date,
    today: dt.date,
) -> None:
    """Siblings on roll in the LA, actions since the last meeting, penalty notices: a few
    queries for the whole school (``store.pack``)."""
    from attendance_cli.store import pack as store_pack  # not on `att pupil show`'s path

    ids = [pupil_ids[p.upn] for p in pupils]
    actions = store_pack.actions_since(store, ids, since=since)
    notices = store_pack.penalty_notice_counts(store, ids)
    siblings = _siblings(store, ids, on=on)
    for entry in pupils:
        pupil_id = pupil_ids[entry.upn]
        entry.actions_since_last_meeting = [
            AgreedAction(
                id=a.id,
                kind=a.kind,
                action=a.action,
                owner=a.owner,
                agreed_on=a.agreed_at,
                due=a.due,
                status=a.status,
                overdue=a.status == "agreed" and a.due is not None and a.due < today,
            )
            for a in actions.get(pupil_id, [])
        ]
        notice = notices.get(pupil_id)
        if notice is not None:
            entry.penalty_notices = notice.issued
            entry.penalty_notices_withdrawn = notice.withdrawn
            entry.latest_penalty_notice = notice.latest
        entry.siblings = siblings.get(pupil_id, [])


def _siblings(store: Store, pupil_ids: list[int], *, on: dt.date) -> dict[int, list[Sibling]]:
    """Per listed pupil, the other pupils on roll in the LA on ``on`` who share a parent contact
    (the same name and e-mail) or an address with them (case and surrounding spaces ignored).
    A phone number is not matched: the bench LA's phones, like a real carer's or office's
    number, are shared by unrelated families."""
    from attendance_cli.store import pack as store_pack

    mine_contacts = store_pack.contact_keys_of(store, pupil_ids)
    contacts = store_pack.contacts_sharing(
        store,
        addresses=[c.address for c in mine_contacts if c.address],
        emails=[c.email for c in mine_contacts if c.email],
    )

    def keys(c: store_pack.ContactKeys) -> list[tuple[str, str]]:
        found = [("address", c.address)] if c.address else []
        if c.email and c.name:
            found.append(("parent", f"{c.name}|{c.email}"))
        return found

    by_key: dict[tuple[str, str], set[int]] = {}
    for c in contacts:
        for key in keys(c):
            by_key.setdefault(key, set()).add(c.pupil_id)
    related: dict[int, dict[int, str]] = {}
    for c in mine_contacts:
        for key in keys(c):
            for other in by_key.get(key, set()) - {c.pupil_id}:
                found = related.setdefault(c.pupil_id, {})
                if found.get(other) != "parent contact":
                    found[other] = "address" if key[0] == "address" else "parent contact"
    enrolled: dict[int, list[store_pack.OnRoll]] = {}
    for row in store_pack.on_roll(
        store, sorted({o for found in related.values() for o in found}), on=on
    ):
        enrolled.setdefault(row.pupil_id, []).append(row)
    result: dict[int, list[Sibling]] = {}
    for pupil_id, found in related.items():
        result[pupil_id] = [
            Sibling(e.upn, e.forename, e.surname, e.laestab, e.school, e.year_group, shared)
            for other, shared in sorted(found.items())
            for e in enrolled.get(other, [])
        ]
    return result


_BAND_ORDER = {"severe": 0, "persistent": 1, "at_risk": 2, "none": 3}


def _analyse(
    records: list[EnrolmentRecord],
    arrays: dict[int, np.ndarray],
    counts: CountArrays,
    calendar: SchoolCalendar,
    period: Period,
    include_all: bool,
    config: ThresholdConfig,
    must_see: np.ndarray | None = None,
) -> list[tuple[int, EnrolmentFigures]]:
    possible, absent = counts.possible, counts.absent
    if include_all:
        chosen = np.flatnonzero(possible > 0)
    else:
        # the superset of pupils who can be listed (see the module docstring)
        candidate = (possible > 0) & _at_or_above(absent, possible, config.at_risk_percent)
        recent = Period(
            _recent_start(calendar, period.end, config.recent_weeks), period.end, "recent"
        )
        clipped = _clip(recent, period)
        recent_counts = count_period(arrays, clipped.start, clipped.end)
        candidate |= (recent_counts.possible > 0) & _at_or_above(
            recent_counts.absent, recent_counts.possible, config.recent_percent
        )
        # a penalty window is 10 school weeks: at most ~26 calendar weeks with the summer break
        first_loaded = marks.year_start(min(arrays))
        lookback = Period(
            max(period.start - dt.timedelta(weeks=26), first_loaded), period.end, "penalty"
        )
        candidate |= (
            count_period(arrays, lookback.start, lookback.end).unauthorised
            >= config.penalty_sessions
        )
        previous = marks.academic_year(period.end) - 1
        if previous in arrays:
            before = count_many(arrays[previous])
            candidate |= (possible > 0) & before.persistent
        if must_see is not None:  # listed whatever their band (see prepare_tsm_pack)
            candidate |= must_see
        chosen = np.flatnonzero(candidate)
    results = []
    for index in chosen.tolist():
        record = records[index]
        results.append(
            (
                index,
                analyse_enrolment(
                    marks=record.marks,
                    start=period.start,
                    end=period.end,
                    calendar=calendar,
                    config=config,
                    has_social_worker=bool(record.social_worker),
                    looked_after=bool(record.looked_after),
                ),
            )
        )
    return results


def _at_or_above(absent: np.ndarray, possible: np.ndarray, percent: float | Fraction) -> np.ndarray:
    """100·absent/possible >= percent, exactly in integers (the threshold may be a Fraction)."""
    exact = Fraction(percent)
    return 100 * exact.denominator * absent >= exact.numerator * possible


def _clip(inner: Period, outer: Period) -> Period:
    return Period(max(inner.start, outer.start), inner.end, inner.label)


def pupil_entry(
    record: EnrolmentRecord, result: EnrolmentFigures, casework: CaseworkSummary | None
) -> PupilEntry:
    """One enrolment's figures as listed in a pack (and shown by ``att pupil show``)."""
    f = result.figures
    recovery = result.recovery
    pattern = [f"more absence on {day}s" for day in result.pattern.flagged_weekdays]
    if result.pattern.holiday_adjacent.flagged:
        pattern.append("absence around holidays")
    continuous = result.continuous
    return PupilEntry(
        upn=record.upn,
        surname=record.surname,
        forename=record.forename,
        year_group=record.year_group,
        registration_group=record.registration_group,
        gender=record.gender,
        fsm=record.fsm,
        sen=record.sen,
        social_worker=record.social_worker,
        looked_after=record.looked_after,
        figures=f,
        band=result.band.value,
        at_risk_reasons=[r.text for r in result.at_risk_reasons],
        at_risk_codes=[r.code for r in result.at_risk_reasons],
        penalty_threshold_met=result.penalty.met_in_period,
        penalty_threshold_date=result.penalty.first_met_date,
        penalty_threshold_met_now=result.penalty.met_at_end,
        longest_absence_days=continuous.longest.days if continuous.longest else 0,
        longest_unauthorised_days=continuous.longest_unauthorised.days
        if continuous.longest_unauthorised
        else 0,
        continuous_absence_running=bool(continuous.longest and continuous.longest.still_running),
        flags=[r.text for r in result.flags],
        flag_codes=[r.code for r in result.flags],
        recovery_sessions_term=recovery.term.sessions_needed if recovery else None,
        recovery_sessions_year=recovery.year.sessions_needed if recovery else None,
        pa_unavoidable_this_year=recovery.year.unavoidable if recovery else None,
        pattern=pattern,
        top_reasons=[f"{r.code} x{r.sessions}" for r in result.pattern.top_reasons],
        trend_change_points=result.trend.change_points,
        weekly_attendance=[w.attendance_pct for w in result.trend.weekly],
        lead_practitioner=casework.lead_practitioner if casework else None,
        lead_agency=casework.lead_agency if casework else None,
        open_actions=casework.open_actions if casework else 0,
        next_review=casework.next_review if casework else None,
        overdue_actions=casework.overdue_actions if casework else 0,
        has_plan=casework.has_plan if casework else False,
    )


def _la_summary(store: Store, period: Period) -> Callable[[], GroupSummary]:
    """Every enrolment in the database over the same period (the LA benchmark). Kept per period
    for the current marks (``store.benchmark``: the read and the count below, ~0.1 s on the
    120-school bench LA, happen once per period after each import). Otherwise the marks are
    read here and counted in a thread (numpy releases the GIL), so the count (0.06 s) overlaps
    the school's analysis, and the totals are kept for the next pack. Returns the function that
    waits for the summary (and raises what the count raised)."""
    cached = store_benchmark.cached_la_totals(store, start=period.start, end=period.end)
    if cached is not None:
        summary = _summary_of(cached)
        return lambda: summary
    version = store_benchmark.marks_version(store)  # before the marks: see store.benchmark
    years = list(marks.years_between(period.start, period.end))
    arrays: dict[int, np.ndarray] | None = None
    if len(years) == 1:  # the usual case: one buffer, no list of 48,000 strings
        rows, data = store_registers.all_marks_of_year(store, year=years[0])
        if len(data) == rows * marks.YEAR_LENGTH:
            array = np.frombuffer(data, dtype=np.uint8).reshape(rows, marks.YEAR_LENGTH)
            arrays = {years[0]: array}
    if arrays is None:
        strings = store_registers.all_marks(store, years=years, empty=marks.EMPTY_YEAR)
        arrays = {y: mark_array(strings[y]) for y in years}
    found: list[GroupSummary] = []
    failed: list[BaseException] = []

    def work() -> None:
        try:
            found.append(summarise_counts(count_period(arrays, period.start, period.end)))
        except BaseException as error:  # handed to the caller by wait()
            failed.append(error)

    worker = threading.Thread(target=work, name="att-la-benchmark", daemon=True)
    worker.start()

    def wait() -> GroupSummary:
        worker.join()
        if failed:
            raise failed[0]
        summary = found[0]
        store_benchmark.save_la_totals(
            store, start=period.start, end=period.end, version=version, totals=_totals_of(summary)
        )
        return summary

    return wait


def _totals_of(summary: GroupSummary) -> store_benchmark.LaTotals:
    names = store_benchmark.LaTotals.__slots__
    return store_benchmark.LaTotals(**{name: getattr(summary, name) for name in names})


def _summary_of(totals: store_benchmark.LaTotals) -> GroupSummary:
    names = store_benchmark.LaTotals.__slots__
    return summarise_totals(**{name: getattr(totals, name) for name in names})


def _school_weekly(arrays: dict[int, np.ndarray], period: Period) -> dict[str, Any]:
    weeks: list[dt.date] = []
    values: list[float | None] = []
    monday = period.start - dt.timedelta(days=period.start.weekday())
    while monday <= period.end:
        week = Period(
            max(monday, period.start), min(monday + dt.timedelta(days=4), period.end), "week"
        )
        year = marks.academic_year(week.start)
        if year in arrays and marks.academic_year(week.end) == year:
            counts = count_many(arrays[year], *marks.span(year, week.start, week.end))
            possible = int(counts.possible.sum())
            if possible:
                weeks.append(monday)
                values.append(round(100 * int(counts.attended.sum()) / possible, 1))
        monday += dt.timedelta(days=7)
    return {"weeks": weeks, "school_weekly": values}
