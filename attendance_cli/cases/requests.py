"""Schools' requests for a penalty notice, and the LA's decision on each.

Under the national framework (DfE, *Working together to improve school attendance*, 2024) a
school asks the LA to issue a penalty notice; the LA decides under its code of conduct and
tells the school. A request records the pupil, the school, the sessions it is for (the period
and the number of unauthorised sessions the school counts), the reason (``holiday``,
``unauthorised absence`` or ``lateness``), who asked, the evidence (files, filed as case
documents) and the day it was received. The LA's deadline to decide is ``decide_by``: the day
received plus ``[penalty] request_decision_days`` of the settings (calendar days, default
:data:`DEFAULT_DECISION_DAYS`); a request still undecided after it is *overdue*.

The decision (once; a decided request is never decided again):

* ``issue``: a penalty notice to the parent named, issued on the decision day, recorded by
  ``cases.penalty.add_penalty_notice`` with all its rules (:func:`_issue_notice`, the one
  place the request calls it); the request links the notice;
* ``nti``: a notice to improve first (the framework's step before a notice, unless it is not
  appropriate); optional reason; the pupil's case gets an agreed action of kind "notice to
  improve" (agency LA, agreed on the decision day), so the case shows the NTI still to send;
* ``refuse``: no notice, with the reason (required), e.g. the threshold not met.

Each decision writes the outcome sent back to the school (:func:`outcome_summary`, a short
letter kept on the request). Every change is audited in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attendance_cli.cases.audit import record_audit
from attendance_cli.cases.case import casework_day, ensure_open_case, find_pupil
from attendance_cli.errors import InvalidInputError, NotFoundError, RefusedError, UsageError
from attendance_cli.store import LOCK_PENALTY_NOTICES, transaction, writing
from attendance_cli.store import requests as stored
from attendance_cli.store.connection import Store
from attendance_cli.store.requests import StoredRequest

if TYPE_CHECKING:
    from attendance_cli.letters.generate import NoticeCopy
    from attendance_cli.settings import Settings

__all__ = [
    "DECISIONS",
    "DEFAULT_DECISION_DAYS",
    "REASONS",
    "RequestRecord",
    "add_request",
    "decide_request",
    "decision_days",
    "get_request",
    "list_requests",
    "outcome_docx",
    "outcome_summary",
]

REASONS = ("holiday", "unauthorised absence", "lateness")
DECISIONS = ("issue", "nti", "refuse")
DECISION_LABELS = {
    "issue": "penalty notice issued",
    "nti": "notice to improve first",
    "refuse": "refused",
}
DEFAULT_DECISION_DAYS = 10
SETTINGS_KEY = "request_decision_days"  # under [penalty]


@dataclass(frozen=True)
class RequestRecord:
    """A request with its derived status: ``pending``, ``overdue`` (pending after
    ``decide_by``) or ``decided``."""

    request: StoredRequest
    status: str
    registers_unauthorised: int | None = None  # in the period at that school; None: no marks

    def as_dict(self) -> dict[str, Any]:
        r = self.request
        return {
            "id": r.id,
            "upn": r.upn,
            "surname": r.surname,
            "forename": r.forename,
            "school_laestab": r.school_laestab,
            "school_name": r.school_name,
            "received_on": r.received_on,
            "decide_by": r.decide_by,
            "status": self.status,
            "period_from": r.period_from,
            "period_to": r.period_to,
            "sessions": r.sessions,
            "registers_unauthorised_sessions": self.registers_unauthorised,
            "reason": r.reason,
            "requested_by": r.requested_by,
            "details": r.details,
            "evidence_document_ids": list(r.document_ids),
            "decision": r.decision,
            "decision_reason": r.decision_reason,
            "decided_on": r.decided_on,
            "decided_by": r.decided_by,
            "penalty_notice_id": r.penalty_notice_id,
            "outcome_text": r.outcome_text,
            "created_at": r.created_at,
            "officer": r.officer,
        }


def decision_days(settings: Settings) -> int:
    """The LA's days to decide a request (``[penalty] request_decision_days``)."""
    days = settings.integer("penalty", SETTINGS_KEY, DEFAULT_DECISION_DAYS)
    if not 1 <= days <= 90:
        raise InvalidInputError(
            f"Setting penalty.{SETTINGS_KEY} must be between 1 and 90 days, not {days}",
            file=str(settings.path),
            hint=f"Write it as {SETTINGS_KEY} = {DEFAULT_DECISION_DAYS} under [penalty].",
        )
    return days


