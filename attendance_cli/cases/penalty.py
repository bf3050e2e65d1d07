"""Penalty notices (Education Act 1996 s.444A) and the national framework that limits them.

The framework (from 19 August 2024: SI 2024/210 and *Working together to improve school
attendance*) applies per parent per child, across every school in the database (a pupil is one
UPN, so notices from the child's previous schools count):

- a first notice is £80 if paid within 21 days, else £160 if paid within 28 days;
- a second notice within 3 years is £160 flat, with no reduced rate (att warns when recording
  one);
- no third within 3 years of the first: refused (exit 5), naming the date from which another is
  possible. The window rolls: a notice issued on day D counts the notices issued in the 3 years
  ending with D, so the next one is possible on the 3rd anniversary of the older of the two that
  block it (a notice issued exactly 3 years after another is outside its window; 29 February's
  anniversary is 1 March).

Decisions (also in the README):

- **Withdrawn notices do not count** towards the limit or the £160 second-notice rate. A notice is
  withdrawn because it should not have been issued (wrong person, error, no offence); the
  framework counts notices paid, unpaid and prosecuted, not withdrawn ones (LA codes of conduct
  list this in the DfE table). A withdrawn notice still counts for notices issued *before* its
  withdrawal date, so history stays as it was: a notice issued while another was live was a
  second notice. Nothing is deleted: the withdrawal, its date and reason are kept.
- **Notices issued before 19 August 2024** are recorded at the rates of the time (£60 within 21
  days, £120 within 28) and do not count towards the 2024 limit, which began that day; att
  warns when such a notice falls inside the 3 years so the officer can apply the LA's code.
- **Parent names** are matched ignoring case, spacing, full stops, commas, apostrophes, hyphens
  and a leading title (Mr, Mrs, Ms, Miss, Mx, Dr): "Mrs  Jane O'Neill-Smith" is "jane oneill
  smith". The name is stored as typed (spaces tidied). A name not among the pupil's recorded
  parents and carers (the roster's contacts) is a warning, not a refusal: a notice may go to
  anyone who is a parent under EA 1996 s.576.
- **Days** run from the issue date as day 1 (the law counts from receipt, which att does not
  know): the reduced rate runs to issue + 20 days, payment to issue + 27 days. A notice sent by
  post is received later, so a payment at £80 a little after that date is a warning, never a
  refusal; £160 paid within 21 days of issue is refused (the reduced rate certainly applied).
- **Amount** (``amount_pence``): the amount paid once paid; before that, the amount the notice
  first asks for (£80 for a first notice, £160 for a second). ``amount_due_pence`` says what is
  due today. An explicit amount the framework rules out is refused with the reason.
- **Case and action**: a notice still to be paid is linked to the pupil's open case (one is
  opened if none is), and an action of kind "penalty notice" (legal tier) is recorded in it, due
  on the last day to pay, so the TSM pack counts it and shows it overdue when the 28 days pass
  without payment (the LA must then prosecute or withdraw). Payment marks the action done,
  withdrawal cancels it. A notice recorded already paid or withdrawn (history) is linked to the
  open case if there is one, and never opens a case (its copy, below, goes in the pupil's latest
  case; only a pupil with no case at all gets one opened for the copy).

Every change is written together with its audit entry in one transaction.

**The notice's copy** (SI 2007/1867 reg. 20: the record keeps the notice itself). Given a
``letters.generate.NoticeCopy`` (``att penalty add`` always gives one), recording a notice also
renders it from the LA's ``penalty-notice.docx`` (settings ``[letters] templates``) or the
built-in template and files it in the case as a document of kind ``letter``, dated the issue
day, in THE SAME transaction as the notice: a kill or a failure before the commit leaves
neither, never one without the other (the template and its settings are checked before
anything is written; the bytes, stored first under their hash, are removed when filing fails,
and a kill can at most leave unreferenced bytes in the store, no row). Every amount and date on
the copy comes from the notice's record (``describe_status``'s source: ``rates_for``, ``pay_by``
and ``cases.served``). ``no_copy_reason`` (``--no-copy REASON``: the LA issues its notices
from another system) records a notice without one, the reason kept in its audit entry.

A copy never goes stale silently: withdrawing the notice marks its copy withdrawn (kept in the
case, listed as withdrawn, left out of new referral bundles) in the withdrawal's transaction,
and correcting the issue or service date (which moves the pay-by days on the copy) withdraws the
old copy as superseded and files a new one in the correction's transaction. Corrections of the
payment, withdrawal or prosecution dates change nothing the copy says and leave it as it is.
``PenaltyNoticeRecord.document_id`` is the latest copy's case document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from attendance_cli.cases.actions import end_action, insert_action
from attendance_cli.cases.audit import record_audit
from attendance_cli.cases.case import ensure_open_case, find_pupil, open_case
from attendance_cli.cases.penalty_checks import choose_parent, offence_sessions, reused_sessions
from attendance_cli.cases.penalty_rules import (
    ACTION_KIND,
    ATTENDANCE,
    EXCLUSION,
    FULL_PENCE,
    KINDS,
    MAX_NOTICES_IN_WINDOW,
    STATUSES,
    WITHDRAWAL_GROUNDS,
    Assessment,
    NoticeHistory,
    Rates,
    action_description,
    assess_notice,
    check_amount,
    check_not_before_issue,
    check_not_future,
    counts_at,
    default_amount_note,
    framework_warnings,
    in_framework,
    notice_reason,
    number_notices,
    parent_key,
    pay_by,
    payment_amount,
    payment_terms,
    payment_warnings,
    pounds,
    rates_for,
    reduced_rate_until,
    third_notice_refusal,
)
from attendance_cli.cases.served import ServiceMethod, received_on
from attendance_cli.errors import InvalidInputError, NotFoundError, RefusedError, UsageError
from attendance_cli.store import LOCK_PENALTY_NOTICES, writing
from attendance_cli.store import cases as stored_cases
from attendance_cli.store import penalties as stored
from attendance_cli.store.connection import Store
from attendance_cli.store.letters import notice_copies
from attendance_cli.store.penalties import StoredNotice

if TYPE_CHECKING:
    from attendance_cli.letters.generate import NoticeCopy

# ------------------------------------------------------------------------- the rules (pure)


# ------------------------------------------------------------------------ records and reads


@dataclass
class PenaltyNoticeRecord:
    id: int
    upn: str
    surname: str | None
    forename: str | None
    schools: list[str]  # LAESTABs the pupil was on roll at on the issue date
    school_names: list[str]
    parent_name: str
    issued: dt.date
    notice_number: int | None
    counts_towards_limit: bool
    framework: bool  # issued on or after 19 August 2024
    amount_pence: int  # paid; before payment, what the notice first asks for
    amount_due_pence: int | None  # due today while outstanding or overdue
    reduced_amount_pence: int | None  # None for a second notice (no reduced rate)
    full_amount_pence: int
    reduced_rate_until: dt.date | None
    pay_by: dt.date
    status: str  # outstanding, overdue, paid, withdrawn
    paid: dt.date | None
    withdrawn: dt.date | None
    withdrawn_reason: str | None
    case_id: int | None
    created_at: str
    officer: str
    # 0008_penalty_framework: the record SI 2007/1867 regs. 19-21 require
    kind: str = "attendance"  # attendance (EA 1996 s.444A), exclusion (EIA 2006 s.105)
    reason: str | None = None  # holiday, unauthorised, lateness, exclusion (the DfE's reasons)
    contact_id: int | None = None  # the recorded parent; None: not on record
    service_method: str | None = None  # hand, post; None: not recorded
    served_on: dt.date | None = None  # handed over or posted
    received_on: dt.date | None = None  # when the parent is taken to have received it
    periods_from: str = "issue"  # "receipt", or "issue" when service is not recorded
    offence_from: dt.date | None = None
    offence_to: dt.date | None = None
    sessions: list[dict[str, object]] = field(default_factory=list)  # date, session, mark
    payments: list[dict[str, object]] = field(default_factory=list)  # id, paid_on, amount_pence
    paid_so_far_pence: int = 0
    force_reason: str | None = None
    withdrawn_ground: str | None = None
    prosecuted_on: dt.date | None = None
    prosecution_outcome: str | None = None
    prosecution_outcome_on: dt.date | None = None
    document_id: int | None = None  # the case document of the notice's latest filed copy


@dataclass
class PenaltyResult:
    """A notice after a change, with the warnings for the officer (printed on stderr)."""

    notice: PenaltyNoticeRecord
    warnings: list[str] = field(default_factory=list)


@dataclass
class NoticeCheck:
    """What a new notice to ``parent_name`` for ``upn`` issued on ``on`` would be."""

    upn: str
    parent_name: str
    on: dt.date
    allowed: bool
    notice_number: int | None
    reduced_amount_pence: int | None
    full_amount_pence: int
    reduced_rate_until: dt.date | None
    pay_by: dt.date
    possible_from: dt.date | None
    counted_notice_ids: list[int]
    warnings: list[str] = field(default_factory=list)
    kind: str = "attendance"
    contact_id: int | None = None
    offence_from: dt.date | None = None
    offence_to: dt.date | None = None
    sessions: int = 0  # how many sessions the notice would be for
    threshold_count: int | None = None  # most of them within 10 school weeks
    school_age_from: dt.date | None = None
    problems: list[str] = field(default_factory=list)  # failed checks: the answer is no
    passed: bool = True  # allowed by the limit and no problems: ``att penalty check`` exits 0


def describe_status(notice: PenaltyNoticeRecord) -> str:
    """A notice's amount and status in a sentence (``att penalty list``'s table)."""
    if notice.status == "paid":
        assert notice.paid is not None
        return f"{pounds(notice.amount_pence)} paid {notice.paid:%d/%m/%Y}"
    if notice.status == "withdrawn":
        assert notice.withdrawn is not None
        return f"withdrawn {notice.withdrawn:%d/%m/%Y}: {notice.withdrawn_reason}"
    so_far = f"; {pounds(notice.paid_so_far_pence)} paid so far" if notice.paid_so_far_pence else ""
    if notice.status == "overdue":
        if notice.prosecuted_on is not None:
            outcome = (
                f", {notice.prosecution_outcome} {notice.prosecution_outcome_on:%d/%m/%Y}"
                if notice.prosecution_outcome and notice.prosecution_outcome_on
                else ""
            )
            return (
                f"{pounds(notice.full_amount_pence)} unpaid after {notice.pay_by:%d/%m/%Y}; "
                f"prosecuted {notice.prosecuted_on:%d/%m/%Y}{outcome}{so_far}"
            )
        return (
            f"{pounds(notice.full_amount_pence)} unpaid after {notice.pay_by:%d/%m/%Y}: "
            f"prosecute or withdraw{so_far}"
        )
    if notice.reduced_amount_pence is not None:
        return (
            f"{pounds(notice.reduced_amount_pence)} by {notice.reduced_rate_until:%d/%m}, "
            f"{pounds(notice.full_amount_pence)} by {notice.pay_by:%d/%m/%Y}{so_far}"
        )
    return f"{pounds(notice.full_amount_pence)} by {notice.pay_by:%d/%m/%Y}{so_far}"


def describe_check(check: NoticeCheck) -> str:
    """The answer of ``att penalty check`` in a sentence."""
    when = check.on.isoformat()
    if check.allowed and check.problems:
        return (
            f"No: a notice to {check.parent_name} for {check.upn} on {when} fails the checks: "
            + "; ".join(check.problems)
            + "."
        )
    if not check.allowed:
        assert check.possible_from is not None
        return (
            f"No: a third notice to {check.parent_name} for {check.upn} on {when} is not "
            f"possible (notices {', '.join(map(str, check.counted_notice_ids))} count); "
            f"possible from {check.possible_from.isoformat()}."
        )
    rates = Rates(check.reduced_amount_pence, check.full_amount_pence)
    terms = payment_terms(rates, check.on, say_flat=True)
    which = {1: "a first", 2: "a second"}.get(check.notice_number or 0, "a pre-framework")
    if check.kind == EXCLUSION:
        which = "an exclusion"
    sessions = ""
    if check.sessions and check.offence_from and check.offence_to:
        sessions = (
            f" It would be for {check.sessions} sessions from {check.offence_from:%d/%m/%Y} to "
            f"{check.offence_to:%d/%m/%Y}."
        )
    return (
        f"Yes: {which} notice to {check.parent_name} for {check.upn} on {when}: {terms}." + sessions
    )


def _history(row: StoredNotice) -> NoticeHistory:
    return NoticeHistory(row.id, row.issued, row.withdrawn)


def _notice_rows(
    db: Store, *, pupil_id: int | None = None, notice_id: int | None = None
) -> list[StoredNotice]:
    return stored.notices(db, pupil_id=pupil_id, notice_id=notice_id)


def _numbers(rows: Sequence[StoredNotice]) -> dict[int, int | None]:
    """Each notice's number among the notices to its parent for its child; an exclusion
    notice has none (it does not count towards the limit)."""
    groups: dict[tuple[int, str], list[NoticeHistory]] = {}
    numbers: dict[int, int | None] = {r.id: None for r in rows if r.kind == EXCLUSION}
    for row in rows:
        if row.kind == EXCLUSION:
            continue
        groups.setdefault((row.pupil_id, parent_key(row.parent_name)), []).append(_history(row))
    for group in groups.values():
        numbers.update(number_notices(group))
    return numbers


def _schools_at_issue(db: Store, rows: Sequence[StoredNotice]) -> dict[int, list[tuple[str, str]]]:
    """Per notice id: (LAESTAB, name) of the schools the pupil was on roll at on the issue date;
    all the pupil's schools when no enrolment dates cover it."""
    enrolments = stored.enrolment_spans(db, [r.pupil_id for r in rows])
    result: dict[int, list[tuple[str, str]]] = {}
    for row in rows:
        every = enrolments.get(row.pupil_id, [])
        on_roll = [
            e
            for e in every
            if (e.entry is None or e.entry <= row.issued)
            and (e.leaving is None or e.leaving >= row.issued)
        ]
        result[row.id] = sorted({(e.laestab, e.school_name) for e in on_roll or every})
    return result


