"""A pupil's case file: the chronology of casework and attendance, and each action's impact.

The chronology merges, by the date each thing happened (``att case ... --on``, a TSM's date;
``cases.case`` has the rules), everything recorded about the child across all their cases
(a case follows the child across schools): case opened / closed / reopened, lead practitioner
changes, actions agreed and ended, meetings, notes, documents (letters among them), penalty
notices, and attendance milestones computed from the registers. Each casework entry also says
when att recorded it (``recorded_at``, UTC), so an entry made weeks after the event shows so;
entries of one day keep a fixed order (attendance facts, then the case opening, then the work).
Milestones:

* **became persistently / severely absent** (and **no longer ...**): the year-to-date absence
  rate of an enrolment, read at the end of each school week, crossing 10% / 50% (exact integer
  comparison). A reading counts only once the year has at least ``MIN_POSSIBLE_FOR_MILESTONE``
  possible sessions (two school weeks), so one absent morning in September is not "severe".
* **penalty threshold met**: the session on which 10 unauthorised sessions within 10 school
  weeks were first reached in that academic year (``analysis.thresholds``).
* **continuous absence**: the year's longest run of whole school days of unauthorised absence
  when it reaches 10 school days (the school must tell the LA) or 20 (possible child missing
  education), dated on the day the run reached that length.

Impact of an action: the pupil's attendance over the ``IMPACT_WEEKS`` school weeks before the
week the action was agreed and the ``IMPACT_WEEKS`` school weeks after it (the action's own week
is in neither). An action is dated by the day it was agreed (``agreed_on``: its meeting's date,
or ``--on``), never by the day it was typed in. "After" is empty until a school week after the
action has marks, and partial (fewer weeks) until four have.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from attendance_cli import marks as layout
from attendance_cli.cases.actions import ActionRecord, with_derived_status
from attendance_cli.cases.case import find_pupil
from attendance_cli.cases.leads import LeadRecord
from attendance_cli.store import cases as stored
from attendance_cli.store import registers as store_registers
from attendance_cli.store.connection import Store
from attendance_cli.text import uk_date

if TYPE_CHECKING:
    from attendance_cli.cases.penalty import PenaltyNoticeRecord
    from attendance_cli.store.cases import MeetingRecord, NoteRecord, StoredDocument
    from attendance_cli.store.registers import Pupil

MIN_POSSIBLE_FOR_MILESTONE = 20
IMPACT_WEEKS = 4
CONTINUOUS_LEVELS = (10, 20)


@dataclass(frozen=True)
class ChronologyEntry:
    date: dt.date
    type: str
    summary: str
    ref: int | None = None  # the id of the action, meeting, note, document or notice
    recorded_at: str | None = None  # when att recorded it (UTC); None for computed entries

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "type": self.type,
            "summary": self.summary,
            "ref": self.ref,
            "recorded_at": self.recorded_at,
        }


@dataclass(frozen=True)
class Window:
    weeks: int
    possible: int
    attended: int
    attendance_pct: float | None
    first_week: dt.date | None
    last_week: dt.date | None


@dataclass(frozen=True)
class Impact:
    anchor: dt.date
    before: Window | None
    after: Window | None

    @property
    def change_points(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        if self.before.attendance_pct is None or self.after.attendance_pct is None:
            return None
        return round(self.after.attendance_pct - self.before.attendance_pct, 1)


@dataclass
class CaseView:
    pupil: Pupil
    case_id: int | None
    status: str  # open, closed, or none (nothing recorded yet)
    opened_on: dt.date | None
    closed_on: dt.date | None
    opened_at: str | None
    closed_at: str | None
    outcome: str | None
    lead: LeadRecord | None
    lead_history: list[LeadRecord]
    actions: list[ActionRecord]
    impacts: dict[int, Impact]
    meetings: list[MeetingRecord]
    notes: list[NoteRecord]
    documents: list[StoredDocument]
    penalty_notices: list[PenaltyNoticeRecord]
    chronology: list[ChronologyEntry] = field(default_factory=list)


def local_date(stamp: str) -> dt.date:
    """The local calendar date of a stored UTC timestamp (``store.conversions.now_text``)."""
    moment = dt.datetime.fromisoformat(stamp).replace(tzinfo=dt.UTC)
    return moment.astimezone().date()


# ------------------------------------------------------------------------------- attendance


@dataclass
class _Sessions:
    """All the pupil's weekday sessions across enrolments, in date order."""

    ordinals: Any  # numpy arrays, in step
    mondays: Any  # the ordinal of each session's Monday
    possible: Any
    attended: Any
    school: Any
    last_marked: dt.date | None