def _record(db: Store, request: StoredRequest, today: dt.date) -> RequestRecord:
    counted = registers_unauthorised(db, request)
    if request.decision is not None:
        return RequestRecord(request, "decided", counted)
    return RequestRecord(request, "overdue" if request.decide_by < today else "pending", counted)


def registers_unauthorised(store: Store, request: StoredRequest) -> int | None:
    """The unauthorised sessions the registers hold for the pupil at the requesting school in
    the request's period (``analysis.figures.count_sessions``), to set beside the school's
    own count; None when no marks of that school cover the period."""
    from attendance_cli import marks as layout
    from attendance_cli.analysis.figures import count_sessions
    from attendance_cli.store.registers import load_enrolments, marked_years

    years = [
        y
        for y in marked_years(store, pupil_id=request.pupil_id)
        if y in set(layout.years_between(request.period_from, request.period_to))
    ]
    total = None
    for record in load_enrolments(store, years=years, pupil_id=request.pupil_id) if years else []:
        if record.school_id != request.school_id or not record.marks:
            continue
        figures = count_sessions(
            marks=record.marks, start=request.period_from, end=request.period_to
        )
        if figures.possible:
            total = (total or 0) + figures.unauthorised
    return total


def get_request(db: Store, request_id: int, *, today: dt.date | None = None) -> RequestRecord:
    found = stored.get_request(db, request_id)
    if found is None:
        raise NotFoundError(
            f"No penalty notice request with id {request_id}",
            hint="`att penalty request list` lists the requests with their ids.",
        )
    return _record(db, found, today or dt.date.today())


def list_requests(
    store: Store,
    *,
    status: str = "all",
    school: str | None = None,
    upn: str | None = None,
    today: dt.date | None = None,
) -> list[RequestRecord]:
    """Requests by the day received; ``status`` pending (overdue included), overdue, decided
    or all."""
    from attendance_cli.store.registers import find_school

    if status not in ("pending", "overdue", "decided", "all"):
        raise UsageError(
            f"Unknown status {status!r}", hint="Use --status pending, overdue, decided or all."
        )
    day = today or dt.date.today()
    school_id = find_school(store, school).id if school else None
    pupil_id = find_pupil(store, upn).id if upn else None
    decided = {"pending": False, "overdue": False, "decided": True}.get(status)
    found = [
        _record(store, r, day)
        for r in stored.list_requests(
            store, decided=decided, school_id=school_id, pupil_id=pupil_id
        )
    ]
    return [r for r in found if status != "overdue" or r.status == "overdue"]


def add_request(
    store: Store,
    *,
    upn: str,
    received_on: dt.date,
    period_from: dt.date,
    period_to: dt.date,
    reason: str,
    officer: str,
    days_to_decide: int = DEFAULT_DECISION_DAYS,
    school: str | None = None,
    sessions: int | None = None,
    requested_by: str | None = None,
    details: str | None = None,
    evidence: list[Path] | None = None,
    document_store: Path | None = None,
    today: dt.date | None = None,
) -> RequestRecord:
    """Record a school's request (and its evidence files as case documents, received on the
    same day) in one transaction; the pupil's case opens on the day received if none is open."""
    from attendance_cli.cases import kinds
    from attendance_cli.cases.documents import attach_document
    from attendance_cli.store.cases import latest_enrolments
    from attendance_cli.store.registers import find_school

    day = today or dt.date.today()
    received = casework_day(received_on, today=day, option="--received")
    pupil = find_pupil(store, upn)
    found_reason = kinds.choose(reason, REASONS, "reason", "--reason")
    if found_reason is None:
        raise InvalidInputError(
            "A request needs its reason", hint=f"Use one of: {', '.join(REASONS)} (--reason)."
        )
    if period_from > period_to:
        raise InvalidInputError(
            "The period ends before it starts", hint="Give --from on or before --to."
        )
    if period_to > received:
        raise InvalidInputError(
            "The request's sessions end after the day it was received",
            hint="A request is for absences that have happened: check --to and --received.",
        )
    if sessions is not None and sessions < 1:
        raise InvalidInputError(
            "--sessions is the number of unauthorised sessions: at least 1",
            hint="Give the number the school counts, or leave it out.",
        )
    if school:
        school_id = find_school(store, school).id
    else:
        current = latest_enrolments(store, [pupil.id]).get(pupil.id)
        if current is None:
            raise InvalidInputError(
                f"{pupil.upn} is on no school's roll", hint="Say which school asked (--school)."
            )
        school_id = find_school(store, current.laestab).id
    files = list(evidence or [])
    for file in files:
        if not file.is_file():
            raise InvalidInputError(
                f"No such file: {file}", hint="Check the path of the evidence (--evidence)."
            )
    if files and document_store is None:
        raise UsageError("Evidence files need the document store")
    with transaction(store):
        case_id = ensure_open_case(store, pupil, officer, on=received)
        request_id = stored.insert_request(
            store,
            pupil_id=pupil.id,
            school_id=school_id,
            received_on=received,
            decide_by=received + dt.timedelta(days=days_to_decide),
            period_from=period_from,
            period_to=period_to,
            sessions=sessions,
            reason=found_reason,
            requested_by=requested_by.strip() if requested_by else None,
            details=details.strip() if details else None,
            officer=officer,
        )
        document_ids = []
        for file in files:
            assert document_store is not None
            document = attach_document(
                store,
                upn=pupil.upn,
                file=file,
                kind="other",
                store=document_store,
                officer=officer,
                description=f"Evidence for penalty notice request {request_id}",
                on=received,
                today=day,
            )
            stored.link_document(store, request_id=request_id, document_id=document.id)
            document_ids.append(document.id)
        record_audit(
            store,
            officer=officer,
            action="add_penalty_request",
            entity="penalty_request",
            entity_id=request_id,
            upn=pupil.upn,
            detail={
                "case_id": case_id,
                "school_id": school_id,
                "received_on": received,
                "decide_by": received + dt.timedelta(days=days_to_decide),
                "period_from": period_from,
                "period_to": period_to,
                "sessions": sessions,
                "reason": found_reason,
                "document_ids": document_ids,
                "happened_on": received,
            },
        )
    return get_request(store, request_id, today=day)