def periods_start(row: StoredNotice) -> dt.date:
    """The day the payment periods begin with: the day of receipt (``cases.served``), else the
    issue date for a notice whose service is not recorded."""
    return row.received_on or row.issued


def notice_rates(row: StoredNotice, number: int | None) -> Rates:
    """An exclusion notice is charged as a first notice (it is never a second)."""
    return rates_for(row.issued, 1 if row.kind == EXCLUSION else number)


def _status(row: StoredNotice, today: dt.date) -> str:
    if row.withdrawn is not None:
        return "withdrawn"
    if row.paid is not None:
        return "paid"
    return "overdue" if today > pay_by(periods_start(row)) else "outstanding"


def _record(
    row: StoredNotice,
    number: int | None,
    schools: list[tuple[str, str]],
    today: dt.date,
    sessions: Sequence[stored.NoticeSession] = (),
    paid: Sequence[stored.Payment] = (),
    document_id: int | None = None,
) -> PenaltyNoticeRecord:
    rates = notice_rates(row, number)
    start = periods_start(row)
    status = _status(row, today)
    so_far = sum(p.amount_pence for p in paid) if row.paid is None else 0
    due: int | None = None
    if status in ("outstanding", "overdue"):
        due = max(payment_amount(rates, start, today) - so_far, 0)
    return PenaltyNoticeRecord(
        id=row.id,
        upn=row.upn,
        surname=row.surname,
        forename=row.forename,
        schools=[s[0] for s in schools],
        school_names=[s[1] for s in schools],
        parent_name=row.parent_name,
        issued=row.issued,
        notice_number=number,
        counts_towards_limit=row.kind != EXCLUSION and counts_at(_history(row), today),
        framework=in_framework(row.issued),
        amount_pence=row.amount_pence,
        amount_due_pence=due,
        reduced_amount_pence=rates.reduced_pence,
        full_amount_pence=rates.full_pence,
        reduced_rate_until=None if rates.reduced_pence is None else reduced_rate_until(start),
        pay_by=pay_by(start),
        status=status,
        paid=row.paid,
        withdrawn=row.withdrawn,
        withdrawn_reason=row.withdrawn_reason,
        case_id=row.case_id,
        created_at=row.created_at,
        officer=row.officer,
        kind=row.kind,
        reason=row.reason,
        contact_id=row.contact_id,
        service_method=row.service_method,
        served_on=row.served_on,
        received_on=row.received_on,
        periods_from="receipt" if row.received_on is not None else "issue",
        offence_from=row.offence_from,
        offence_to=row.offence_to,
        sessions=[{"date": x.session_date, "session": x.session, "mark": x.mark} for x in sessions],
        payments=[{"id": p.id, "paid_on": p.paid_on, "amount_pence": p.amount_pence} for p in paid],
        paid_so_far_pence=so_far,
        force_reason=row.force_reason,
        withdrawn_ground=row.withdrawn_ground,
        prosecuted_on=row.prosecuted_on,
        prosecution_outcome=row.prosecution_outcome,
        prosecution_outcome_on=row.prosecution_outcome_on,
        document_id=document_id,
    )


