"""What a new penalty notice is checked against before it is recorded (issue 12): the parent it
is to (chosen from the pupil's recorded contacts), the sessions it is for, the child's
compulsory school age on them, the threshold, and sessions already used by another notice.

``cases.penalty`` calls these inside its write lock; ``att penalty check`` calls them to answer
without writing. A failed check is a *problem* (a sentence): ``att penalty add`` refuses a notice
with problems unless ``--force --reason TEXT`` (the reason is stored and audited).

Decisions (also in the README and docs/domain/penalty-notices.md):

- **Parent**: ``--parent NAME`` must be one of the pupil's recorded contacts with parental
  responsibility (or with it not recorded), compared as ``penalty_rules.parent_key`` does; the
  notice then stores the contact's id and the name as recorded. A name that is not recorded is
  accepted only with ``--new-parent`` (a parent not yet on record), and even then is refused
  when it looks like a recorded parent (same surname, first names that agree: "C Marsden" and
  "Claire Marsden"), since notices are counted per parent and a variant spelling would start a
  second count. ``--contact ID`` chooses the contact directly.
- **Sessions**: a notice is for the unauthorised sessions (G, N, O, U) in its offence period
  (``--from``/``--to``); without a period, the sessions of the 10 school weeks in which the child
  first met the threshold this academic year (``referrals.check.notice_sessions``). An exclusion
  notice is for the excluded (``E``) sessions of its period.
- **Threshold**: at least 10 of those sessions within 10 school weeks (a school week: a week
  with a session for the child); not for exclusion notices.
- **Compulsory school age**: the child must be of compulsory school age on every session
  (``analysis.school_age``); with no date of birth on record it cannot be checked (a warning).
- **Reuse**: a session already in a notice to the same parent for the same child (not
  withdrawn) cannot found another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from attendance_cli.cases.penalty_rules import (
    EXCLUSION,
    EXCLUSION_MARK,
    THRESHOLD_SESSIONS,
    THRESHOLD_WEEKS,
    UNAUTHORISED_MARKS,
    best_threshold_window,
    parent_key,
)
from attendance_cli.errors import InvalidInputError, NotFoundError, RefusedError, UsageError
from attendance_cli.store import penalties as stored
from attendance_cli.store.connection import Store

if TYPE_CHECKING:
    from attendance_cli.store.penalties import ParentContact
    from attendance_cli.store.registers import Pupil


# --------------------------------------------------------------------------------- parent


@dataclass(frozen=True)
class ChosenParent:
    name: str
    contact_id: int | None  # None: a parent not on record (--new-parent)
    warnings: tuple[str, ...] = ()


def _words(name: str) -> list[str]:
    return parent_key(name).split()


def looks_like(typed: str, recorded: str) -> bool:
    """Whether two different names could be the same parent: the same surname (last word) and
    first names that agree word by word, an initial agreeing with a name ("C Marsden" and
    "Claire Marsden"; "Claire Marsden" and "Claire Ann Marsden")."""
    a, b = _words(typed), _words(recorded)
    if len(a) < 2 or len(b) < 2 or a[-1] != b[-1]:
        return False
    for x, y in zip(a[:-1], b[:-1], strict=False):
        if x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y)):
            continue
        return False
    return True


def _describe(contact: ParentContact) -> str:
    relationship = f", {contact.relationship}" if contact.relationship else ""
    return f"{contact.name} (contact {contact.id}{relationship})"


def choose_parent(
    db: Store,
    pupil: Pupil,
    *,
    parent: str | None,
    contact_id: int | None = None,
    new_parent: bool = False,
) -> ChosenParent:
    """The parent a notice is to, from the pupil's recorded contacts (see the module
    docstring); UsageError/NotFoundError/RefusedError when it cannot be chosen."""
    contacts = stored.parent_contacts(db, pupil.id)
    with_pr = [c for c in contacts if c.parental_responsibility is not False]
    listed = "; ".join(_describe(c) for c in with_pr) or "none"
    if contact_id is not None:
        if parent is not None:
            raise UsageError(
                "Give --contact ID or --parent NAME, not both",
                hint="--contact chooses a recorded parent by id.",
            )
        found = next((c for c in contacts if c.id == contact_id), None)
        if found is None:
            raise NotFoundError(
                f"Contact {contact_id} is not a recorded parent or carer of {pupil.upn}",
                hint=f"Recorded parents with parental responsibility: {listed}.",
            )
        if found.parental_responsibility is False:
            raise RefusedError(
                f"{found.name} (contact {contact_id}) is recorded without parental "
                f"responsibility for {pupil.upn}",
                hint="Choose a parent with parental responsibility, or correct the roster.",
            )
        return ChosenParent(found.name, found.id)
    if parent is None or not parent.strip():
        raise UsageError(
            "A penalty notice needs the parent it is to",
            hint=f"Give --contact ID or --parent NAME (recorded parents: {listed}).",
        )
    name = " ".join(parent.split())
    key = parent_key(name)
    exact = [c for c in contacts if parent_key(c.name) == key]
    if exact:
        chosen = exact[0]
        if chosen.parental_responsibility is False and not new_parent:
            raise RefusedError(
                f"{chosen.name} is recorded without parental responsibility for {pupil.upn}",
                hint="If they are nonetheless a parent under EA 1996 s.576 (e.g. they have care "
                "of the child), add --new-parent to say so.",
            )
        return ChosenParent(chosen.name, chosen.id)
    similar = [c for c in contacts if looks_like(name, c.name)]
    if similar and not new_parent:
        raise RefusedError(
            f"{name!r} is not recorded for {pupil.upn}, but looks like "
            + " or ".join(_describe(c) for c in similar)
            + ": notices are counted per parent, so a variant spelling would count apart",
            hint=f"Give --contact {similar[0].id} (or the name as recorded). If this really is "
            "another person, add --new-parent.",
        )
    if not new_parent:
        raise RefusedError(
            f"{name!r} is not among the parents recorded for {pupil.upn} ({listed})",
            hint="Choose one with --contact ID, or add --new-parent for a parent not yet on "
            "record (import the roster's parents when you can).",
        )
    warnings = []
    if similar:
        warnings.append(
            f"{name!r} looks like {', '.join(_describe(c) for c in similar)}; recorded as "
            "another parent (--new-parent): their notices are counted apart."
        )
    return ChosenParent(name, None, tuple(warnings))


# ------------------------------------------------------------------------------- offence


@dataclass(frozen=True)
class OffenceSession:
    date: dt.date
    session: str  # AM / PM
    mark: str


@dataclass
class Offence:
    """The sessions a notice is for and what the checks found."""

    kind: str
    offence_from: dt.date | None
    offence_to: dt.date | None
    sessions: list[OffenceSession]
    threshold_count: int | None  # most sessions within 10 school weeks (None: exclusion)
    school_age_from: dt.date | None
    school_age_until: dt.date | None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def offence_sessions(
    db: Store,
    pupil: Pupil,
    *,
    kind: str,
    issued: dt.date,
    offence_from: dt.date | None = None,
    offence_to: dt.date | None = None,
    sessions: Sequence[tuple[dt.date, str]] | None = None,
) -> Offence:
    """The sessions a notice to ``pupil`` issued on ``issued`` is for, checked against the
    threshold and compulsory school age (problems listed, nothing raised for them).

    ``sessions`` (date, AM/PM) names them directly (a caller that already chose them, e.g. a
    school's request); else the period ``offence_from``..``offence_to``; else the window in
    which the threshold was first met this academic year."""
    from attendance_cli.analysis.school_age import (
        compulsory_school_age_from,
        compulsory_school_age_until,
    )
    from attendance_cli.codes import Category
    from attendance_cli.referrals.check import notice_sessions
    from attendance_cli.referrals.evidence import gather_case_file, sessions_between

    if (offence_from is None) != (offence_to is None):
        raise UsageError(
            "--from and --to go together (the offence period)",
            hint="Give both, e.g. --from 2025-10-13 --to 2025-10-17, or neither to use the 10 "
            "school weeks in which the threshold was met.",
        )
    if offence_from is not None and offence_to is not None:
        if offence_to < offence_from:
            raise InvalidInputError(
                f"--to {offence_to.isoformat()} is before --from {offence_from.isoformat()}",
                hint="The offence period runs from --from to --to.",
            )
        if offence_to > issued:
            raise InvalidInputError(
                f"The offence period ends {offence_to.isoformat()}, after the notice is issued "
                f"({issued.isoformat()})",
                hint="A notice is for absence that has happened.",
            )
    wanted = {(d, s.upper()) for d, s in sessions} if sessions else None
    if wanted:
        days = sorted(d for d, _ in wanted)
        offence_from, offence_to = days[0], days[-1]
    problems: list[str] = []
    warnings: list[str] = []
    case_file = gather_case_file(
        db, upn=pupil.upn, start=offence_from, end=offence_to, today=issued
    )
    marks_wanted = {EXCLUSION_MARK} if kind == EXCLUSION else UNAUTHORISED_MARKS
    if offence_from is None or offence_to is None:
        window = notice_sessions(case_file) if kind != EXCLUSION else []
        chosen = [OffenceSession(s.date, s.session, s.mark) for s in window]
        if chosen:
            offence_from, offence_to = chosen[0].date, chosen[-1].date
            marked = sessions_between(case_file, offence_from, offence_to)
        else:
            marked = []
            problems.append(
                "No offence period: the threshold (10 unauthorised sessions within 10 school "
                f"weeks) was not met in {case_file.period.label}"
                if kind != EXCLUSION
                else "An exclusion notice needs its date: give --from and --to"
            )
    else:
        marked = sessions_between(case_file, offence_from, offence_to)
        chosen = [
            OffenceSession(s.date, s.session, s.mark)
            for s in marked
            if s.mark in marks_wanted and (wanted is None or (s.date, s.session) in wanted)
        ]
        if wanted is not None:
            found = {(s.date, s.session) for s in chosen}
            absent = sorted(wanted - found)
            if absent:
                raise InvalidInputError(
                    f"{len(absent)} of the sessions given are not "
                    + ("excluded (E)" if kind == EXCLUSION else "unauthorised absence")
                    + " in the register: "
                    + ", ".join(f"{d.isoformat()} {s}" for d, s in absent[:5]),
                    hint="Give only sessions the register records with an unauthorised code "
                    "(G, N, O, U), or E for an exclusion notice.",
                )
        if not chosen:
            problems.append(
                f"No {'excluded (E)' if kind == EXCLUSION else 'unauthorised'} sessions in the "
                f"register from {offence_from.isoformat()} to {offence_to.isoformat()}"
            )
    count: int | None = None
    if kind != EXCLUSION:
        possible = {Category.PRESENT.value, Category.AEA.value}
        possible |= {Category.AUTHORISED.value, Category.UNAUTHORISED.value}
        school_weeks = {
            s.date - dt.timedelta(days=s.date.weekday()) for s in marked if s.category in possible
        }
        count = best_threshold_window([s.date for s in chosen], school_weeks)
        if chosen and count < THRESHOLD_SESSIONS:
            problems.append(
                f"Threshold not met: {count} unauthorised session{'' if count == 1 else 's'} "
                f"within {THRESHOLD_WEEKS} school weeks (the threshold is {THRESHOLD_SESSIONS})"
            )
    age_from = age_until = None
    dob = pupil.date_of_birth
    if dob is None:
        warnings.append(
            f"No date of birth is recorded for {pupil.upn}, so compulsory school age could not "
            "be checked (import a roster with DOB)."
        )
    else:
        age_from, age_until = compulsory_school_age_from(dob), compulsory_school_age_until(dob)
        young = [s for s in chosen if s.date < age_from]
        old = [s for s in chosen if s.date > age_until]
        if young or (not chosen and issued < age_from):
            problems.append(
                f"Below compulsory school age: born {dob.isoformat()}, the child reaches it on "
                f"{age_from.isoformat()} (the prescribed day on or after the fifth birthday)"
                + (f"; {len(young)} of the sessions are before that" if young else "")
            )
        if old:
            problems.append(
                f"Above compulsory school age: it ended {age_until.isoformat()} (the last Friday "
                f"in June of the school year the child turned 16); {len(old)} of the sessions "
                "are after that"
            )
    return Offence(
        kind=kind,
        offence_from=offence_from,
        offence_to=offence_to,
        sessions=chosen,
        threshold_count=count,
        school_age_from=age_from,
        school_age_until=age_until,
        problems=problems,
        warnings=warnings,
    )


def reused_sessions(
    db: Store,
    *,
    notices: Sequence[stored.StoredNotice],
    parent_name: str,
    sessions: Sequence[OffenceSession],
) -> str | None:
    """A refusal sentence when any of ``sessions`` is already in a notice (not withdrawn) to
    the same parent for the same child; None when none is."""
    key = parent_key(parent_name)
    live = [n.id for n in notices if n.withdrawn is None and parent_key(n.parent_name) == key]
    if not live or not sessions:
        return None
    taken = stored.notice_sessions(db, live)
    wanted = {(s.date, s.session) for s in sessions}
    for notice_id in live:
        again = sorted(wanted & {(t.session_date, t.session) for t in taken.get(notice_id, [])})
        if again:
            shown = ", ".join(f"{d.isoformat()} {s}" for d, s in again[:4])
            more = f" and {len(again) - 4} more" if len(again) > 4 else ""
            return (
                f"{len(again)} of these sessions ({shown}{more}) are already in notice "
                f"{notice_id} to {parent_name}: the same absence cannot found a second notice"
            )
    return None