def enrolment_timelines(store: Store, pupil_id: int) -> list[tuple[Any, Any, Any]]:
    """(EnrolmentRecord, Timeline, SchoolCalendar) over its marked years, for each of the pupil's enrolments."""
    from attendance_cli.analysis.calendar import build_timeline
    from attendance_cli.analysis.dataset import school_calendar_of

    years = store_registers.marked_years(store, pupil_id=pupil_id)
    if not years:
        return []
    result = []
    for record in store_registers.load_enrolments(store, years=years, pupil_id=pupil_id):
        if not record.marks:
            continue
        own = sorted(record.marks)
        calendar = school_calendar_of(store, record.school_id, own)
        first, last = layout.year_start(own[0]), layout.year_end(own[-1])
        timeline = build_timeline(
            marks_by_year=record.marks, calendar=calendar, first=first, last=last, marks_until=last
        )
        result.append((record, timeline, calendar))
    return result


def _pupil_sessions(timelines: list[tuple[Any, Any, Any]]) -> _Sessions | None:
    import numpy as np

    if not timelines:
        return None
    ordinals = np.concatenate([t.ordinals for _, t, _ in timelines])
    mondays = np.concatenate([t.mondays for _, t, _ in timelines])
    possible = np.concatenate([t.possible for _, t, _ in timelines])
    attended = np.concatenate([t.attended for _, t, _ in timelines])
    school = np.concatenate([t.school for _, t, _ in timelines])
    order = np.argsort(ordinals, kind="stable")
    marked = ordinals[possible]
    last = dt.date.fromordinal(int(marked.max())) if marked.size else None
    return _Sessions(
        ordinals[order], mondays[order], possible[order], attended[order], school[order], last
    )


def _window(sessions: _Sessions, mondays: list[int]) -> Window | None:
    import numpy as np

    from attendance_cli.analysis.counts import percent

    if not mondays:
        return None
    chosen = np.isin(sessions.mondays, mondays)
    possible = int(sessions.possible[chosen].sum())
    attended = int(sessions.attended[chosen].sum())
    return Window(
        weeks=len(mondays),
        possible=possible,
        attended=attended,
        attendance_pct=percent(attended, possible),
        first_week=dt.date.fromordinal(min(mondays)),
        last_week=dt.date.fromordinal(max(mondays)),
    )


def action_impact(sessions: _Sessions | None, anchor: dt.date) -> Impact:
    """Attendance in the school weeks before and after the week of ``anchor``."""
    import numpy as np

    if sessions is None or sessions.last_marked is None:
        return Impact(anchor, None, None)
    # school weeks the pupil was on roll for: a possible session of theirs in the week
    weeks = np.unique(sessions.mondays[sessions.possible & sessions.school])
    anchor_monday = anchor.toordinal() - anchor.weekday()
    before = [int(w) for w in weeks[weeks < anchor_monday][-IMPACT_WEEKS:]]
    after = [int(w) for w in weeks[weeks > anchor_monday][:IMPACT_WEEKS]]
    return Impact(anchor, _window(sessions, before), _window(sessions, after))