def _records(
    store: Store, rows: Sequence[StoredNotice], numbers: dict[int, int | None], today: dt.date
) -> list[PenaltyNoticeRecord]:
    ids = [r.id for r in rows]
    schools = _schools_at_issue(store, rows)
    sessions = stored.notice_sessions(store, ids) if ids else {}
    paid = stored.payments(store, ids) if ids else {}
    copies = notice_copies(store, ids) if ids else {}
    return [
        _record(
            r,
            numbers[r.id],
            schools[r.id],
            today,
            sessions.get(r.id, ()),
            paid.get(r.id, ()),
            copies[r.id][-1].document_id if r.id in copies else None,
        )
        for r in rows
    ]


def get_penalty_notice(
    store: Store, notice_id: int, *, today: dt.date | None = None
) -> PenaltyNoticeRecord:
    found = _notice_rows(store, notice_id=notice_id)
    if not found:
        raise NotFoundError(
            f"No penalty notice with id {notice_id}",
            hint="`att penalty list --upn UPN` lists a pupil's notices with their ids.",
        )
    rows = _notice_rows(store, pupil_id=found[0].pupil_id)
    row = next(r for r in rows if r.id == notice_id)
    return _records(store, [row], _numbers(rows), today or dt.date.today())[0]


def list_penalty_notices(
    store: Store,
    *,
    school: str | None = None,
    upn: str | None = None,
    status: str | None = None,
    today: dt.date | None = None,
) -> list[PenaltyNoticeRecord]:
    """Notices, oldest first: all, or a pupil's (``upn``), or those of pupils on roll at
    ``school`` on the issue date (LAESTAB or part of the name); ``status`` filters."""
    today = today or dt.date.today()
    if status is not None and status not in STATUSES:
        raise UsageError(
            f"--status {status!r} is not a notice status",
            hint=f"Use one of: {', '.join(STATUSES)}.",
        )
    laestab: str | None = None
    if school is not None:
        from attendance_cli.store.registers import find_school

        laestab = find_school(store, school).laestab
    rows = (
        _notice_rows(store, pupil_id=find_pupil(store, upn).id)
        if upn is not None
        else _notice_rows(store)
    )
    records = _records(store, rows, _numbers(rows), today)
    return [
        r
        for r in records
        if (laestab is None or laestab in r.schools) and (status is None or r.status == status)
    ]


# ---------------------------------------------------------------------------------- checks


def _assess_for_new(
    rows: Sequence[StoredNotice], *, name: str, issued: dt.date, upn: str, kind: str
) -> tuple[Assessment, list[str]]:
    """The framework for a new notice given the pupil's notices (refusals raised). An
    exclusion notice is outside the limit: always allowed, charged as a first notice."""
    key = parent_key(name)
    same = [r for r in rows if parent_key(r.parent_name) == key]
    for r in same:
        if r.issued == issued and r.withdrawn is None and r.kind == kind:
            raise RefusedError(
                f"Notice {r.id} to {r.parent_name} for {upn} issued on {issued.isoformat()} is "
                "already recorded",
                hint="`att penalty list --upn UPN` shows it; record payment or withdrawal with "
                "`att penalty update ID`.",
            )
    if kind == EXCLUSION:
        return Assessment(issued, True, None, rates_for(issued, 1), (), None, ()), []
    same = [r for r in same if r.kind != EXCLUSION]
    assessment = assess_notice(issued=issued, others=[_history(r) for r in same])
    if not assessment.allowed:
        raise third_notice_refusal(assessment, name, upn)
    warnings = framework_warnings(assessment, name)
    # A notice recorded out of order must not turn a later one into a third.
    new_id = max((r.id for r in rows), default=0) + 1
    before = number_notices([_history(r) for r in same])
    after = number_notices([*(_history(r) for r in same), NoticeHistory(new_id, issued)])
    for r in same:
        if r.issued <= issued or r.withdrawn is not None or after[r.id] == before[r.id]:
            continue
        number = after[r.id]
        if number is not None and number > MAX_NOTICES_IN_WINDOW:
            raise RefusedError(
                f"A notice to {name} for {upn} issued on {issued.isoformat()} would make notice "
                f"{r.id} (issued {r.issued.isoformat()}) a third within 3 years",
                hint="If both were really issued, one of them should be withdrawn; check the "
                "dates with `att penalty list --upn UPN`.",
            )
        warnings.append(
            f"Notice {r.id} (issued {r.issued.isoformat()}) now follows this one within 3 years, "
            f"so it is a second notice ({pounds(FULL_PENCE)} flat); its recorded amount is "
            f"{pounds(r.amount_pence)}."
        )
    return assessment, warnings


def _check_kind(kind: str) -> str:
    key = kind.strip().lower()
    if key not in KINDS:
        raise UsageError(
            f"--kind {kind!r} is not a kind of penalty notice",
            hint="Use attendance (EA 1996 s.444A) or exclusion (EIA 2006 s.105).",
        )
    return key


