"""The readiness check for a legal referral: each item met, missing or not applicable.

Routes: ``penalty-notice`` (EA 1996 s.444A), ``prosecution`` (EA 1996 s.444(1)/(1A)), ``eso``
(education supervision order, Children Act 1989 s.36) and ``parenting-order`` (made on
conviction). How each item is decided (see also the README):

``attendance``        irregular attendance (prosecution, ESO, parenting order): the child's
                      attendance over the period below 90% — exactly 90% is not below
                      (``10·attended < 9·possible``) — with at least one unauthorised session.
                      For a penalty notice the figures are shown as evidence but are no test
                      (the test is the threshold and the LA's code of conduct: a 5-day holiday
                      leaves a child near 95%), so the item is not applicable there. Sessions
                      with no mark yet (``-``) are reported as missing data, never counted.
``penalty_threshold`` 10 or more unauthorised sessions within 10 school weeks, met at a session
                      in the period, counted over all the child's schools together (a move or
                      dual registration adds up; penalty notice).
``notice_limit``      no parent with parental responsibility has had two notices for this child
                      (not withdrawn) issued within the 3 years before today: a third is not
                      allowed (penalty notice). A parent with one gets £160 flat next.
``lead_practitioner`` the case has a current lead practitioner (every route).
``support``           at least one support action done with an outcome recorded.
``early_help``        early help offered: an ``early help assessment`` action, or any action
                      with the early help agency, in any status (a refusal is still an offer).
``formal_support``    an attendance contract, parenting contract or formal attendance meeting
                      done with its outcome recorded.
                      For a penalty notice whose sessions are all ``G`` (holiday not granted),
                      support first does not apply and these three items are not applicable
                      (the national framework's exception). The sessions a notice is for are
                      the unauthorised sessions of the 10-school-week window in which the
                      threshold was first met (``notice_sessions``): an earlier ``U`` outside
                      that window does not spoil the exception, a ``U`` inside it does.
``notice_to_improve`` (penalty notice) a notice to improve recorded — a letter made from the
                      ``notice-to-improve`` template, or a ``notice to improve`` action — whose
                      improvement period (``[letters] improvement_weeks``, 3 to 6 weeks) has
                      elapsed, with the attendance during the period shown; an elapsed period
                      with no unauthorised absence in it means attendance improved (missing:
                      no notice should follow). Not applicable for a holiday: the framework
                      says an NTI is not appropriate where the absence is a term-time holiday.
``warning_letters``   a dated warning letter to each parent with parental responsibility (or
                      whose responsibility is not recorded): a case document of kind ``letter``
                      whose description or file name says "warning" and names the parent (every
                      word of their name). A ``warning letter`` action naming a parent without
                      the letter attached is shown, but does not count (prosecution and
                      parenting order: the framework replaced the warning letter before a
                      penalty notice with the notice to improve).
``eso_considered``    an ``ESO application`` action in any status, or a case note mentioning an
                      education supervision order or "ESO": EA 1996 s.447 (prosecution,
                      parenting order).
``social_care``       children's social care consulted: an action with the social care
                      agency, or a lead from it. Before an ESO always (Children Act 1989
                      s.36(8)); on every route for a child with a child-protection or
                      child-in-need plan or a social worker (the roster's ``social_worker``:
                      CP, CIN, SW) or looked after (the framework: the social worker is
                      consulted before any legal intervention).
``prosecution``       a parenting order is made on conviction: a prosecution action recorded
                      and not cancelled (parenting order).
``medical_evidence``  when illness (``I``) is frequent — 10 or more sessions (5 school days) in
                      the period — a case document of kind ``medical``; not applicable otherwise.
``parents``           at least one parent with parental responsibility on record, each with a
                      name and an address (every route).
``siblings``          other pupils in the database sharing a parent (same name and address),
                      listed by name for the officer; always met. Never copied into a bundle.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from attendance_cli.analysis.dataset import Period
from attendance_cli.cases import kinds
from attendance_cli.cases.actions import ActionRecord
from attendance_cli.codes import Category
from attendance_cli.errors import UsageError
from attendance_cli.referrals.evidence import (
    HOLIDAY_CODE,
    ILLNESS_CODE,
    CaseFile,
    RegisterSession,
    gather_case_file,
    name_tokens,
    no_mark_yet,
    sessions_between,
)
from attendance_cli.text import plural

if TYPE_CHECKING:
    from attendance_cli.cases.penalty import PenaltyNoticeRecord
    from attendance_cli.store.connection import Store

MET, MISSING, NOT_APPLICABLE = "met", "missing", "not_applicable"
ILLNESS_FREQUENT_SESSIONS = 10  # 5 school days of illness in the period: ask for evidence
FORMAL_SUPPORT_KINDS = ("attendance contract", "parenting contract", "formal attendance meeting")


@dataclass(frozen=True)
class Route:
    name: str  # as typed: --route penalty-notice
    label: str
    law: str


ROUTES: dict[str, Route] = {
    r.name: r
    for r in (
        Route("penalty-notice", "Penalty notice", "Education Act 1996 s.444A"),
        Route(
            "prosecution",
            "Prosecution for failing to secure regular attendance",
            "Education Act 1996 s.444(1) / s.444(1A)",
        ),
        Route("eso", "Education supervision order", "Children Act 1989 s.36"),
        Route(
            "parenting-order",
            "Parenting order (on conviction)",
            "Crime and Disorder Act 1998 s.8; Education Act 1996 s.444",
        ),
    )
}


def find_route(name: str) -> Route:
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    if key not in ROUTES:
        raise UsageError(
            f"Unknown route {name!r}", hint=f"Use one of: {', '.join(ROUTES)} (--route)."
        )
    return ROUTES[key]


@dataclass(frozen=True)
class Evidence:
    kind: str  # figure, threshold, notice, lead, action, document, note, contact, sibling
    text: str
    date: dt.date | None = None
    ref: int | None = None  # the action, document, note or notice id


@dataclass
class CheckItem:
    id: str
    title: str
    status: str  # met, missing, not_applicable
    detail: str
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class ReferralCheck:
    case_file: CaseFile
    route: Route
    items: list[CheckItem]
    checked_on: dt.date

    @property
    def ready(self) -> bool:
        return not self.missing

    @property
    def missing(self) -> list[CheckItem]:
        return [item for item in self.items if item.status == MISSING]

    @property
    def period(self) -> Period:
        return self.case_file.period


def check_referral(
    db: Store,
    *,
    upn: str,
    route: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
    improvement_weeks: int | None = None,
) -> ReferralCheck:
    """Read the child's case file and check it for ``route`` (``improvement_weeks``: a notice to
    improve's improvement period, default ``[letters] improvement_weeks``)."""
    chosen = find_route(route)
    today = today or dt.date.today()
    case_file = gather_case_file(db, upn=upn, start=start, end=end, today=today)
    return assess(case_file, chosen, today=today, improvement_weeks=improvement_weeks)