def attendance_milestones(
    db: Store, timelines: list[tuple[Any, Any, Any]]
) -> list[ChronologyEntry]:
    """Milestones of each enrolment and academic year (see the module docstring)."""

    from attendance_cli.analysis.thresholds import (
        check_penalty_threshold,
        find_continuous_absence,
        run_reached,
    )

    school_names = {s.id: s.name for s in store_registers.all_schools(db)}
    entries: list[ChronologyEntry] = []
    for record, timeline, _calendar in timelines:
        where = school_names.get(record.school_id, "school")
        reported: set[tuple[dt.date, int]] = set()
        for year in sorted(record.marks):
            start, end = layout.year_start(year), layout.year_end(year)
            in_year = timeline.between(start, end)
            if not (timeline.possible & in_year).any():
                continue
            last_marked = dt.date.fromordinal(
                int(timeline.ordinals[timeline.possible & in_year].max())
            )
            label = layout.academic_year_label(year)
            entries += _crossings(timeline, in_year, where, label)
            penalty = check_penalty_threshold(timeline, start=start, end=last_marked)
            if penalty.met_in_period and penalty.first_met_date is not None:
                entries.append(
                    ChronologyEntry(
                        penalty.first_met_date,
                        "penalty_threshold_met",
                        f"Penalty-notice threshold met at {where}: {penalty.sessions} unauthorised "
                        f"sessions within {penalty.weeks} school weeks "
                        f"(reached on the {penalty.first_met_session} session)",
                    )
                )
            run = find_continuous_absence(
                timeline, start=start, end=last_marked
            ).longest_unauthorised
            for level in CONTINUOUS_LEVELS:
                reached = run_reached(timeline, run, level) if run is not None else None
                if run is None or reached is None or (run.start, level) in reported:
                    continue
                reported.add((run.start, level))  # a run over the summer is reported once
                what = (
                    "the school must tell the LA"
                    if level == 10
                    else "possible child missing education: joint enquiries"
                )
                entries.append(
                    ChronologyEntry(
                        reached,
                        f"continuous_absence_{level}",
                        f"{level} school days of continuous unauthorised absence at {where} "
                        f"(run from {run.start.isoformat()}, {run.days} days"
                        f"{', still running' if run.still_running else ''}): {what}",
                    )
                )
    return entries


def _crossings(timeline: Any, in_year: Any, where: str, label: str) -> list[ChronologyEntry]:
    """Year-to-date PA/SA status read at the end of each school week; report each change."""
    import numpy as np

    possible = np.cumsum(timeline.possible & in_year)
    absent = np.cumsum(timeline.absent & timeline.possible & in_year)
    mondays = timeline.mondays
    weeks = np.unique(mondays[timeline.school & in_year & timeline.possible])
    entries = []
    state = {"persistent": False, "severe": False}
    for monday in weeks.tolist():
        last = int(np.flatnonzero(mondays == monday)[-1])
        p, a = int(possible[last]), int(absent[last])
        if p < MIN_POSSIBLE_FOR_MILESTONE:
            continue
        friday = dt.date.fromordinal(monday + 4)
        rate = f"{100 * a / p:.1f}%"
        for name, now, threshold in (
            ("persistent", 10 * a >= p, "10%"),
            ("severe", 2 * a >= p, "50%"),
        ):
            if now == state[name]:
                continue
            state[name] = now
            adjective = "persistently" if name == "persistent" else "severely"
            if now:
                summary = (
                    f"Became {adjective} absent at {where}: {label} to date {rate} "
                    f"({a} of {p} sessions missed; threshold {threshold})"
                )
            else:
                summary = f"No longer {adjective} absent at {where}: {label} to date {rate}"
            entries.append(
                ChronologyEntry(friday, f"{'became' if now else 'no_longer'}_{name}", summary)
            )
    return entries


# ---------------------------------------------------------------------------------- the view