def check_penalty_notice(
    store: Store,
    *,
    upn: str,
    parent: str | None = None,
    contact_id: int | None = None,
    new_parent: bool = False,
    on: dt.date | None = None,
    kind: str = ATTENDANCE,
    offence_from: dt.date | None = None,
    offence_to: dt.date | None = None,
    today: dt.date | None = None,
) -> NoticeCheck:
    """Whether a notice to the parent for ``upn`` could be issued on ``on`` (default today), and
    at what rate: the framework's limit, compulsory school age, the threshold and sessions
    already used (``cases.penalty_checks``); nothing is written. ``passed`` is the answer."""
    on = on or today or dt.date.today()
    kind = _check_kind(kind)
    pupil = find_pupil(store, upn)
    chosen = choose_parent(
        store, pupil, parent=parent, contact_id=contact_id, new_parent=new_parent
    )
    name = chosen.name
    rows = _notice_rows(store, pupil_id=pupil.id)
    if kind == EXCLUSION:
        assessment = Assessment(on, True, None, rates_for(on, 1), (), None, ())
    else:
        same = [
            _history(r)
            for r in rows
            if parent_key(r.parent_name) == parent_key(name) and r.kind != EXCLUSION
        ]
        assessment = assess_notice(issued=on, others=same)
    warnings = framework_warnings(assessment, name) if assessment.allowed else []
    warnings.extend(chosen.warnings)
    offence = offence_sessions(
        store, pupil, kind=kind, issued=on, offence_from=offence_from, offence_to=offence_to
    )
    warnings.extend(offence.warnings)
    problems = list(offence.problems)
    reused = reused_sessions(store, notices=rows, parent_name=name, sessions=offence.sessions)
    if reused:
        problems.append(reused)
    rates = assessment.rates
    return NoticeCheck(
        upn=pupil.upn,
        parent_name=name,
        on=on,
        allowed=assessment.allowed,
        notice_number=assessment.notice_number,
        reduced_amount_pence=rates.reduced_pence if assessment.allowed else None,
        full_amount_pence=rates.full_pence,
        reduced_rate_until=reduced_rate_until(on)
        if assessment.allowed and rates.reduced_pence is not None
        else None,
        pay_by=pay_by(on),
        possible_from=assessment.possible_from,
        counted_notice_ids=[n.id for n in assessment.counted],
        warnings=warnings,
        kind=kind,
        contact_id=chosen.contact_id,
        offence_from=offence.offence_from,
        offence_to=offence.offence_to,
        sessions=len(offence.sessions),
        threshold_count=offence.threshold_count,
        school_age_from=offence.school_age_from,
        problems=problems,
        passed=assessment.allowed and not problems,
    )


# ---------------------------------------------------------------------------------- changes


def _settle_action(
    store: Store,
    *,
    notice_id: int,
    status: str,
    outcome: str,
    officer: str,
    upn: str,
) -> None:
    """Mark the notice's action done (paid) or cancelled (withdrawn), inside the caller's
    transaction; an action the officer already ended is left alone."""
    action_id = stored_cases.agreed_action_of_notice(store, notice_id)
    if action_id is None:
        return
    end_action(store, action_id=action_id, status=status, outcome=outcome, officer=officer, upn=upn)


def _service(
    method: str | None, served: dt.date | None, issued: dt.date, today: dt.date
) -> tuple[ServiceMethod | None, dt.date | None, dt.date | None]:
    """(method, served on, received on) of a notice; all None when service is not recorded."""
    if method is None:
        if served is not None:
            raise UsageError(
                "--served goes with --served-by (hand or post)",
                hint="Say how the notice was given: --served-by hand or --served-by post.",
            )
        return None, None, None
    key = method.strip().lower()
    if key in ("email", "e-mail", "electronic"):
        raise RefusedError(
            "A penalty notice cannot be served by email: the national framework provides for "
            "giving it to the parent (by hand, or left at their address) or sending it by "
            "first-class post",
            hint="Record --served-by hand or --served-by post.",
        )
    try:
        chosen = ServiceMethod(key)
    except ValueError:
        raise UsageError(
            f"--served-by {method!r} is not a way a notice is served",
            hint="Use hand (given to the parent or left at their address) or post (first class).",
        ) from None
    day = served or issued
    check_not_before_issue(day, "--served", issued)
    check_not_future(day, "--served", today)
    return chosen, day, received_on(day, chosen)


def _receipt_warnings(
    method: ServiceMethod | None, served: dt.date | None, received: dt.date | None
) -> list[str]:
    if method is None:
        return [
            "How the notice was served is not recorded, so its payment periods are counted "
            "from the issue date; the regulations count them from receipt (record it with "
            "--served-by hand|post)."
        ]
    return []