def notice_sessions(case_file: CaseFile) -> list[RegisterSession]:
    """The sessions a penalty notice would be for: the unauthorised sessions of the window of
    10 school weeks in which the child first met the threshold (up to the session that met it);
    none when it was not met in the period."""
    p = case_file.penalty
    if p is None or not p.met_in_period or p.first_met_date is None:
        return []
    start = p.first_met_window_start or case_file.period.start
    return [
        s
        for s in sessions_between(case_file, start, p.first_met_date)
        if s.category == Category.UNAUTHORISED.value
        and (s.date, s.session) <= (p.first_met_date, p.first_met_session)
    ]


def is_holiday_only(sessions: list[RegisterSession]) -> bool:
    """The holiday exception: every unauthorised session the notice is for is ``G``."""
    return bool(sessions) and all(s.mark == HOLIDAY_CODE for s in sessions)


def assess(
    case_file: CaseFile,
    route: Route,
    *,
    today: dt.date,
    improvement_weeks: int | None = None,
) -> ReferralCheck:
    """The checklist for ``route`` over an already read case file (``improvement_weeks``: the
    NTI improvement period, default the settings')."""
    name = route.name
    holiday_only = name == "penalty-notice" and is_holiday_only(notice_sessions(case_file))
    if name == "penalty-notice" and not holiday_only and improvement_weeks is None:
        from attendance_cli.settings import improvement_weeks as configured_weeks
        from attendance_cli.settings import load_settings

        improvement_weeks = configured_weeks(load_settings())
    needs_social_care = name == "eso" or _social_care_involved(case_file)
    items = [
        _attendance(case_file, test=name != "penalty-notice"),
        _penalty_threshold(case_file) if name == "penalty-notice" else _na("penalty_threshold"),
        _notice_limit(case_file, today) if name == "penalty-notice" else _na("notice_limit"),
        _lead(case_file),
        _holiday("support") if holiday_only else _support(case_file),
        _holiday("early_help") if holiday_only else _early_help(case_file),
        _holiday("formal_support") if holiday_only else _formal_support(case_file),
        _notice_to_improve(case_file, today, holiday_only, improvement_weeks or 0)
        if name == "penalty-notice"
        else _na("notice_to_improve"),
        _warning_letters(case_file)
        if name in ("prosecution", "parenting-order")
        else _na(
            "warning_letters",
            "Not needed for this route."
            if name == "eso"
            else "The framework replaced the warning letter before a penalty notice with the "
            "notice to improve.",
        ),
        _eso(case_file) if name in ("prosecution", "parenting-order") else _na("eso_considered"),
        _social_care(case_file, route) if needs_social_care else _na("social_care"),
        _prosecution(case_file) if name == "parenting-order" else _na("prosecution"),
        _medical(case_file),
        _parents(case_file),
        _siblings(case_file),
    ]
    return ReferralCheck(case_file=case_file, route=route, items=items, checked_on=today)