def case_view(store: Store, upn: str, *, today: dt.date | None = None) -> CaseView:
    from attendance_cli.cases.audit import ERASED, audit_about, list_audit

    today = today or dt.date.today()
    pupil = find_pupil(store, upn)
    case_id = stored.latest_case_id(store, pupil.id)
    state = stored.get_case(store, case_id) if case_id is not None else None
    leads = stored.leads_of_pupil(store, pupil.id)
    of_case = [lead for lead in leads if lead.case_id == case_id]
    current_lead = of_case[-1] if of_case else None
    actions = [with_derived_status(a, today) for a in stored.actions_of_pupil(store, pupil.id)]
    meetings = stored.meetings(store, (a.meeting_id for a in actions if a.meeting_id))
    meeting_dates = {m.id: m.date for m in meetings}
    notes = stored.notes_of_pupil(store, pupil.id)
    documents = stored.documents_of_pupil(store, pupil.id)
    from attendance_cli.cases.penalty import list_penalty_notices

    notices = list_penalty_notices(store, upn=pupil.upn, today=today)
    timelines = enrolment_timelines(store, pupil.id)
    sessions = _pupil_sessions(timelines)
    impacts = {a.id: action_impact(sessions, action_date(a, meeting_dates)) for a in actions}
    opened_on = {c.id: c.opened_on for c in stored.cases_of_pupil(store, pupil.id)}

    chronology: list[ChronologyEntry] = []
    case_events = {
        "open_case": ("case_opened", "Case opened"),
        "close_case": ("case_closed", "Case closed"),
        "reopen_case": ("case_reopened", "Case reopened"),
        "referral_export": ("referral_export", "Legal referral bundle exported"),
    }
    logged = list_audit(store, upn=pupil.upn)
    named = {e.id for e in logged}
    # an entry about one of the pupil's cases whose detail was erased (it wrote another erased
    # child's UPN) names no pupil any more: found by its case, shown "[erased]"
    logged += [
        e for e in audit_about(store, "case", sorted(opened_on)) if e.erased and e.id not in named
    ]
    for entry in sorted(logged, key=lambda e: e.id):
        if entry.action not in case_events:
            continue
        kind, text = case_events[entry.action]
        if entry.erased:
            text += f" {ERASED}"
        detail = entry.detail
        if detail.get("outcome"):
            text += f": {detail['outcome']}"
        if detail.get("route"):
            text += f" (route: {detail['route']})"
        moved = opened_on.get(entry.entity_id or 0)
        if entry.action == "open_case" and moved is not None:
            day = moved  # the case's opening (moved back by work dated earlier)
        elif detail.get("happened_on"):
            day = dt.date.fromisoformat(str(detail["happened_on"])[:10])
        else:
            day = local_date(entry.at)  # recorded before casework had its own dates
        chronology.append(
            ChronologyEntry(
                day, kind, f"{text} by {entry.officer}", entry.entity_id, _stamp(entry.at)
            )
        )
    for lead in leads:
        role = f", {lead.role}" if lead.role else ""
        chronology.append(
            ChronologyEntry(
                lead.set_on or local_date(lead.set_at),
                "lead_practitioner",
                f"Lead practitioner: {lead.name} ({lead.agency}{role})",
                lead.id,
                _stamp(lead.set_at),
            )
        )
    for meeting in meetings:
        who = ", ".join(meeting.attendees) or "attendees not recorded"
        chronology.append(
            ChronologyEntry(
                meeting.date,
                "meeting",
                f"{'Targeting Support Meeting' if meeting.kind == 'tsm' else 'Meeting'} with "
                f"{meeting.school_name} ({who})",
                meeting.id,
            )
        )
    notice_ids = {n.id for n in notices}
    for a in actions:
        if _mirrors_notice(a, notice_ids):
            continue  # the notice's own entries below say the same
        owner = f"; owner {a.owner}" if a.owner else ""
        due = f"; review {a.due.isoformat()}" if a.due else ""
        chronology.append(
            ChronologyEntry(
                action_date(a, meeting_dates),
                "action_agreed",
                f"Action agreed ({a.tier}, {a.kind}): {a.action}{owner}{due}",
                a.id,
                _stamp(a.created_at),
            )
        )
        if a.completed_at and a.status in ("done", "cancelled"):
            chronology.append(
                ChronologyEntry(
                    a.ended_on or local_date(a.completed_at),
                    f"action_{a.status}",
                    f"Action {a.id} {a.status} ({a.kind}): {a.outcome}",
                    a.id,
                    _stamp(a.completed_at),
                )
            )
    for note in notes:
        text = note.text
        if note.corrected_at:  # the text as corrected; the original is in case_note_revision
            text += f" [corrected {uk_date(local_date(note.corrected_at))}]"
        chronology.append(
            ChronologyEntry(note.happened_on, "note", text, note.id, _stamp(note.created_at))
        )
    for doc in documents:
        label = "Letter" if doc.kind == "letter" else f"Document ({doc.kind})"
        about = f": {doc.description}" if doc.description else ""
        if doc.withdrawn_at:
            about += f" [withdrawn {uk_date(local_date(doc.withdrawn_at))}: {doc.withdrawn_reason}]"
        chronology.append(
            ChronologyEntry(
                doc.document_date or doc.happened_on,
                "letter" if doc.kind == "letter" else "document",
                f"{label} {doc.file_name}{about}",
                doc.id,
                _stamp(doc.created_at),
            )
        )
    for notice in notices:
        chronology.append(
            ChronologyEntry(
                notice.issued,
                "penalty_notice",
                f"Penalty notice issued to {notice.parent_name} ("
                + (
                    _ORDINAL.get(notice.notice_number, "not counted")
                    if notice.notice_number
                    else "not counted"
                )
                + f" in 3 years; £{notice.full_amount_pence / 100:.0f}"
                + (
                    f", £{notice.reduced_amount_pence / 100:.0f} if paid by "
                    f"{notice.reduced_rate_until.isoformat()})"
                    if notice.reduced_amount_pence and notice.reduced_rate_until
                    else ")"
                ),
                notice.id,
                _stamp(notice.created_at),
            )
        )
        if notice.paid:
            chronology.append(
                ChronologyEntry(
                    notice.paid, "penalty_notice_paid", "Penalty notice paid", notice.id
                )
            )
        if notice.withdrawn:
            chronology.append(
                ChronologyEntry(
                    notice.withdrawn,
                    "penalty_notice_withdrawn",
                    f"Penalty notice withdrawn: {notice.withdrawn_reason}",
                    notice.id,
                )
            )
    chronology += attendance_milestones(store, timelines)
    chronology.sort(key=lambda e: (e.date, _TYPE_ORDER.get(e.type, 50), e.ref or 0))

    return CaseView(
        pupil=pupil,
        case_id=case_id,
        status=state.status if state else "none",
        opened_on=state.opened_on if state else None,
        closed_on=state.closed_on if state else None,
        opened_at=state.opened_at if state else None,
        closed_at=state.closed_at if state else None,
        outcome=state.outcome if state else None,
        lead=current_lead,
        lead_history=leads,
        actions=actions,
        impacts=impacts,
        meetings=meetings,
        notes=notes,
        documents=documents,
        penalty_notices=notices,
        chronology=chronology,
    )