def add_penalty_notice(
    store: Store,
    *,
    upn: str,
    parent: str | None = None,
    issued: dt.date,
    officer: str,
    contact_id: int | None = None,
    new_parent: bool = False,
    kind: str = ATTENDANCE,
    served_by: str | None = None,
    served: dt.date | None = None,
    offence_from: dt.date | None = None,
    offence_to: dt.date | None = None,
    sessions: Sequence[tuple[dt.date, str]] | None = None,
    force: bool = False,
    force_reason: str | None = None,
    amount_pence: int | None = None,
    paid: dt.date | None = None,
    withdrawn: dt.date | None = None,
    reason: str | None = None,
    ground: str | None = None,
    copy: NoticeCopy | None = None,
    no_copy_reason: str | None = None,
    today: dt.date | None = None,
) -> PenaltyResult:
    """Record (issue) a penalty notice to a recorded parent for the pupil's sessions, enforcing
    the national framework (module docstring) and the checks of ``cases.penalty_checks``;
    optionally already paid or withdrawn (history).

    This is the one way a notice is made: a caller that has chosen the sessions (a school's
    request) passes ``sessions`` as (date, "AM"/"PM") pairs and ``contact_id``.

    With ``copy``, the notice's copy is made and filed in the same transaction (module
    docstring); ``no_copy_reason`` says why there is none (kept in the audit entry)."""
    today = today or dt.date.today()
    kind = _check_kind(kind)
    no_copy_reason = no_copy_reason.strip() if no_copy_reason and no_copy_reason.strip() else None
    if copy is not None and no_copy_reason is not None:
        raise UsageError("--no-copy says there is no copy to make", hint="Leave out --no-copy.")
    if copy is not None:
        from attendance_cli.letters.generate import check_notice_template

        check_notice_template(copy)  # a template or settings problem: nothing is written
    reason = reason.strip() if reason and reason.strip() else None
    force_reason = force_reason.strip() if force_reason and force_reason.strip() else None
    if force and force_reason is None:
        raise UsageError(
            "--force needs --reason TEXT: why the notice is recorded although a check failed",
            hint="The reason is kept with the notice and in the audit log.",
        )
    if paid is not None and withdrawn is not None:
        raise UsageError(
            "Give either --paid or --withdrawn when adding a notice, not both",
            hint="Add it with one, then `att penalty update ID` for the other.",
        )
    if (withdrawn is None) != (reason is None):
        raise UsageError(
            "--withdrawn and --reason go together",
            hint="Say when and why the notice was withdrawn: --withdrawn DATE --ground GROUND "
            "--reason TEXT.",
        )
    if withdrawn is not None:
        ground = _check_ground(ground)
    elif ground is not None:
        raise UsageError("--ground goes with --withdrawn", hint="Leave out --ground.")
    check_not_future(issued, "--issued", today)
    for day, option in ((paid, "--paid"), (withdrawn, "--withdrawn")):
        if day is not None:
            check_not_before_issue(day, option, issued)
            check_not_future(day, option, today)
    if amount_pence is not None and withdrawn is not None:
        raise UsageError("--amount is for notices still to pay or paid", hint="Leave out --amount.")
    method, served_on, received = _service(served_by, served, issued, today)
    start = received or issued
    pupil = find_pupil(store, upn)
    chosen = choose_parent(
        store, pupil, parent=parent, contact_id=contact_id, new_parent=new_parent
    )
    name = chosen.name
    with writing(store, LOCK_PENALTY_NOTICES):  # count the notices, then write
        rows = _notice_rows(store, pupil_id=pupil.id)
        assessment, warnings = _assess_for_new(
            rows, name=name, issued=issued, upn=pupil.upn, kind=kind
        )
        warnings.extend(chosen.warnings)
        offence = offence_sessions(
            store,
            pupil,
            kind=kind,
            issued=issued,
            offence_from=offence_from,
            offence_to=offence_to,
            sessions=sessions,
        )
        warnings.extend(offence.warnings)
        reused = reused_sessions(store, notices=rows, parent_name=name, sessions=offence.sessions)
        if reused:
            raise RefusedError(
                reused,
                hint="A notice is for particular sessions; give another offence period "
                "(--from/--to), or withdraw the other notice first if it was wrong.",
            )
        if offence.problems and not force:
            raise RefusedError(
                "This notice fails the checks: " + "; ".join(offence.problems),
                hint="`att penalty check` shows them. Record it anyway only with --force "
                "--reason TEXT (kept with the notice and audited).",
            )
        if offence.problems:
            warnings.append(
                "Recorded although it fails the checks (--force): " + "; ".join(offence.problems)
            )
        rates = assessment.rates
        number = assessment.notice_number
        if amount_pence is not None:
            warnings.extend(
                check_amount(
                    rates=rates,
                    issued=start,
                    notice_number=number,
                    paid=paid,
                    amount_pence=amount_pence,
                )
            )
            amount = amount_pence
        elif paid is not None:
            amount = payment_amount(rates, start, paid)
            warnings.extend(default_amount_note(rates, start, paid, amount))
        else:
            amount = rates.initial_pence
        if paid is not None:
            warnings.extend(payment_warnings(start, paid))
        warnings.extend(_receipt_warnings(method, served_on, received))
        outstanding = paid is None and withdrawn is None
        case_id = (
            ensure_open_case(store, pupil, officer, on=issued)
            if outstanding
            else open_case(store, pupil.id)
        )
        notice_reason_code = notice_reason(kind, [s.mark for s in offence.sessions])
        details = {
            "kind": kind,
            "reason": notice_reason_code,
            "contact_id": chosen.contact_id,
            "service_method": None if method is None else method.value,
            "served_on": served_on,
            "received_on": received,
            "offence_from": offence.offence_from,
            "offence_to": offence.offence_to,
            "force_reason": force_reason if offence.problems else None,
            "withdrawn_ground": ground,
        }
        notice_id = stored.insert_notice(
            store,
            pupil_id=pupil.id,
            case_id=case_id,
            parent_name=name,
            issued=issued,
            amount_pence=amount,
            paid=paid,
            withdrawn=withdrawn,
            withdrawn_reason=reason,
            officer=officer,
            **details,
        )
        session_ids = stored.insert_sessions(
            store,
            notice_id=notice_id,
            pupil_id=pupil.id,
            sessions=[(s.date, s.session, s.mark) for s in offence.sessions],
        )
        payment_id = None
        if paid is not None:
            payment_id = stored.insert_payment(
                store, notice_id=notice_id, paid_on=paid, amount_pence=amount, officer=officer
            )
        record_audit(
            store,
            officer=officer,
            action="add_penalty_notice",
            entity="penalty_notice",
            entity_id=notice_id,
            upn=pupil.upn,
            detail={
                "parent_name": name,
                "issued": issued,
                "notice_number": number,
                "amount_pence": amount,
                "paid": paid,
                "withdrawn": withdrawn,
                "withdrawn_reason": reason,
                "case_id": case_id,
                **details,
                "sessions": len(offence.sessions),
                "failed_checks": offence.problems,
                "no_copy_reason": no_copy_reason,
            },
        )
        _audit_rows(
            store,
            officer=officer,
            upn=pupil.upn,
            notice_id=notice_id,
            session_ids=session_ids,
            payment_id=payment_id,
        )
        if case_id is not None:
            insert_action(
                store,
                case_id,
                ACTION_KIND,
                action_description(notice_id, name, rates, start),
                officer,
                "LA",
                pay_by(start),
                None,
                officer,
                pupil.upn,
                penalty_notice_id=notice_id,
                on=issued,
            )
            if paid is not None:
                _settle_action(
                    store,
                    notice_id=notice_id,
                    status="done",
                    outcome=f"Paid {pounds(amount)} on {paid.isoformat()}",
                    officer=officer,
                    upn=pupil.upn,
                )
            elif withdrawn is not None:
                _settle_action(
                    store,
                    notice_id=notice_id,
                    status="cancelled",
                    outcome=f"Withdrawn on {withdrawn.isoformat()}: {reason}",
                    officer=officer,
                    upn=pupil.upn,
                )
        if copy is not None:
            from attendance_cli.letters.generate import file_notice_copy

            file_notice_copy(store, notice_id=notice_id, copy=copy, officer=officer)
            if withdrawn is not None:
                _withdraw_copies(
                    store,
                    notice_id=notice_id,
                    upn=pupil.upn,
                    officer=officer,
                    why=f"Penalty notice {notice_id} was withdrawn on {withdrawn:%d/%m/%Y}: "
                    f"{reason}",
                )
    return PenaltyResult(get_penalty_notice(store, notice_id, today=today), warnings)


def _withdraw_copies(store: Store, *, notice_id: int, upn: str, officer: str, why: str) -> None:
    """Mark the notice's filed copies withdrawn (``cases.documents.withdraw_document``'s write
    and audit entry, inside the caller's transaction): they stay in the case, listed as
    withdrawn, and go in no new referral bundle."""
    for found in notice_copies(store, [notice_id]).get(notice_id, []):
        if found.withdrawn:
            continue
        document = stored_cases.get_document(store, found.document_id)
        assert document is not None
        stored_cases.set_document_withdrawn(
            store, document_id=found.document_id, reason=why, officer=officer
        )
        record_audit(
            store,
            officer=officer,
            action="withdraw_document",
            entity="document",
            entity_id=found.document_id,
            upn=upn,
            detail={"reason": why, "file_name": document.document.file_name},
        )


def _one_row(store: Store, notice_id: int) -> tuple[StoredNotice, list[StoredNotice]]:
    found = _notice_rows(store, notice_id=notice_id)
    if not found:
        raise NotFoundError(
            f"No penalty notice with id {notice_id}",
            hint="`att penalty list --upn UPN` lists a pupil's notices with their ids.",
        )
    return found[0], _notice_rows(store, pupil_id=found[0].pupil_id)


def _audit_rows(
    store: Store,
    *,
    officer: str,
    upn: str,
    notice_id: int,
    session_ids: Sequence[int] = (),
    payment_id: int | None = None,
) -> None:
    """The audit entries for a notice's own rows (each session it is for, a payment): the log
    commits to every casework row (``cases.audited_tables``), so editing a notice's sessions or
    payments behind att's back fails ``att audit verify``."""
    for session_id in session_ids:
        record_audit(
            store,
            officer=officer,
            action="add_penalty_notice_session",
            entity="penalty_notice_session",
            entity_id=session_id,
            upn=upn,
            detail={"notice_id": notice_id},
        )
    if payment_id is not None:
        record_audit(
            store,
            officer=officer,
            action="add_penalty_payment",
            entity="penalty_payment",
            entity_id=payment_id,
            upn=upn,
            detail={"notice_id": notice_id},
        )