TITLES = {
    "attendance": "Irregular attendance: below 90% in the period, with unauthorised absence",
    "notice_to_improve": "A notice to improve, its improvement period elapsed",
    "penalty_threshold": "Penalty-notice threshold: 10 unauthorised sessions in 10 school weeks",
    "notice_limit": "No more than one earlier notice to a parent for this child in 3 years",
    "lead_practitioner": "A lead practitioner",
    "support": "Support actions done, with outcomes",
    "early_help": "Early help offered",
    "formal_support": "Formal support tried (contract or formal attendance meeting), with outcome",
    "warning_letters": "A dated warning letter to each parent with parental responsibility",
    "eso_considered": "Education supervision order considered (EA 1996 s.447)",
    "social_care": "Children's social care consulted (Children Act 1989 s.36(8))",
    "prosecution": "Prosecution recorded (a parenting order follows conviction)",
    "medical_evidence": "Medical evidence where illness is frequent",
    "parents": "Parents' names and addresses on record",
    "siblings": "Siblings in the database",
}

_NOT_FOR_ROUTE = "Not needed for this route."


def _item(key: str, status: str, detail: str, evidence: list[Evidence] | None = None) -> CheckItem:
    return CheckItem(key, TITLES[key], status, detail, evidence or [])


def _na(key: str, detail: str = _NOT_FOR_ROUTE) -> CheckItem:
    return _item(key, NOT_APPLICABLE, detail)


def _holiday(key: str) -> CheckItem:
    return _na(
        key,
        "Every session the notice is for (the window that met the threshold) is term-time "
        "holiday (G): support first does not apply to a penalty notice for holiday.",
    )


def _pct(value: float | None) -> str:
    return "no possible sessions" if value is None else f"{value:.1f}%"


