"""Agreed actions of the graduated approach: record, complete, read.

Action status ``overdue`` is derived here: agreed, with a due date before today. An action is
never deleted: it ends done or cancelled with an outcome.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from attendance_cli.cases import kinds
from attendance_cli.cases.audit import record_audit
from attendance_cli.cases.case import casework_day, ensure_open_case, find_pupil
from attendance_cli.cases.leads import current_lead
from attendance_cli.errors import InvalidInputError, NotFoundError, RefusedError
from attendance_cli.store import LOCK_CASE_ACTIONS, transaction, writing
from attendance_cli.store import cases as stored
from attendance_cli.store.cases import ActionRecord
from attendance_cli.store.connection import Store

__all__ = [
    "ActionDefaults",
    "ActionRecord",
    "action_defaults",
    "add_action",
    "complete_action",
    "get_action",
    "insert_action",
    "list_actions",
    "with_derived_status",
]

REVIEW_WEEKS = 6  # the usual interval before an agreed action is reviewed


def with_derived_status(action: ActionRecord, today: dt.date) -> ActionRecord:
    """``overdue`` for an action still agreed whose due date is before ``today``."""
    if action.status == "agreed" and action.due is not None and action.due < today:
        return dataclasses.replace(action, status="overdue")
    return action


def get_action(db: Store, action_id: int, *, today: dt.date | None = None) -> ActionRecord:
    found = stored.get_action(db, action_id)
    if found is None:
        raise NotFoundError(
            f"No action with id {action_id}", hint="`att case show UPN` lists a pupil's actions."
        )
    return with_derived_status(found, today or dt.date.today())


def list_actions(db: Store, *, case_id: int, today: dt.date | None = None) -> list[ActionRecord]:
    day = today or dt.date.today()
    return [with_derived_status(a, day) for a in stored.actions_of_case(db, case_id)]


@dataclass(frozen=True)
class ActionDefaults:
    """What ``att case add-action`` offers when it asks on a terminal."""

    owner: str  # the case's current lead practitioner, else empty
    agency: str  # the lead's agency, else the school
    due: dt.date  # the review date: REVIEW_WEEKS from today


def action_defaults(store: Store, *, upn: str, today: dt.date | None = None) -> ActionDefaults:
    """The defaults for a new action for ``upn`` (NotFoundError for an unknown pupil)."""
    pupil = find_pupil(store, upn)
    case_id = stored.latest_case_id(store, pupil.id)
    lead = current_lead(store, case_id) if case_id is not None else None
    return ActionDefaults(
        owner=lead.name if lead else "",
        agency=lead.agency if lead else "school",
        due=(today or dt.date.today()) + dt.timedelta(weeks=REVIEW_WEEKS),
    )


def add_action(
    store: Store,
    *,
    upn: str,
    kind: str,
    action: str,
    officer: str,
    owner: str | None = None,
    agency: str | None = None,
    due: dt.date | None = None,
    meeting_id: int | None = None,
    on: dt.date | None = None,
    today: dt.date | None = None,
) -> ActionRecord:
    """Record an agreed action, agreed on ``on`` (default: its meeting's date, else today);
    opens a case when the pupil has none open."""
    pupil = find_pupil(store, upn)
    day = casework_day(on, today=today)
    found_kind = kinds.choose(kind, kinds.KINDS, "kind of action", "--kind")
    if found_kind is None:
        raise InvalidInputError(
            "An action needs a kind",
            hint=f"Use one of: {', '.join(kinds.AGREEABLE_KINDS)} (--kind).",
        )
    if found_kind in kinds.RECORDED_ELSEWHERE:
        raise RefusedError(
            f"A {found_kind} is recorded with its own command, which applies its rules",
            hint=f"Use `{kinds.RECORDED_ELSEWHERE[found_kind]}`.",
        )
    if not action or not action.strip():
        raise InvalidInputError(
            "An action needs a description", hint="Say what was agreed (--action)."
        )
    found_agency = kinds.choose(agency, kinds.AGENCIES, "agency", "--agency")
    if meeting_id is not None and not stored.meeting_exists(store, meeting_id):
        raise NotFoundError(
            f"No meeting with id {meeting_id}",
            hint="`att tsm record` creates a meeting and prints its id.",
        )
    if meeting_id is not None:
        meeting = stored.meetings(store, [meeting_id])[0]
        if on is None:
            day = meeting.date  # agreed in the meeting
        elif on != meeting.date:
            from attendance_cli.text import uk_date

            raise InvalidInputError(
                f"Meeting {meeting_id} was on {uk_date(meeting.date)}, not {uk_date(on)}",
                hint="An action agreed in a meeting is dated by the meeting: leave out --on.",
            )
    with transaction(store):
        case_id = ensure_open_case(store, pupil, officer, on=day)
        action_id = insert_action(
            store,
            case_id,
            found_kind,
            action.strip(),
            owner,
            found_agency,
            due,
            meeting_id,
            officer,
            pupil.upn,
            on=day,
        )
    return get_action(store, action_id)


def insert_action(
    store: Store,
    case_id: int,
    kind: str,
    description: str,
    owner: str | None,
    agency: str | None,
    due: dt.date | None,
    meeting_id: int | None,
    officer: str,
    upn: str,
    *,
    penalty_notice_id: int | None = None,
    on: dt.date | None = None,
) -> int:
    """Insert an action agreed on ``on`` (default today) inside the caller's transaction, with
    its audit entry."""
    day = on or dt.date.today()
    action_id = stored.insert_action(
        store,
        case_id=case_id,
        tier=kinds.TIER_OF_KIND[kind],
        kind=kind,
        description=description,
        owner=owner,
        agency=agency,
        due=due,
        meeting_id=meeting_id,
        officer=officer,
        on=day,
        penalty_notice_id=penalty_notice_id,
    )
    record_audit(
        store,
        officer=officer,
        action="add_action",
        entity="action",
        entity_id=action_id,
        upn=upn,
        detail={
            "kind": kind,
            "action": description,
            "owner": owner,
            "agency": agency,
            "due": due,
            "meeting_id": meeting_id,
            "happened_on": day,
        },
    )
    return action_id


def end_action(
    store: Store,
    *,
    action_id: int,
    status: str,
    outcome: str,
    officer: str,
    upn: str,
    on: dt.date | None = None,
) -> None:
    """Mark an action done or cancelled on ``on`` (default today) with its audit entry, inside
    the caller's block."""
    day = on or dt.date.today()
    stored.set_action_ended(store, action_id=action_id, status=status, outcome=outcome, on=day)
    record_audit(
        store,
        officer=officer,
        action=f"action_{status}",
        entity="action",
        entity_id=action_id,
        upn=upn,
        detail={"outcome": outcome, "happened_on": day},
    )


def complete_action(
    store: Store,
    *,
    action_id: int,
    outcome: str,
    officer: str,
    status: str = "done",
    on: dt.date | None = None,
    today: dt.date | None = None,
) -> ActionRecord:
    if status not in ("done", "cancelled"):
        raise InvalidInputError(
            f"Status {status!r} cannot end an action",
            hint="Use --status done or --status cancelled.",
        )
    if not outcome or not outcome.strip():
        raise InvalidInputError("Say what came of the action", hint="Give --outcome TEXT.")
    with writing(store, LOCK_CASE_ACTIONS):  # check it is still agreed, then end it
        current = get_action(store, action_id)
        if current.status in ("done", "cancelled"):
            raise RefusedError(
                f"Action {action_id} is already {current.status}",
                hint="Record a new action for further work (att case add-action).",
            )
        day = casework_day(on, today=today)
        if day < current.agreed_on:
            from attendance_cli.text import uk_date

            raise InvalidInputError(
                f"Action {action_id} was agreed on {uk_date(current.agreed_on)}: it cannot end "
                f"on {uk_date(day)}",
                hint=f"Give --on a date on or after {uk_date(current.agreed_on)}.",
            )
        end_action(
            store,
            action_id=action_id,
            status=status,
            outcome=outcome.strip(),
            officer=officer,
            upn=current.upn,
            on=day,
        )
    return get_action(store, action_id)
