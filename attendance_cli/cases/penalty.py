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
  open case if there is one, and never opens a case.

Every change is written together with its audit entry in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from attendance_cli.cases.actions import end_action, insert_action
from attendance_cli.cases.audit import record_audit
from attendance_cli.cases.case import ensure_open_case, find_pupil, open_case
from attendance_cli.cases.penalty_rules import (
    ACTION_KIND,
    FULL_PENCE,
    MAX_NOTICES_IN_WINDOW,
    STATUSES,
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
    tidy_parent_name,
)
from attendance_cli.errors import InvalidInputError, NotFoundError, RefusedError, UsageError
from attendance_cli.store import LOCK_PENALTY_NOTICES, writing
from attendance_cli.store import cases as stored_cases
from attendance_cli.store import penalties as stored
from attendance_cli.store.connection import Store
from attendance_cli.store.penalties import StoredNotice

if TYPE_CHECKING:
    from attendance_cli.store.database import Database
    from attendance_cli.store.registers import Pupil

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


def describe_status(notice: PenaltyNoticeRecord) -> str:
    """A notice's amount and status in a sentence (``att penalty list``'s table)."""
    if notice.status == "paid":
        assert notice.paid is not None
        return f"{pounds(notice.amount_pence)} paid {notice.paid:%d/%m/%Y}"
    if notice.status == "withdrawn":
        assert notice.withdrawn is not None
        return f"withdrawn {notice.withdrawn:%d/%m/%Y}: {notice.withdrawn_reason}"
    if notice.status == "overdue":
        return (
            f"{pounds(notice.full_amount_pence)} unpaid after {notice.pay_by:%d/%m/%Y}: "
            "prosecute or withdraw"
        )
    if notice.reduced_amount_pence is not None:
        return (
            f"{pounds(notice.reduced_amount_pence)} by {notice.reduced_rate_until:%d/%m}, "
            f"{pounds(notice.full_amount_pence)} by {notice.pay_by:%d/%m/%Y}"
        )
    return f"{pounds(notice.full_amount_pence)} by {notice.pay_by:%d/%m/%Y}"


def describe_check(check: NoticeCheck) -> str:
    """The answer of ``att penalty check`` in a sentence."""
    when = check.on.isoformat()
    if not check.allowed:
        assert check.possible_from is not None
        return (
            f"No: a third notice to {check.parent_name} for {check.upn} on {when} is not "
            f"possible (notices {', '.join(map(str, check.counted_notice_ids))} count); "
            f"possible from {check.possible_from.isoformat()}."
        )
    rates = Rates(check.reduced_amount_pence, check.full_amount_pence)
    terms = payment_terms(rates, check.on, say_flat=True)
    which = {1: "first", 2: "second"}.get(check.notice_number or 0, "pre-framework")
    return f"Yes: a {which} notice to {check.parent_name} for {check.upn} on {when}: {terms}."


def _history(row: StoredNotice) -> NoticeHistory:
    return NoticeHistory(row.id, row.issued, row.withdrawn)


def _notice_rows(
    db: Database, *, pupil_id: int | None = None, notice_id: int | None = None
) -> list[StoredNotice]:
    return stored.notices(Store.of(db), pupil_id=pupil_id, notice_id=notice_id)


def _numbers(rows: Sequence[StoredNotice]) -> dict[int, int | None]:
    groups: dict[tuple[int, str], list[NoticeHistory]] = {}
    for row in rows:
        groups.setdefault((row.pupil_id, parent_key(row.parent_name)), []).append(_history(row))
    numbers: dict[int, int | None] = {}
    for group in groups.values():
        numbers.update(number_notices(group))
    return numbers


def _schools_at_issue(
    db: Database, rows: Sequence[StoredNotice]
) -> dict[int, list[tuple[str, str]]]:
    """Per notice id: (LAESTAB, name) of the schools the pupil was on roll at on the issue date;
    all the pupil's schools when no enrolment dates cover it."""
    enrolments = stored.enrolment_spans(Store.of(db), [r.pupil_id for r in rows])
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


def _status(row: StoredNotice, today: dt.date) -> str:
    if row.withdrawn is not None:
        return "withdrawn"
    if row.paid is not None:
        return "paid"
    return "overdue" if today > pay_by(row.issued) else "outstanding"