def _attendance(case_file: CaseFile, *, test: bool = True) -> CheckItem:
    """Irregular attendance (``test``), or for a penalty notice the figures as evidence only."""
    f = case_file.figures
    evidence = [
        Evidence(
            "figure",
            f"{e.school_name} ({e.laestab}): attended {e.period.attended} of {e.period.possible} "
            f"possible sessions ({_pct(e.period.attendance_pct)}); {e.period.authorised} "
            f"authorised, {e.period.unauthorised} unauthorised"
            + (f"; {no_mark_yet(e.period.missing)}" if e.period.missing else ""),
        )
        for e in case_file.enrolments
        if e.period.possible or e.period.missing
    ]
    text = (
        f"Attended {f.attended} of {f.possible} possible sessions ({_pct(f.attendance_pct)}) "
        f"from {f.start.isoformat()} to {f.end.isoformat()}; {f.unauthorised} unauthorised "
        f"sessions ({f.sessions_missed / 2:g} days missed in all)"
        + (f"; {no_mark_yet(f.missing)} (missing data, not counted)" if f.missing else "")
    )
    if not test:
        return _item(
            "attendance",
            NOT_APPLICABLE,
            f"{text}. Evidence only: the test for a penalty notice is the threshold and the "
            "LA's code of conduct, not a rate.",
            evidence,
        )
    if f.possible == 0:
        return _item("attendance", MISSING, "No possible sessions in the period.", evidence)
    below = 10 * f.attended < 9 * f.possible
    if not below:
        return _item("attendance", MISSING, f"{text}: not below 90%.", evidence)
    if f.unauthorised == 0:
        return _item(
            "attendance", MISSING, f"{text}: no unauthorised absence in the period.", evidence
        )
    return _item("attendance", MET, text + ".", evidence)


def _penalty_threshold(case_file: CaseFile) -> CheckItem:
    """The child's threshold over every school (``CaseFile.penalty``): a move mid-window or dual
    registration adds the schools' unauthorised sessions up."""
    p = case_file.penalty
    evidence = [
        Evidence(
            "figure",
            f"{e.school_name} ({e.laestab}): {e.period.unauthorised} unauthorised sessions in "
            "the period",
        )
        for e in case_file.enrolments
        if e.period.unauthorised
    ]
    if p is not None and p.met_in_period and p.first_met_date is not None:
        evidence.insert(
            0,
            Evidence(
                "threshold",
                f"{p.sessions} unauthorised sessions within {p.weeks} school weeks reached on "
                f"{p.first_met_date.isoformat()} {p.first_met_session} (window from "
                f"{p.first_met_window_start}, every school); {p.unauthorised_in_period} "
                "unauthorised in the period",
                p.first_met_date,
            ),
        )
        return _item("penalty_threshold", MET, "Threshold met in the period.", evidence)
    if p is not None:
        evidence.insert(
            0,
            Evidence(
                "threshold",
                f"Not met: {p.unauthorised_in_period} unauthorised sessions in the period, "
                f"{p.end_window_count} in the last {p.end_window_weeks} school weeks (every "
                "school)",
            ),
        )
    return _item(
        "penalty_threshold",
        MISSING,
        "Fewer than 10 unauthorised sessions within any 10 school weeks of the period.",
        evidence,
    )