def record_penalty_payment(
    store: Store,
    *,
    notice_id: int,
    paid: dt.date,
    officer: str,
    amount_pence: int | None = None,
    part: bool = False,
    today: dt.date | None = None,
) -> PenaltyResult:
    """Record a payment: the whole amount due (defaulting from the framework), or with ``part``
    a part payment of ``amount_pence``. The notice is paid once the payments reach the amount
    due on the day of the last one (the reduced rate only if reached within its 21 days)."""
    today = today or dt.date.today()
    with writing(store, LOCK_PENALTY_NOTICES):  # count the notices, then write
        row, rows = _one_row(store, notice_id)
        if row.withdrawn is not None:
            raise RefusedError(
                f"Notice {notice_id} was withdrawn on {row.withdrawn.isoformat()}; a withdrawn "
                "notice cannot be paid",
                hint="Any money received must be returned to the parent.",
            )
        if row.paid is not None:
            raise RefusedError(
                f"Notice {notice_id} is already recorded as paid on {row.paid.isoformat()} "
                f"({pounds(row.amount_pence)}); nothing was changed",
                hint="Records are never overwritten; `att penalty correct` corrects a mistyped "
                "date (audited).",
            )
        check_not_before_issue(paid, "--paid", row.issued)
        check_not_future(paid, "--paid", today)
        earlier = stored.payments(store, [notice_id]).get(notice_id, [])
        if earlier and paid < earlier[-1].paid_on:
            raise InvalidInputError(
                f"--paid {paid.isoformat()} is before the last payment recorded "
                f"({earlier[-1].paid_on.isoformat()})",
                hint="Record payments in the order they were made.",
            )
        so_far = sum(p.amount_pence for p in earlier)
        number = _numbers(rows)[notice_id]
        rates = notice_rates(row, number)
        start = periods_start(row)
        due = payment_amount(rates, start, paid)
        remaining = due - so_far
        warnings: list[str] = []
        if part:
            if amount_pence is None:
                raise UsageError(
                    "--part needs --amount: how much was paid", hint="e.g. --part --amount 40"
                )
            if amount_pence > remaining:
                raise RefusedError(
                    f"{pounds(amount_pence)} is more than the {pounds(remaining)} still due on "
                    f"{paid.isoformat()} ({pounds(so_far)} paid so far)",
                    hint="Any overpayment is refunded outside att; record what settles it.",
                )
            amount = amount_pence
        elif earlier:
            if amount_pence is not None and amount_pence != remaining:
                raise RefusedError(
                    f"{pounds(amount_pence)} does not settle notice {notice_id}: "
                    f"{pounds(remaining)} is still due on {paid.isoformat()} "
                    f"({pounds(so_far)} paid so far of {pounds(due)})",
                    hint="Record a part payment with --part, or leave out --amount.",
                )
            amount = remaining
        elif amount_pence is not None:
            warnings.extend(
                check_amount(
                    rates=rates,
                    issued=start,
                    notice_number=number,
                    paid=paid,
                    amount_pence=amount_pence,
                )
            )
            amount = amount_pence
        else:
            amount = due
            warnings.extend(default_amount_note(rates, start, paid, amount))
        warnings.extend(payment_warnings(start, paid))
        payment_id = stored.insert_payment(
            store, notice_id=notice_id, paid_on=paid, amount_pence=amount, officer=officer
        )
        total = so_far + amount
        settled = total >= due or (not part and not earlier)
        if settled:
            stored.set_notice_paid(store, notice_id=notice_id, paid=paid, amount_pence=total)
        record_audit(
            store,
            officer=officer,
            action="record_penalty_payment",
            entity="penalty_notice",
            entity_id=notice_id,
            upn=row.upn,
            detail={
                "paid": paid,
                "amount_pence": amount,
                "part": part,
                "paid_so_far_pence": total,
                "settled": settled,
                "previous_amount_pence": row.amount_pence,
            },
        )
        _audit_rows(store, officer=officer, upn=row.upn, notice_id=notice_id, payment_id=payment_id)
        if settled:
            _settle_action(
                store,
                notice_id=notice_id,
                status="done",
                outcome=f"Paid {pounds(total)} on {paid.isoformat()}",
                officer=officer,
                upn=row.upn,
            )
        else:
            warnings.append(
                f"Part payment: {pounds(total)} paid of {pounds(due)} due on "
                f"{paid.isoformat()}; the notice stays unpaid until the rest is paid."
            )
    return PenaltyResult(get_penalty_notice(store, notice_id, today=today), warnings)


def _check_ground(ground: str | None) -> str:
    if ground is None or not ground.strip():
        raise UsageError(
            "Give the ground the notice was withdrawn on (SI 2007/1867 regs. 8 and 9)",
            hint="--ground " + " | ".join(WITHDRAWAL_GROUNDS) + ".",
        )
    key = ground.strip().lower()
    if key not in WITHDRAWAL_GROUNDS:
        raise UsageError(
            f"--ground {ground!r} is not a ground for withdrawing a notice",
            hint="Use one of: "
            + "; ".join(f"{k} ({v})" for k, v in WITHDRAWAL_GROUNDS.items())
            + ".",
        )
    return key


def _refuse_renumbering(store: Store, row: StoredNotice, withdrawn: dt.date) -> None:
    """A withdrawal dated before a later notice to the same parent was issued would rewrite
    that notice's number and rate (it was issued, and charged, while this one was live)."""
    if row.kind == EXCLUSION:
        return  # exclusion notices are not numbered
    same = [
        r
        for r in _notice_rows(store, pupil_id=row.pupil_id)
        if parent_key(r.parent_name) == parent_key(row.parent_name) and r.kind != EXCLUSION
    ]
    before = number_notices([_history(r) for r in same])
    after = number_notices(
        [NoticeHistory(r.id, r.issued, withdrawn if r.id == row.id else r.withdrawn) for r in same]
    )
    changed = [r for r in same if r.id != row.id and before[r.id] != after[r.id]]
    if changed:
        later = changed[0]
        raise RefusedError(
            f"Withdrawing notice {row.id} from {withdrawn.isoformat()} would make notice "
            f"{later.id} (issued {later.issued.isoformat()} while notice {row.id} stood) a "
            f"different notice number, changing what it charged; nothing was changed",
            hint=f"Give the date it was actually withdrawn (on or after "
            f"{later.issued.isoformat()}), or add a case note to correct the record.",
        )