def _issue_notice(
    db: Store,
    *,
    request: StoredRequest,
    parent: str | None,
    contact_id: int | None,
    served_by: str | None,
    issued: dt.date,
    officer: str,
    today: dt.date,
    copy: NoticeCopy | None = None,
) -> tuple[int, list[str]]:
    """Issue the notice a request was decided for: THE one call of ``cases.penalty`` here
    (its rules apply: the parent from the pupil's recorded contacts, compulsory school age, the
    threshold within the request's period, sessions not already in a notice; a refusal there
    refuses the decision). The notice is for the request's period. Returns the notice id and the
    warnings for the officer."""
    from attendance_cli.cases.penalty import add_penalty_notice

    result = add_penalty_notice(
        db,
        upn=request.upn,
        parent=parent,
        contact_id=contact_id,
        served_by=served_by,
        offence_from=request.period_from,
        offence_to=request.period_to,
        issued=issued,
        officer=officer,
        today=today,
        copy=copy,
    )
    return result.notice.id, list(result.warnings)


@dataclass(frozen=True)
class Decision:
    record: RequestRecord
    warnings: list[str]


def decide_request(
    store: Store,
    *,
    request_id: int,
    decision: str,
    officer: str,
    reason: str | None = None,
    parent: str | None = None,
    contact_id: int | None = None,
    served_by: str | None = None,
    on: dt.date | None = None,
    la_name: str = "",
    signatory: str = "",
    officer_title: str = "",
    copy: NoticeCopy | None = None,
    today: dt.date | None = None,
) -> Decision:
    """Decide a pending request on ``on`` (default today): issue (needs ``parent``), nti, or
    refuse (needs ``reason``); writes the outcome for the school."""
    from attendance_cli.text import uk_date

    day = today or dt.date.today()
    decided_on = casework_day(on, today=day)
    chosen = (decision or "").strip().lower().replace("-", " ")
    chosen = {"notice to improve": "nti", "refused": "refuse", "issued": "issue"}.get(
        chosen, chosen
    )
    if chosen not in DECISIONS:
        raise UsageError(
            f"Unknown decision {decision!r}", hint="Use issue, nti or refuse (--decision)."
        )
    reason = reason.strip() if reason and reason.strip() else None
    if chosen == "refuse" and reason is None:
        raise UsageError(
            "A refusal needs its reason", hint='Say why for the school: --reason "...".'
        )
    if chosen == "issue" and not (parent and parent.strip()) and contact_id is None:
        raise UsageError(
            "Issuing a notice needs the parent it is issued to",
            hint='Give --contact ID or --parent "NAME" (one of the pupil\'s recorded contacts).',
        )
    if chosen != "issue" and (parent or contact_id is not None or served_by):
        raise UsageError(
            "--parent, --contact and --served-by are for --decision issue",
            hint="Leave them out.",
        )
    warnings: list[str] = []
    with writing(store, LOCK_PENALTY_NOTICES):  # still pending, then decide (and issue)
        current = get_request(store, request_id, today=day)
        request = current.request
        if request.decision is not None:
            raise RefusedError(
                f"Request {request_id} was already decided on {uk_date(request.decided_on)} "
                f"({DECISION_LABELS[request.decision]})",
                hint="A decision is not changed: record a new request if the school asks again.",
            )
        if decided_on < request.received_on:
            raise InvalidInputError(
                f"Request {request_id} was received on {uk_date(request.received_on)}: it "
                f"cannot be decided on {uk_date(decided_on)}",
                hint=f"Give --on a date on or after {uk_date(request.received_on)}.",
            )
        notice_id = None
        if chosen == "nti":
            from attendance_cli.cases.actions import insert_action

            pupil = find_pupil(store, request.upn)
            case_id = ensure_open_case(store, pupil, officer, on=decided_on)
            insert_action(
                store,
                case_id,
                "notice to improve",
                f"Notice to improve (the school's penalty notice request {request_id})",
                None,
                "LA",
                None,
                None,
                officer,
                pupil.upn,
                on=decided_on,
            )
        if chosen == "issue":
            notice_id, warnings = _issue_notice(
                store,
                request=request,
                parent=parent,
                contact_id=contact_id,
                served_by=served_by,
                issued=decided_on,
                officer=officer,
                today=day,
                copy=copy,
            )
        outcome = outcome_summary(
            request,
            decision=chosen,
            reason=reason,
            decided_on=decided_on,
            officer=signatory or officer,
            officer_title=officer_title,
            la_name=la_name,
            notice_id=notice_id,
            parent=parent.strip() if parent else None,
            late=decided_on > request.decide_by,
        )
        stored.set_decision(
            store,
            request_id=request_id,
            decision=chosen,
            reason=reason,
            on=decided_on,
            decided_by=officer,
            notice_id=notice_id,
            outcome_text=outcome,
        )
        record_audit(
            store,
            officer=officer,
            action="decide_penalty_request",
            entity="penalty_request",
            entity_id=request_id,
            upn=request.upn,
            detail={
                "decision": chosen,
                "reason": reason,
                "penalty_notice_id": notice_id,
                "decide_by": request.decide_by,
                "happened_on": decided_on,
            },
        )
    return Decision(get_request(store, request_id, today=day), warnings)