# same-day order: attendance facts first, then what was done about them
_TYPE_ORDER = {
    "became_persistent": 0,
    "became_severe": 1,
    "no_longer_severe": 2,
    "no_longer_persistent": 3,
    "penalty_threshold_met": 4,
    "continuous_absence_10": 5,
    "continuous_absence_20": 6,
    "case_opened": 10,
    "case_reopened": 11,
    "meeting": 12,
    "lead_practitioner": 13,
    "action_agreed": 14,
    "case_closed": 90,
}


_ORDINAL = {1: "first", 2: "second", 3: "third"}


def _mirrors_notice(action: ActionRecord, notice_ids: set[int]) -> bool:
    """The action ``cases.penalty`` records for each notice (so the TSM pack counts it),
    linked to it by ``penalty_notice_id``."""
    return action.kind == "penalty notice" and action.penalty_notice_id in notice_ids


def action_date(action: ActionRecord, meeting_dates: dict[int, dt.date] | None = None) -> dt.date:
    """The day an action was agreed (``agreed_on``: its meeting's date or ``--on``, stored
    with it; ``meeting_dates`` is no longer needed and kept for callers that pass it)."""
    return action.agreed_on


def _stamp(value: str | None) -> str | None:
    """A stored UTC timestamp as the JSON shows it: ISO 8601 with ``Z``, to the second."""
    if not value:
        return None
    return dt.datetime.fromisoformat(str(value)).replace(microsecond=0).isoformat() + "Z"