def _notice_limit(case_file: CaseFile, today: dt.date) -> CheckItem:
    """No third notice within 3 years: the penalty module's rules (``cases.penalty``) applied to
    a notice issued today to each parent who has had one."""
    from attendance_cli.cases.penalty import describe_status
    from attendance_cli.cases.penalty_rules import (
        EXCLUSION,
        NoticeHistory,
        assess_notice,
        parent_key,
    )

    by_parent: dict[str, list[PenaltyNoticeRecord]] = {}
    evidence = []
    for notice in case_file.view.penalty_notices:
        issued = notice.issued
        counts = notice.counts_towards_limit
        what = "Exclusion notice" if notice.kind == EXCLUSION else "Notice"
        evidence.append(
            Evidence(
                "notice",
                f"{what} {notice.id} to {notice.parent_name}, issued {issued.isoformat()}: "
                f"{describe_status(notice)}"
                + ("" if counts else " (does not count towards the limit)"),
                issued,
                notice.id,
            )
        )
        if notice.kind != EXCLUSION:
            by_parent.setdefault(parent_key(notice.parent_name), []).append(notice)
    at_limit, second = [], []
    for notices in by_parent.values():
        name = notices[-1].parent_name
        assessment = assess_notice(
            issued=today,
            others=[NoticeHistory(n.id, n.issued, n.withdrawn) for n in notices],
        )
        if not assessment.allowed:
            possible = assessment.possible_from.isoformat() if assessment.possible_from else "?"
            at_limit.append(f"{name} (two notices in 3 years; next possible from {possible})")
        elif assessment.notice_number == 2:
            second.append(name)
    if at_limit:
        return _item(
            "notice_limit",
            MISSING,
            "A third notice within 3 years is not allowed for: "
            + "; ".join(at_limit)
            + ". Consider another route (usually prosecution).",
            evidence,
        )
    detail = "No parent has reached the limit." if by_parent else "No earlier notice counts."
    if second:
        detail += f" A notice now would be a second notice (£160 flat) for: {', '.join(second)}."
    elif by_parent:
        detail = "No earlier notice counts."
    return _item("notice_limit", MET, detail, evidence)


def _lead(case_file: CaseFile) -> CheckItem:
    lead = case_file.view.lead
    if lead is None:
        return _item(
            "lead_practitioner",
            MISSING,
            "No lead practitioner (att case set-lead).",
        )
    role = f", {lead.role}" if lead.role else ""
    return _item(
        "lead_practitioner",
        MET,
        f"{lead.name} ({lead.agency}{role})",
        [
            Evidence(
                "lead",
                f"{lead.name} ({lead.agency}{role}) since {(lead.set_on.isoformat() if lead.set_on else lead.set_at[:10])}",
            )
        ],
    )


def _action_evidence(case_file: CaseFile, action: ActionRecord) -> Evidence:
    from attendance_cli.cases.chronology import action_date

    meeting_dates = {m.id: m.date for m in case_file.view.meetings}
    outcome = f"; outcome: {action.outcome}" if action.outcome else ""
    return Evidence(
        "action",
        f"Action {action.id} ({action.kind}, {action.status}): {action.action}{outcome}",
        action_date(action, meeting_dates),
        action.id,
    )


def _support(case_file: CaseFile) -> CheckItem:
    support = [a for a in case_file.view.actions if a.tier == kinds.SUPPORT]
    done = [a for a in support if a.status == "done" and a.outcome]
    evidence = [_action_evidence(case_file, a) for a in support]
    if done:
        return _item(
            "support", MET, f"{plural(len(done), 'support action')} done with an outcome.", evidence
        )
    detail = (
        "No support action recorded."
        if not support
        else "Support actions recorded, but none done with an outcome (att case complete-action)."
    )
    return _item("support", MISSING, detail, evidence)


def _early_help(case_file: CaseFile) -> CheckItem:
    offered = [
        a
        for a in case_file.view.actions
        if a.kind == "early help assessment" or a.agency == "early help"
    ]
    evidence = [_action_evidence(case_file, a) for a in offered]
    lead = case_file.view.lead
    if lead is not None and lead.agency == "early help":
        evidence.append(Evidence("lead", f"Lead practitioner from early help: {lead.name}"))
    if evidence:
        return _item("early_help", MET, "Early help offered.", evidence)
    return _item(
        "early_help",
        MISSING,
        "No early help assessment or early help action recorded.",
    )


def _formal_support(case_file: CaseFile) -> CheckItem:
    formal = [a for a in case_file.view.actions if a.kind in FORMAL_SUPPORT_KINDS]
    done = [a for a in formal if a.status == "done" and a.outcome]
    evidence = [_action_evidence(case_file, a) for a in formal]
    if done:
        return _item(
            "formal_support",
            MET,
            f"{plural(len(done), 'formal support action')} done with an outcome.",
            evidence,
        )
    detail = (
        "No attendance contract, parenting contract or formal attendance meeting recorded."
        if not formal
        else "Formal support recorded, but none done with an outcome (att case complete-action)."
    )
    return _item("formal_support", MISSING, detail, evidence)