def _record(
    row: StoredNotice, number: int | None, schools: list[tuple[str, str]], today: dt.date
) -> PenaltyNoticeRecord:
    rates = rates_for(row.issued, number)
    status = _status(row, today)
    due: int | None = None
    if status in ("outstanding", "overdue"):
        due = payment_amount(rates, row.issued, today)
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
        counts_towards_limit=counts_at(_history(row), today),
        framework=in_framework(row.issued),
        amount_pence=row.amount_pence,
        amount_due_pence=due,
        reduced_amount_pence=rates.reduced_pence,
        full_amount_pence=rates.full_pence,
        reduced_rate_until=None if rates.reduced_pence is None else reduced_rate_until(row.issued),
        pay_by=pay_by(row.issued),
        status=status,
        paid=row.paid,
        withdrawn=row.withdrawn,
        withdrawn_reason=row.withdrawn_reason,
        case_id=row.case_id,
        created_at=row.created_at,
        officer=row.officer,
    )


def get_penalty_notice(
    db: Database, notice_id: int, *, today: dt.date | None = None
) -> PenaltyNoticeRecord:
    store = Store.of(db)
    found = _notice_rows(store, notice_id=notice_id)
    if not found:
        raise NotFoundError(
            f"No penalty notice with id {notice_id}",
            hint="`att penalty list --upn UPN` lists a pupil's notices with their ids.",
        )
    rows = _notice_rows(store, pupil_id=found[0].pupil_id)
    row = next(r for r in rows if r.id == notice_id)
    return _record(
        row,
        _numbers(rows)[notice_id],
        _schools_at_issue(store, [row])[notice_id],
        today or dt.date.today(),
    )


def list_penalty_notices(
    db: Database,
    *,
    school: str | None = None,
    upn: str | None = None,
    status: str | None = None,
    today: dt.date | None = None,
) -> list[PenaltyNoticeRecord]:
    """Notices, oldest first: all, or a pupil's (``upn``), or those of pupils on roll at
    ``school`` on the issue date (LAESTAB or part of the name); ``status`` filters."""
    store = Store.of(db)
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
    numbers = _numbers(rows)
    schools = _schools_at_issue(store, rows)
    records = [_record(r, numbers[r.id], schools[r.id], today) for r in rows]
    return [
        r
        for r in records
        if (laestab is None or laestab in r.schools) and (status is None or r.status == status)
    ]


# ---------------------------------------------------------------------------------- checks


def _contact_warning(db: Database, pupil: Pupil, name: str) -> str | None:
    contacts = stored.parent_contacts(Store.of(db), pupil.id)
    if not contacts:
        return (
            f"No parents or carers are recorded for {pupil.upn}, so {name!r} could not be "
            "checked (import a roster with Parent columns)."
        )
    if any(parent_key(c.name) == parent_key(name) for c in contacts):
        return None
    known = "; ".join(
        f"{c.name} ({c.relationship})" if c.relationship else c.name for c in contacts
    )
    return (
        f"{name!r} is not among the parents and carers recorded for {pupil.upn}: {known}. "
        "Check the spelling: notices are counted per parent by name."
    )


def _assess_for_new(
    rows: Sequence[StoredNotice], *, name: str, issued: dt.date, upn: str
) -> tuple[Assessment, list[str]]:
    """The framework for a new notice given the pupil's notices (refusals raised)."""
    key = parent_key(name)
    same = [r for r in rows if parent_key(r.parent_name) == key]
    for r in same:
        if r.issued == issued and r.withdrawn is None:
            raise RefusedError(
                f"Notice {r.id} to {r.parent_name} for {upn} issued on {issued.isoformat()} is "
                "already recorded",
                hint="`att penalty list --upn UPN` shows it; record payment or withdrawal with "
                "`att penalty update ID`.",
            )
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


def check_penalty_notice(
    db: Database,
    *,
    upn: str,
    parent: str,
    on: dt.date | None = None,
    today: dt.date | None = None,
) -> NoticeCheck:
    """Whether a notice to ``parent`` for ``upn`` could be issued on ``on`` (default today), and
    at what rate; nothing is written."""
    store = Store.of(db)
    on = on or today or dt.date.today()
    name = tidy_parent_name(parent)
    pupil = find_pupil(store, upn)
    rows = _notice_rows(store, pupil_id=pupil.id)
    same = [_history(r) for r in rows if parent_key(r.parent_name) == parent_key(name)]
    assessment = assess_notice(issued=on, others=same)
    warnings = framework_warnings(assessment, name) if assessment.allowed else []
    contact = _contact_warning(store, pupil, name)
    if contact:
        warnings.append(contact)
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
    )