def outcome_summary(
    request: StoredRequest,
    *,
    decision: str,
    reason: str | None,
    decided_on: dt.date,
    officer: str,
    officer_title: str = "",
    la_name: str = "",
    notice_id: int | None = None,
    parent: str | None = None,
    late: bool = False,
) -> str:
    """The short letter sent back to the school: its request, the decision and what follows."""
    from attendance_cli.text import plural, uk_date

    pupil = " ".join(filter(None, [request.forename, request.surname])) or request.upn
    sessions = (
        f"{plural(request.sessions, 'unauthorised session')} "
        if request.sessions is not None
        else "unauthorised sessions "
    )
    asked = f" (asked by {request.requested_by})" if request.requested_by else ""
    lines = [
        f"To: {request.school_name} ({request.school_laestab})",
        f"From: {la_name or 'the local authority'}, {officer}"
        + (f", {officer_title}" if officer_title else ""),
        f"Date: {uk_date(decided_on)}",
        f"Re: penalty notice request {request.id} for {pupil} ({request.upn})",
        "",
        f"You asked on {uk_date(request.received_on)}{asked} for a penalty notice for "
        f"{sessions}({request.reason}) between {uk_date(request.period_from)} and "
        f"{uk_date(request.period_to)}.",
    ]
    if decision == "issue":
        lines.append(
            f"Decision: a penalty notice (number {notice_id}) was issued to {parent} on "
            f"{uk_date(decided_on)}. We will tell you whether it is paid or withdrawn."
        )
    elif decision == "nti":
        lines.append(
            "Decision: a notice to improve will be issued first, as the national framework "
            "expects before a penalty notice unless one is not appropriate."
            + (f" {reason}" if reason else "")
            + " If attendance does not improve within the improvement period, please ask again."
        )
    else:
        lines.append(f"Decision: the local authority will not issue a penalty notice. {reason}")
    if late:
        lines.append(
            f"(This decision was made after the date we aimed to decide by, "
            f"{uk_date(request.decide_by)}.)"
        )
    return "\n".join(lines)


def outcome_docx(text: str) -> bytes:
    """The outcome letter as a Word document (python-docx, which docxtpl brings in), one
    paragraph per line, for the officer to put on the LA's letterhead."""
    import io

    from docx import Document

    document = Document()
    document.core_properties.title = "Penalty notice request: outcome"
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