def _names(parent: str, text: str) -> bool:
    wanted = name_tokens(parent)
    return bool(wanted) and wanted <= name_tokens(text)


def _warning_letters(case_file: CaseFile) -> CheckItem:
    parents = case_file.parents
    if not parents:
        return _item(
            "warning_letters",
            MISSING,
            "No parent with parental responsibility on record to address a letter to.",
        )
    letters = [
        d
        for d in case_file.view.documents
        if d.kind == "letter"
        and d.withdrawn_at is None  # withdrawn: in no bundle, so no evidence
        and "warning" in name_tokens(f"{d.description or ''} {d.file_name}")
    ]
    letter_actions = [a for a in case_file.view.actions if a.kind == "warning letter"]
    evidence: list[Evidence] = []
    lacking: list[str] = []
    for parent in parents:
        own = [d for d in letters if _names(parent.name, f"{d.description or ''} {d.file_name}")]
        dated = [d for d in own if d.document_date is not None]
        for d in own:
            evidence.append(
                Evidence(
                    "document",
                    f"Warning letter to {parent.name}: document {d.id} {d.file_name}"
                    + ("" if d.document_date else " (undated)"),
                    d.document_date,
                    d.id,
                )
            )
        if dated:
            continue
        actions = [a for a in letter_actions if _names(parent.name, a.action)]
        if own:
            lacking.append(f"{parent.name}: the letter is not dated (attach it with --date)")
        elif actions:
            evidence += [_action_evidence(case_file, a) for a in actions]
            lacking.append(
                f"{parent.name}: warning letter action {actions[0].id} recorded but no copy of "
                "the letter attached (att case attach --kind letter --date ...)"
            )
        else:
            lacking.append(f"{parent.name}: no warning letter")
    if lacking:
        return _item("warning_letters", MISSING, "; ".join(lacking) + ".", evidence)
    return _item(
        "warning_letters",
        MET,
        f"A dated warning letter to each of {plural(len(parents), 'parent')}.",
        evidence,
    )


_ESO_WORDS = re.compile(r"\b(ESO|education supervision order)\b", re.IGNORECASE)


def _eso(case_file: CaseFile) -> CheckItem:
    actions = [a for a in case_file.view.actions if a.kind == "ESO application"]
    evidence = [_action_evidence(case_file, a) for a in actions]
    for note in case_file.view.notes:
        if _ESO_WORDS.search(note.text):
            evidence.append(
                Evidence(
                    "note",
                    f"Note: {note.text}",
                    note.happened_on,
                    note.id,
                )
            )
    if evidence:
        return _item(
            "eso_considered", MET, "An education supervision order was considered.", evidence
        )
    return _item(
        "eso_considered",
        MISSING,
        "No ESO application action or note about an ESO: the LA must consider one before "
        "prosecuting (EA 1996 s.447).",
    )


SOCIAL_WORKER_LABELS = {
    "CP": "a child-protection plan",
    "CIN": "a child-in-need plan",
    "SW": "a social worker",
}


def _social_care_involved(case_file: CaseFile) -> str | None:
    """Why children's social care must be consulted on any route: the child has a CP or CIN
    plan or a social worker, or is looked after; None when neither is recorded."""
    pupil = case_file.pupil
    reasons = []
    worker = (pupil.social_worker or "").strip().upper()
    if worker:
        reasons.append(SOCIAL_WORKER_LABELS.get(worker, "a social worker"))
    if pupil.looked_after:
        reasons.append("is looked after")
    if not reasons:
        return None
    return " and ".join(f"has {r}" if not r.startswith("is ") else r for r in reasons)