# ---------------------------------------------------------------------------------- changes


def _settle_action(
    db: Database,
    *,
    notice_id: int,
    status: str,
    outcome: str,
    officer: str,
    upn: str,
) -> None:
    """Mark the notice's action done (paid) or cancelled (withdrawn), inside the caller's
    transaction; an action the officer already ended is left alone."""
    store = Store.of(db)
    action_id = stored_cases.agreed_action_of_notice(store, notice_id)
    if action_id is None:
        return
    end_action(store, action_id=action_id, status=status, outcome=outcome, officer=officer, upn=upn)


def add_penalty_notice(
    db: Database,
    *,
    upn: str,
    parent: str,
    issued: dt.date,
    officer: str,
    amount_pence: int | None = None,
    paid: dt.date | None = None,
    withdrawn: dt.date | None = None,
    reason: str | None = None,
    today: dt.date | None = None,
) -> PenaltyResult:
    """Record a penalty notice, enforcing the national framework (see the module docstring);
    optionally already paid or withdrawn."""
    store = Store.of(db)
    today = today or dt.date.today()
    name = tidy_parent_name(parent)
    reason = reason.strip() if reason and reason.strip() else None
    if paid is not None and withdrawn is not None:
        raise UsageError(
            "Give either --paid or --withdrawn when adding a notice, not both",
            hint="Add it with one, then `att penalty update ID` for the other.",
        )
    if (withdrawn is None) != (reason is None):
        raise UsageError(
            "--withdrawn and --reason go together",
            hint="Say when and why the notice was withdrawn: --withdrawn DATE --reason TEXT.",
        )
    check_not_future(issued, "--issued", today)
    for day, option in ((paid, "--paid"), (withdrawn, "--withdrawn")):
        if day is not None:
            check_not_before_issue(day, option, issued)
            check_not_future(day, option, today)
    if amount_pence is not None and withdrawn is not None:
        raise UsageError("--amount is for notices still to pay or paid", hint="Leave out --amount.")
    pupil = find_pupil(store, upn)
    with writing(store, LOCK_PENALTY_NOTICES):  # count the notices, then write
        rows = _notice_rows(store, pupil_id=pupil.id)
        assessment, warnings = _assess_for_new(rows, name=name, issued=issued, upn=pupil.upn)
        rates = assessment.rates
        number = assessment.notice_number
        if amount_pence is not None:
            warnings.extend(
                check_amount(
                    rates=rates,
                    issued=issued,
                    notice_number=number,
                    paid=paid,
                    amount_pence=amount_pence,
                )
            )
            amount = amount_pence
        elif paid is not None:
            amount = payment_amount(rates, issued, paid)
            warnings.extend(default_amount_note(rates, issued, paid, amount))
        else:
            amount = rates.initial_pence
        if paid is not None:
            warnings.extend(payment_warnings(issued, paid))
        contact = _contact_warning(store, pupil, name)
        if contact:
            warnings.append(contact)
        outstanding = paid is None and withdrawn is None
        case_id = (
            ensure_open_case(store, pupil, officer) if outstanding else open_case(store, pupil.id)
        )
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
            },
        )
        if case_id is not None:
            insert_action(
                store,
                case_id,
                ACTION_KIND,
                action_description(notice_id, name, rates, issued),
                officer,
                "LA",
                pay_by(issued),
                None,
                officer,
                pupil.upn,
                penalty_notice_id=notice_id,
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
    return PenaltyResult(get_penalty_notice(store, notice_id, today=today), warnings)


def _one_row(db: Database, notice_id: int) -> tuple[StoredNotice, list[StoredNotice]]:
    store = Store.of(db)
    found = _notice_rows(store, notice_id=notice_id)
    if not found:
        raise NotFoundError(
            f"No penalty notice with id {notice_id}",
            hint="`att penalty list --upn UPN` lists a pupil's notices with their ids.",
        )
    return found[0], _notice_rows(store, pupil_id=found[0].pupil_id)


def record_penalty_payment(
    db: Database,
    *,
    notice_id: int,
    paid: dt.date,
    officer: str,
    amount_pence: int | None = None,
    today: dt.date | None = None,
) -> PenaltyResult:
    """Record that a notice was paid (the amount defaults from the framework)."""
    store = Store.of(db)
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
                hint="Records are never overwritten; add a case note if the record needs a "
                "correction.",
            )
        check_not_before_issue(paid, "--paid", row.issued)
        check_not_future(paid, "--paid", today)
        number = _numbers(rows)[notice_id]
        rates = rates_for(row.issued, number)
        warnings: list[str] = []
        if amount_pence is not None:
            warnings.extend(
                check_amount(
                    rates=rates,
                    issued=row.issued,
                    notice_number=number,
                    paid=paid,
                    amount_pence=amount_pence,
                )
            )
            amount = amount_pence
        else:
            amount = payment_amount(rates, row.issued, paid)
            warnings.extend(default_amount_note(rates, row.issued, paid, amount))
        warnings.extend(payment_warnings(row.issued, paid))
        stored.set_notice_paid(store, notice_id=notice_id, paid=paid, amount_pence=amount)
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
                "previous_amount_pence": row.amount_pence,
            },
        )
        _settle_action(
            store,
            notice_id=notice_id,
            status="done",
            outcome=f"Paid {pounds(amount)} on {paid.isoformat()}",
            officer=officer,
            upn=row.upn,
        )
    return PenaltyResult(get_penalty_notice(store, notice_id, today=today), warnings)