def withdraw_penalty_notice(
    store: Store,
    *,
    notice_id: int,
    withdrawn: dt.date,
    reason: str,
    officer: str,
    ground: str | None = None,
    today: dt.date | None = None,
) -> PenaltyResult:
    """Record that a notice was withdrawn, on which ground (SI 2007/1867 regs. 8 and 9) and
    why; from that date it no longer counts towards the limit."""
    today = today or dt.date.today()
    if not reason or not reason.strip():
        raise UsageError(
            "Say why the notice was withdrawn", hint="Give --reason TEXT with --withdrawn."
        )
    reason = reason.strip()
    ground = _check_ground(ground)
    with writing(store, LOCK_PENALTY_NOTICES):  # count the notices, then write
        row, _ = _one_row(store, notice_id)
        if row.withdrawn is not None:
            raise RefusedError(
                f"Notice {notice_id} was already withdrawn on {row.withdrawn.isoformat()}; "
                "nothing was changed",
                hint="Records are never overwritten; add a case note if the record needs a "
                "correction.",
            )
        check_not_before_issue(withdrawn, "--withdrawn", row.issued)
        check_not_future(withdrawn, "--withdrawn", today)
        _refuse_renumbering(store, row, withdrawn)
        warnings: list[str] = []
        paid_so_far = sum(
            p.amount_pence for p in stored.payments(store, [notice_id]).get(notice_id, [])
        )
        if row.paid is None and paid_so_far:
            warnings.append(
                f"{pounds(paid_so_far)} was part paid towards notice {notice_id}: it must be "
                "returned to the parent."
            )
        if row.paid is not None:
            if withdrawn < row.paid:
                raise InvalidInputError(
                    f"--withdrawn {withdrawn.isoformat()} is before the notice was paid "
                    f"({row.paid.isoformat()}), but a withdrawn notice cannot be paid",
                    hint="Check the withdrawal date.",
                )
            warnings.append(
                f"Notice {notice_id} was paid ({pounds(row.amount_pence)} on "
                f"{row.paid.isoformat()}): the payment must be returned to the parent."
            )
        if row.prosecuted_on is not None:
            warnings.append(
                f"Notice {notice_id} was prosecuted on {row.prosecuted_on.isoformat()}: "
                "withdrawing it ends that prosecution (reg. 8); tell the court."
            )
        stored.set_notice_withdrawn(
            store, notice_id=notice_id, withdrawn=withdrawn, reason=reason, ground=ground
        )
        record_audit(
            store,
            officer=officer,
            action="withdraw_penalty_notice",
            entity="penalty_notice",
            entity_id=notice_id,
            upn=row.upn,
            detail={"withdrawn": withdrawn, "withdrawn_reason": reason, "withdrawn_ground": ground},
        )
        _settle_action(
            store,
            notice_id=notice_id,
            status="cancelled",
            outcome=f"Withdrawn on {withdrawn.isoformat()}: {reason}",
            officer=officer,
            upn=row.upn,
        )
        _withdraw_copies(
            store,
            notice_id=notice_id,
            upn=row.upn,
            officer=officer,
            why=f"Penalty notice {notice_id} was withdrawn on {withdrawn:%d/%m/%Y}: {reason}",
        )
    return PenaltyResult(get_penalty_notice(store, notice_id, today=today), warnings)


def update_penalty_notice(
    store: Store,
    *,
    notice_id: int,
    officer: str,
    paid: dt.date | None = None,
    amount_pence: int | None = None,
    withdrawn: dt.date | None = None,
    reason: str | None = None,
    ground: str | None = None,
    part: bool = False,
    today: dt.date | None = None,
) -> PenaltyResult:
    """Record payment (``paid``, optional ``amount_pence``, ``part`` for a part payment) or
    withdrawal (``withdrawn`` with ``ground`` and ``reason``) of an existing notice; one at a
    time."""
    if (paid is None) == (withdrawn is None):
        raise UsageError(
            "Say what happened to the notice: --paid DATE or --withdrawn DATE --reason TEXT",
            hint="Give one of them (record a payment and a later withdrawal as two updates).",
        )
    if paid is not None:
        if reason is not None or ground is not None:
            raise UsageError("--reason and --ground go with --withdrawn", hint="Leave them out.")
        return record_penalty_payment(
            store,
            notice_id=notice_id,
            paid=paid,
            officer=officer,
            amount_pence=amount_pence,
            part=part,
            today=today,
        )
    if part:
        raise UsageError("--part goes with --paid", hint="Leave out --part.")
    assert withdrawn is not None
    if amount_pence is not None:
        raise UsageError("--amount goes with --paid", hint="Leave out --amount.")
    return withdraw_penalty_notice(
        store,
        notice_id=notice_id,
        withdrawn=withdrawn,
        reason=reason or "",
        officer=officer,
        ground=ground,
        today=today,
    )


# ------------------------------------------------------------ prosecution and corrections

PROSECUTION_OUTCOMES = ("convicted", "acquitted", "withdrawn", "other")


def record_prosecution(
    store: Store,
    *,
    notice_id: int,
    officer: str,
    prosecuted_on: dt.date | None = None,
    outcome: str | None = None,
    outcome_on: dt.date | None = None,
    today: dt.date | None = None,
) -> PenaltyResult:
    """Record the prosecution of a parent for not paying (``prosecuted_on``: the day
    proceedings began), then its outcome (``outcome`` on ``outcome_on``). Proceedings cannot
    begin before the 28 days to pay have ended (reg. 7), nor for a paid or withdrawn notice."""
    today = today or dt.date.today()
    if prosecuted_on is None and outcome is None:
        raise UsageError(
            "Say what happened: --on DATE (proceedings began) and/or --outcome OUTCOME",
            hint="e.g. att penalty prosecute 3 --on 2025-12-01, later --outcome convicted "
            "--outcome-on 2026-02-10.",
        )
    if outcome is not None:
        outcome = outcome.strip().lower()
        if outcome not in PROSECUTION_OUTCOMES:
            raise UsageError(
                f"--outcome {outcome!r} is not an outcome",
                hint=f"Use one of: {', '.join(PROSECUTION_OUTCOMES)}.",
            )
        if outcome_on is None:
            raise UsageError("--outcome needs --outcome-on DATE", hint="When was it decided?")
    elif outcome_on is not None:
        raise UsageError("--outcome-on goes with --outcome", hint="Give the outcome too.")
    with writing(store, LOCK_PENALTY_NOTICES):
        row, _ = _one_row(store, notice_id)
        if row.paid is not None or row.withdrawn is not None:
            state = "paid" if row.paid is not None else "withdrawn"
            raise RefusedError(
                f"Notice {notice_id} is {state}: payment discharges the parent's liability and a "
                "withdrawn notice ends proceedings for the offence",
                hint="Only an unpaid notice, after its 28 days, leads to prosecution.",
            )
        values: dict[str, object] = {}
        if prosecuted_on is not None:
            if row.prosecuted_on is not None:
                raise RefusedError(
                    f"Notice {notice_id}'s prosecution is already recorded "
                    f"({row.prosecuted_on.isoformat()})",
                    hint="`att penalty correct` corrects a mistyped date (audited).",
                )
            check_not_future(prosecuted_on, "--on", today)
            last_day = pay_by(periods_start(row))
            if prosecuted_on <= last_day:
                raise RefusedError(
                    f"Proceedings cannot begin before the 28 days to pay end "
                    f"({last_day.isoformat()}; SI 2007/1867 reg. 7)",
                    hint=f"Record the prosecution from {(last_day + dt.timedelta(days=1)).isoformat()}.",
                )
            values["prosecuted_on"] = prosecuted_on
        begun = prosecuted_on or row.prosecuted_on
        if outcome is not None:
            assert outcome_on is not None
            if begun is None:
                raise RefusedError(
                    f"Notice {notice_id} has no prosecution recorded",
                    hint="Record it first with --on DATE.",
                )
            check_not_future(outcome_on, "--outcome-on", today)
            if outcome_on < begun:
                raise InvalidInputError(
                    f"--outcome-on {outcome_on.isoformat()} is before the prosecution began "
                    f"({begun.isoformat()})",
                    hint="Check the dates.",
                )
            values["prosecution_outcome"] = outcome
            values["prosecution_outcome_on"] = outcome_on
        stored.set_notice_fields(store, notice_id=notice_id, **values)
        record_audit(
            store,
            officer=officer,
            action="record_penalty_prosecution",
            entity="penalty_notice",
            entity_id=notice_id,
            upn=row.upn,
            detail=values,
        )
    return PenaltyResult(get_penalty_notice(store, notice_id, today=today), [])