def _social_care(case_file: CaseFile, route: Route) -> CheckItem:
    actions = [a for a in case_file.view.actions if a.agency == "social care"]
    evidence = [_action_evidence(case_file, a) for a in actions]
    lead = case_file.view.lead
    if lead is not None and lead.agency == "social care":
        evidence.append(Evidence("lead", f"Lead practitioner from social care: {lead.name}"))
    why = _social_care_involved(case_file)
    reason = (
        f"the child {why}: their social worker must be consulted before legal action"
        if why
        else "the LA must consult them before applying for an ESO"
    )
    if evidence:
        return _item("social_care", MET, f"Children's social care involved ({reason}).", evidence)
    return _item(
        "social_care",
        MISSING,
        f"No action with children's social care: {reason} (record an action with "
        "--agency 'social care').",
    )


def _notice_to_improve(
    case_file: CaseFile, today: dt.date, holiday_only: bool, weeks: int
) -> CheckItem:
    """A notice to improve before a penalty notice (the national framework)."""
    if holiday_only:
        return _na(
            "notice_to_improve",
            "Every session the notice is for is a term-time holiday (G): a notice to improve "
            "is not appropriate (the national framework).",
        )
    from attendance_cli.analysis.figures import count_sessions
    from attendance_cli.cases.chronology import action_date

    meeting_dates = {m.id: m.date for m in case_file.view.meetings}
    given: list[tuple[dt.date, str, int, str]] = []  # (date, source, id, addressee)
    for letter in case_file.notices_to_improve:
        given.append((letter.letter_date, "letter", letter.id, letter.addressee))
    for action in case_file.view.actions:
        if action.kind == "notice to improve" and action.status != "cancelled":
            given.append((action_date(action, meeting_dates), "action", action.id, action.action))
    if not given:
        return _item(
            "notice_to_improve",
            MISSING,
            "No notice to improve recorded (att letter make notice-to-improve, or att case "
            "add-action --kind 'notice to improve'): the framework expects one before a "
            "penalty notice unless it is not appropriate (a holiday).",
        )
    evidence: list[Evidence] = []
    elapsed = []
    for day, source, ref, to in sorted(given):
        ends = day + dt.timedelta(weeks=weeks)
        possible = attended = unauthorised = 0
        for enrolment in case_file.enrolments:
            f = (
                count_sessions(
                    marks=enrolment.marks, start=day, end=min(ends, today) - dt.timedelta(days=1)
                )
                if min(ends, today) > day
                else None
            )
            if f is not None:
                possible += f.possible
                attended += f.attended
                unauthorised += f.unauthorised
        pct = f"{100 * attended / possible:.1f}%" if possible else "no possible sessions"
        what = "letter" if source == "letter" else "action"
        evidence.append(
            Evidence(
                "document" if source == "letter" else "action",
                f"Notice to improve ({what} {ref}, {to}) on {day.isoformat()}: improvement "
                f"period of {weeks} weeks to {(ends - dt.timedelta(days=1)).isoformat()}; "
                f"attended {attended} of {possible} possible sessions ({pct}), "
                f"{plural(unauthorised, 'unauthorised session')} in the period"
                + ("" if ends <= today else " so far"),
                day,
                ref,
            )
        )
        if ends <= today:
            elapsed.append((day, unauthorised))
    if not elapsed:
        last = max(day for day, *_ in given)
        return _item(
            "notice_to_improve",
            MISSING,
            f"The improvement period of the notice to improve of {last.isoformat()} has not "
            f"elapsed: it ends {(last + dt.timedelta(weeks=weeks, days=-1)).isoformat()}.",
            evidence,
        )
    day, unauthorised = elapsed[-1]
    if unauthorised == 0:
        return _item(
            "notice_to_improve",
            MISSING,
            f"No unauthorised absence in the improvement period of the notice to improve of "
            f"{day.isoformat()}: attendance improved, so no penalty notice should follow it.",
            evidence,
        )
    return _item(
        "notice_to_improve",
        MET,
        f"Notice to improve of {day.isoformat()}: its {weeks}-week improvement period has "
        f"elapsed with {plural(unauthorised, 'unauthorised session')} in it.",
        evidence,
    )