def _refuse_renumbering(db: Database, row: StoredNotice, withdrawn: dt.date) -> None:
    """A withdrawal dated before a later notice to the same parent was issued would rewrite
    that notice's number and rate (it was issued, and charged, while this one was live)."""
    store = Store.of(db)
    same = [
        r
        for r in _notice_rows(store, pupil_id=row.pupil_id)
        if parent_key(r.parent_name) == parent_key(row.parent_name)
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
    db: Database,
    *,
    notice_id: int,
    withdrawn: dt.date,
    reason: str,
    officer: str,
    today: dt.date | None = None,
) -> PenaltyResult:
    """Record that a notice was withdrawn; from that date it no longer counts towards the limit."""
    store = Store.of(db)
    today = today or dt.date.today()
    if not reason or not reason.strip():
        raise UsageError(
            "Say why the notice was withdrawn", hint="Give --reason TEXT with --withdrawn."
        )
    reason = reason.strip()
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
        stored.set_notice_withdrawn(store, notice_id=notice_id, withdrawn=withdrawn, reason=reason)
        record_audit(
            store,
            officer=officer,
            action="withdraw_penalty_notice",
            entity="penalty_notice",
            entity_id=notice_id,
            upn=row.upn,
            detail={"withdrawn": withdrawn, "withdrawn_reason": reason},
        )
        _settle_action(
            store,
            notice_id=notice_id,
            status="cancelled",
            outcome=f"Withdrawn on {withdrawn.isoformat()}: {reason}",
            officer=officer,
            upn=row.upn,
        )
    return PenaltyResult(get_penalty_notice(store, notice_id, today=today), warnings)


def update_penalty_notice(
    db: Database,
    *,
    notice_id: int,
    officer: str,
    paid: dt.date | None = None,
    amount_pence: int | None = None,
    withdrawn: dt.date | None = None,
    reason: str | None = None,
    today: dt.date | None = None,
) -> PenaltyResult:
    """Record payment (``paid``, optional ``amount_pence``) or withdrawal (``withdrawn`` with
    ``reason``) of an existing notice; one at a time."""
    store = Store.of(db)
    if (paid is None) == (withdrawn is None):
        raise UsageError(
            "Say what happened to the notice: --paid DATE or --withdrawn DATE --reason TEXT",
            hint="Give one of them (record a payment and a later withdrawal as two updates).",
        )
    if paid is not None:
        if reason is not None:
            raise UsageError("--reason goes with --withdrawn", hint="Leave out --reason.")
        return record_penalty_payment(
            store,
            notice_id=notice_id,
            paid=paid,
            officer=officer,
            amount_pence=amount_pence,
            today=today,
        )
    assert withdrawn is not None
    if amount_pence is not None:
        raise UsageError("--amount goes with --paid", hint="Leave out --amount.")
    return withdraw_penalty_notice(
        store,
        notice_id=notice_id,
        withdrawn=withdrawn,
        reason=reason or "",
        officer=officer,
        today=today,
    )