CORRECTABLE = {
    "issued": "the issue date",
    "served": "the day it was handed over or posted",
    "paid": "the date of the last payment",
    "withdrawn": "the withdrawal date",
    "prosecuted": "the day proceedings began",
    "outcome": "the day the prosecution was decided",
}


def correct_penalty_date(
    store: Store,
    *,
    notice_id: int,
    field_name: str,
    to: dt.date,
    reason: str,
    officer: str,
    copy: NoticeCopy | None = None,
    today: dt.date | None = None,
) -> PenaltyResult:
    """Correct a mistyped date of a notice (``field_name``: one of ``CORRECTABLE``), with the
    reason; the old and new values are audited. The receipt day follows a corrected issue or
    service date; a correction that would make the record contradict itself is refused.

    The issue and service dates are on the notice's copy (the issue date, and the pay-by days
    counted from receipt): correcting either for a notice that has a copy files a new copy and
    withdraws the old one as superseded, in the same transaction (``copy`` is then needed;
    without it the correction is refused rather than leave the copy saying the old dates). A
    notice recorded without a copy (``no_copy_reason``) gets none."""
    today = today or dt.date.today()
    key = field_name.strip().lower()
    if key not in CORRECTABLE:
        raise UsageError(
            f"--field {field_name!r} is not a date att can correct",
            hint=f"Use one of: {', '.join(CORRECTABLE)}.",
        )
    if not reason or not reason.strip():
        raise UsageError("Say why the date is corrected", hint="Give --reason TEXT.")
    check_not_future(to, "--to", today)
    with writing(store, LOCK_PENALTY_NOTICES):
        row, rows = _one_row(store, notice_id)
        values: dict[str, object] = {}
        payment_id: int | None = None
        if key == "issued":
            old: dt.date | None = row.issued
            values["issued"] = to
            served_on = row.served_on
            if served_on is not None and served_on < to:
                raise InvalidInputError(
                    f"The notice was served on {served_on.isoformat()}, before {to.isoformat()}",
                    hint="Correct the service date too (--field served).",
                )
        elif key == "served":
            if row.service_method is None:
                raise RefusedError(
                    f"Notice {notice_id} has no service recorded to correct",
                    hint="Service is recorded when the notice is added (--served-by).",
                )
            old = row.served_on
            check_not_before_issue(to, "--to", row.issued)
            values["served_on"] = to
            values["received_on"] = received_on(to, ServiceMethod(row.service_method))
        elif key == "paid":
            paid = stored.payments(store, [notice_id]).get(notice_id, [])
            if not paid:
                raise RefusedError(
                    f"Notice {notice_id} has no payment to correct", hint="Record one first."
                )
            old = paid[-1].paid_on
            check_not_before_issue(to, "--to", row.issued)
            payment_id = paid[-1].id
            if row.paid is not None:
                values["paid"] = to
        elif key == "withdrawn":
            if row.withdrawn is None:
                raise RefusedError(f"Notice {notice_id} was not withdrawn", hint="Nothing to do.")
            old = row.withdrawn
            check_not_before_issue(to, "--to", row.issued)
            _refuse_renumbering(store, row, to)
            values["withdrawn"] = to
        elif key == "prosecuted":
            if row.prosecuted_on is None:
                raise RefusedError(
                    f"Notice {notice_id} has no prosecution recorded", hint="Nothing to do."
                )
            old = row.prosecuted_on
            values["prosecuted_on"] = to
        else:
            if row.prosecution_outcome_on is None:
                raise RefusedError(
                    f"Notice {notice_id} has no prosecution outcome recorded",
                    hint="Nothing to do.",
                )
            old = row.prosecution_outcome_on
            values["prosecution_outcome_on"] = to
        if old == to:
            raise UsageError(
                f"{CORRECTABLE[key].capitalize()} is already {to.isoformat()}",
                hint="Nothing to correct.",
            )
        if key == "issued":
            numbers_before = _numbers(rows)
            check = [
                NoticeHistory(r.id, to if r.id == notice_id else r.issued, r.withdrawn)
                for r in rows
                if r.kind != EXCLUSION and parent_key(r.parent_name) == parent_key(row.parent_name)
            ]
            after = number_notices(check)
            changed = [i for i, n in after.items() if numbers_before.get(i) != n]
            if changed or any(n is not None and n > MAX_NOTICES_IN_WINDOW for n in after.values()):
                raise RefusedError(
                    f"Moving notice {notice_id}'s issue date to {to.isoformat()} would change "
                    f"which notice is a first or second (notices {', '.join(map(str, changed))})",
                    hint="Withdraw the wrong notice and record it again instead.",
                )
        refile = key in ("issued", "served") and any(  # a notice with a copy (not --no-copy)
            not c.withdrawn or row.withdrawn is not None
            for c in notice_copies(store, [notice_id]).get(notice_id, [])
        )
        if refile and copy is None:
            raise UsageError(
                f"Notice {notice_id}'s filed copy shows {CORRECTABLE[key]}, which this "
                "corrects, and no new copy can be made here",
                hint="Correct it with `att penalty correct`, which files a new copy.",
            )
        if refile:
            from attendance_cli.letters.generate import check_notice_template

            assert copy is not None
            check_notice_template(copy)
        if values:
            stored.set_notice_fields(store, notice_id=notice_id, **values)
        if payment_id is not None:
            stored.set_payment_date(store, payment_id=payment_id, paid_on=to)
        record_audit(
            store,
            officer=officer,
            action="correct_penalty_date",
            entity="penalty_notice",
            entity_id=notice_id,
            upn=row.upn,
            detail={"field": key, "from": old, "to": to, "reason": reason.strip(), **values},
        )
        if payment_id is not None:  # the payment row's new date, committed to by its own entry
            record_audit(
                store,
                officer=officer,
                action="correct_penalty_payment_date",
                entity="penalty_payment",
                entity_id=payment_id,
                upn=row.upn,
                detail={"notice_id": notice_id, "from": old, "to": to},
            )
        if refile:
            from attendance_cli.letters.generate import file_notice_copy

            assert copy is not None
            _withdraw_copies(
                store,
                notice_id=notice_id,
                upn=row.upn,
                officer=officer,
                why=f"Superseded: penalty notice {notice_id}'s {CORRECTABLE[key]} was corrected "
                f"from {old:%d/%m/%Y} to {to:%d/%m/%Y} ({reason.strip()}); a new copy is filed",
            )
            file_notice_copy(store, notice_id=notice_id, copy=copy, officer=officer)
            if row.withdrawn is not None:  # the new copy is of a withdrawn notice too
                _withdraw_copies(
                    store,
                    notice_id=notice_id,
                    upn=row.upn,
                    officer=officer,
                    why=f"Penalty notice {notice_id} was withdrawn on "
                    f"{row.withdrawn:%d/%m/%Y}: {row.withdrawn_reason}",
                )
    return PenaltyResult(get_penalty_notice(store, notice_id, today=today), [])