def _window_dict(window: Window | None) -> dict[str, Any] | None:
    if window is None:
        return None
    return {
        "weeks": window.weeks,
        "possible": window.possible,
        "attended": window.attended,
        "attendance_pct": window.attendance_pct,
        "first_week": window.first_week,
        "last_week": window.last_week,
    }


def case_view_dict(view: CaseView) -> dict[str, Any]:
    """The stable JSON form of ``att case show`` (keys documented in the README)."""
    meeting_dates = {m.id: m.date for m in view.meetings}
    lead = view.lead
    actions = []
    for a in view.actions:
        impact = view.impacts[a.id]
        actions.append(
            {
                "id": a.id,
                "tier": a.tier,
                "kind": a.kind,
                "action": a.action,
                "owner": a.owner,
                "agency": a.agency,
                "due": a.due,
                "status": a.status,
                "outcome": a.outcome,
                "meeting_id": a.meeting_id,
                "agreed_on": action_date(a, meeting_dates),
                "ended_on": a.ended_on,
                "created_at": a.created_at,
                "completed_at": a.completed_at,
                "officer": a.officer,
                "impact": {
                    "anchor": impact.anchor,
                    "before": _window_dict(impact.before),
                    "after": _window_dict(impact.after),
                    "change_points": impact.change_points,
                },
            }
        )
    return {
        "upn": view.pupil.upn,
        "surname": view.pupil.surname,
        "forename": view.pupil.forename,
        "case_id": view.case_id,
        "status": view.status,
        "opened_on": view.opened_on,
        "closed_on": view.closed_on,
        "opened_at": view.opened_at,
        "closed_at": view.closed_at,
        "outcome": view.outcome,
        "lead_practitioner": (
            {"name": lead.name, "agency": lead.agency, "role": lead.role, "contact": lead.contact}
            if lead
            else None
        ),
        "lead_history": [
            {
                "name": x.name,
                "agency": x.agency,
                "role": x.role,
                "set_on": x.set_on,
                "set_at": x.set_at,
            }
            for x in view.lead_history
        ],
        "actions": actions,
        "meetings": [
            {
                "id": m.id,
                "date": m.date,
                "kind": m.kind,
                "attendees": m.attendees,
                "school": {"laestab": m.school_laestab, "name": m.school_name},
            }
            for m in view.meetings
        ],
        "notes": [
            {
                "id": n.id,
                "text": n.text,
                "on": n.happened_on,
                "created_at": n.created_at,
                "officer": n.officer,
                "corrected_at": n.corrected_at,
            }
            for n in view.notes
        ],
        "documents": [
            {
                "id": d.id,
                "kind": d.kind,
                "file_name": d.file_name,
                "sha256": d.sha256,
                "bytes": d.bytes,
                "date": d.document_date,
                "on": d.happened_on,
                "description": d.description,
                "created_at": d.created_at,
                "officer": d.officer,
                "withdrawn_at": d.withdrawn_at,
                "withdrawn_reason": d.withdrawn_reason,
            }
            for d in view.documents
        ],
        "penalty_notices": [asdict(n) for n in view.penalty_notices],
        "chronology": [
            {
                "date": e.date,
                "type": e.type,
                "summary": e.summary,
                "ref": e.ref,
                "recorded_at": e.recorded_at,
            }
            for e in view.chronology
        ],
    }