def _prosecution(case_file: CaseFile) -> CheckItem:
    actions = [
        a
        for a in case_file.view.actions
        if a.kind.startswith("prosecution") and a.status != "cancelled"
    ]
    evidence = [_action_evidence(case_file, a) for a in actions]
    if actions:
        return _item("prosecution", MET, "Prosecution recorded.", evidence)
    return _item("prosecution", MISSING, "No prosecution recorded.")


def _medical(case_file: CaseFile) -> CheckItem:
    illness = case_file.code_counts.get(ILLNESS_CODE, 0)
    if illness < ILLNESS_FREQUENT_SESSIONS:
        return _na(
            "medical_evidence",
            f"{illness} illness (I) sessions in the period: fewer than "
            f"{ILLNESS_FREQUENT_SESSIONS}.",
        )
    documents = [
        d for d in case_file.view.documents if d.kind == "medical" and d.withdrawn_at is None
    ]
    evidence = [
        Evidence("document", f"Medical document {d.id} {d.file_name}", d.document_date, d.id)
        for d in documents
    ]
    text = f"{illness} illness (I) sessions in the period ({illness / 2:g} days)"
    if documents:
        return _item("medical_evidence", MET, text + "; medical evidence attached.", evidence)
    return _item(
        "medical_evidence",
        MISSING,
        text + "; no medical evidence attached (att case attach --kind medical).",
    )


def _parents(case_file: CaseFile) -> CheckItem:
    parents = case_file.parents
    evidence = [
        Evidence(
            "contact",
            f"{p.name} ({p.relationship or 'relationship not recorded'}"
            + ("" if p.parental_responsibility else ", parental responsibility not recorded")
            + f"): {p.address or 'NO ADDRESS'}",
            ref=p.id,
        )
        for p in parents
    ]
    if not parents:
        return _item(
            "parents",
            MISSING,
            "No parent with parental responsibility on record (import a roster with parents).",
        )
    lacking = [p.name for p in parents if not (p.address and p.address.strip())]
    if lacking:
        return _item("parents", MISSING, f"No address for: {', '.join(lacking)}.", evidence)
    return _item(
        "parents", MET, f"{plural(len(parents), 'parent')} with name and address.", evidence
    )


def _siblings(case_file: CaseFile) -> CheckItem:
    names = case_file.siblings
    if not names:
        return _item("siblings", MET, "No siblings in the database.")
    return _item(
        "siblings",
        MET,
        f"{plural(len(names), 'sibling')} in the database: {', '.join(names)} (by name only; never in "
        "the bundle).",
        [Evidence("sibling", name) for name in names],
    )


def check_dict(check: ReferralCheck, *, include_siblings: bool = True) -> dict[str, object]:
    """The stable JSON form of ``att referral check`` (keys documented in the README)."""
    cf = check.case_file
    f = cf.figures
    items = [i for i in check.items if include_siblings or i.id != "siblings"]
    return {
        "upn": cf.pupil.upn,
        "surname": cf.pupil.surname,
        "forename": cf.pupil.forename,
        "route": check.route.name,
        "route_label": check.route.label,
        "law": check.route.law,
        "period": {
            "from": cf.period.start,
            "to": cf.period.end,
            "label": cf.period.label,
        },
        "checked_on": check.checked_on,
        "ready": check.ready,
        "missing": [i.id for i in check.missing],
        "figures": {
            "possible": f.possible,
            "attended": f.attended,
            "authorised": f.authorised,
            "unauthorised": f.unauthorised,
            "attendance_pct": f.attendance_pct,
            "absence_pct": f.absence_pct,
            "sessions_missed": f.sessions_missed,
            "days_missed": f.days_missed,
        },
        "items": [
            {
                "id": i.id,
                "title": i.title,
                "status": i.status,
                "detail": i.detail,
                "evidence": [
                    {"kind": e.kind, "text": e.text, "date": e.date, "ref": e.ref}
                    for e in i.evidence
                ],
            }
            for i in items
        ],
    }
