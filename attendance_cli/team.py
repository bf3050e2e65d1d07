"""The team on a shared database (issue 16): who the officers are, which school and which case
is whose, and the PostgreSQL roles that say what each may do.

**Who did it.** On PostgreSQL the officer att records (audit log, casework) is the database role
the officer connects as (``current_user``): not a claimed name, so ``--officer``/``ATT_OFFICER``
cannot put someone else's name on a change (``config.officer_name``). The ``officer`` table gives
each role a display name for listings. On SQLite nothing changes: the name is --officer,
ATT_OFFICER or the OS user.

**Allocation.** Each school has one allocated officer (its named LA contact: the DfE's Working
together to improve school attendance (2024) expects every school to have a named point of
contact in the LA's attendance support team), each case at most one; allocating again replaces
the allocation, and every allocation is in the audit log with the officer it replaced.

**Roles** (:func:`grant_statements`, applied by ``att team grant``): three group roles,

- ``att_read_only`` — read everything (e.g. the virtual school head);
- ``att_officer`` — also write casework, penalty notices, registers and letters; the audit log
  only by appending (no UPDATE or DELETE: the database itself refuses to rewrite history);
- ``att_team_leader`` — also the team and allocations.

A login role is made a member of one of them. Reading needs no write grant; a write by a
read-only role is refused by PostgreSQL and reported as "You have read-only access".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from attendance_cli.errors import InvalidInputError, NotFoundError, RefusedError, UsageError
from attendance_cli.store import Store, transaction, writing
from attendance_cli.store import team as stored

LOCK_ALLOCATIONS = "allocations"  # read the current allocation, replace it, audit both
LEVELS = {"read-only": "att_read_only", "officer": "att_officer", "leader": "att_team_leader"}
TEAM_TABLES = ("officer", "school_allocation", "case_allocation")
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def is_role_name(role: str) -> bool:
    return bool(_ROLE.match(role.strip()))


def check_role(role: str) -> str:
    """A database role name att will write into SQL: lower-case letters, digits, underscores."""
    name = role.strip()
    if not _ROLE.match(name):
        raise InvalidInputError(
            f"{role!r} is not a database role name att accepts",
            hint="Use lower-case letters, digits and underscores, starting with a letter "
            "(e.g. jo_smith), as the role was created on the server.",
        )
    return name


def _audit(
    store: Store,
    *,
    officer: str,
    action: str,
    entity: str,
    entity_id: int | None,
    upn: str | None,
    detail: dict[str, object],
) -> None:
    from attendance_cli.cases.audit import record_audit

    record_audit(
        store,
        officer=officer,
        action=action,
        entity=entity,
        entity_id=entity_id,
        upn=upn,
        detail=detail,
    )


def add_officer(store: Store, *, role: str, name: str, officer: str) -> int:
    """Add a team member (or change their display name); audited."""
    role = check_role(role)
    display = " ".join(name.split())
    if not display:
        raise InvalidInputError("Give the officer's name", hint='Add --name "Jo Smith".')
    with transaction(store):
        existing = stored.officer_id(store, role)
        if existing is None:
            officer_id = stored.insert_officer(store, role=role, display_name=display, by=officer)
            action = "add_officer"
        else:
            officer_id = existing
            stored.rename_officer(store, officer=existing, display_name=display)
            action = "rename_officer"
        _audit(
            store,
            officer=officer,
            action=action,
            entity="officer",
            entity_id=officer_id,
            upn=None,
            detail={"role": role, "display_name": display},
        )
    return officer_id


def list_officers(db: Store) -> list[stored.OfficerRecord]:
    return stored.officers(db)


@dataclass(frozen=True)
class Allocation:
    what: str  # "school" or "case"
    key: str  # LAESTAB or UPN
    id: int
    officer: str  # role
    previous: str | None  # role, or None when it had none


def _officer(store: Store, role: str) -> int:
    found = stored.officer_id(store, check_role(role))
    if found is None:
        raise NotFoundError(
            f"No officer {role} in the team",
            hint=f'Add them first: att team add {role} --name "NAME".',
        )
    return found


def allocate_school(store: Store, *, school: str, role: str, officer: str) -> Allocation:
    """Make ``role`` the school's allocated officer (replacing any other); audited."""
    from attendance_cli.store.registers import find_school

    found = find_school(store, school)
    with writing(store, LOCK_ALLOCATIONS):
        target = _officer(store, role)
        before = stored.allocate_school(store, school_id=found.id, officer=target, by=officer)
        previous = stored.role_of(store, before)
        _audit(
            store,
            officer=officer,
            action="allocate_school",
            entity="school",
            entity_id=found.id,
            upn=None,
            detail={"laestab": found.laestab, "officer": role, "previous": previous},
        )
    return Allocation("school", found.laestab, found.id, role, previous)


def allocate_case(store: Store, *, upn: str, role: str, officer: str) -> Allocation:
    """Allocate the pupil's open case to ``role`` (replacing any other); audited."""
    from attendance_cli.store import cases as cases_store
    from attendance_cli.store.registers import find_pupil

    pupil = find_pupil(store, upn)
    with writing(store, LOCK_ALLOCATIONS):
        case_id = cases_store.open_case_id(store, pupil.id)
        if case_id is None:
            raise RefusedError(
                f"{pupil.upn} has no open case to allocate",
                hint="Adding an action or a note opens a case.",
            )
        target = _officer(store, role)
        before = stored.allocate_case(store, case_id=case_id, officer=target, by=officer)
        previous = stored.role_of(store, before)
        _audit(
            store,
            officer=officer,
            action="allocate_case",
            entity="case",
            entity_id=case_id,
            upn=pupil.upn,
            detail={"officer": role, "previous": previous},
        )
    return Allocation("case", pupil.upn, case_id, role, previous)


# --------------------------------------------------------------------------------- roles


def setup_statements() -> list[str]:
    """The group roles and their grants on every table att has (run again after an upgrade
    adds tables; every statement is safe to repeat)."""
    team = ", ".join(TEAM_TABLES)
    create = [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{group}') THEN "
        f"CREATE ROLE {group} NOLOGIN; END IF; END $$"
        for group in LEVELS.values()
    ]
    return [
        *create,
        "GRANT att_read_only TO att_officer",
        "GRANT att_officer TO att_team_leader",
        "GRANT USAGE ON SCHEMA public TO att_read_only",
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO att_read_only",
        "GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO att_officer",
        "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO att_officer",
        "REVOKE UPDATE, DELETE ON audit_log FROM att_officer",
        # an entry's personal part: written with the entry, deleted by erasure (att privacy
        # erase is an officer's duty, and verify accepts a deletion only under the erase_detail
        # entry the same transaction writes), never changed
        "REVOKE UPDATE ON audit_detail FROM att_officer",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version, {team} FROM att_officer",
        f"GRANT INSERT, UPDATE, DELETE ON {team} TO att_team_leader",
    ]


def grant_statements(role: str, level: str) -> list[str]:
    """The SQL ``att team grant ROLE --as LEVEL`` runs: the group roles (idempotent), then
    ``role`` a member of the level's group only."""
    role = check_role(role)
    if level not in LEVELS:
        raise UsageError(
            f"--as must be one of {', '.join(LEVELS)}, not {level!r}",
            hint="read-only (see everything), officer (also casework), leader (also allocation).",
        )
    others = [group for name, group in LEVELS.items() if name != level]
    return [
        *setup_statements(),
        f"REVOKE {', '.join(others)} FROM {role}",
        f"GRANT {LEVELS[level]} TO {role}",
    ]


def grant(store: Store, *, role: str, level: str) -> list[str]:
    """Apply :func:`grant_statements` (PostgreSQL only; needs an administrator's role)."""
    if store.dialect != "postgresql":
        raise UsageError(
            "Roles are for a team's PostgreSQL database; this one is an SQLite file",
            hint="Point ATT_DB at the team's database (README, 'For a team').",
        )
    statements = grant_statements(role, level)
    if not stored.role_exists(store, check_role(role)):
        raise NotFoundError(
            f"No database role {role} on the server",
            hint=f"The administrator creates it first: CREATE ROLE {role} LOGIN;",
        )
    with transaction(store):
        stored.run_statements(store, statements)
    return statements


def refresh_grants(store: Store) -> bool:
    """After an upgrade on PostgreSQL: grant the groups on any new table (if they exist)."""
    if store.dialect != "postgresql":
        return False
    if not stored.group_roles_present(store, tuple(LEVELS.values())):
        return False
    with transaction(store):
        stored.run_statements(store, setup_statements())
    return True


# --------------------------------------------------------------------------------- my work


ITEMS = ("action", "penalty_notice", "request")  # what a task is; also its order on one day
KIND_REDUCED = "reduced rate ends"
KIND_PAY_BY = "payment due"
KIND_DECIDE_NOTICE = "prosecute or withdraw"
KIND_DECIDE_REQUEST = "decide request"


@dataclass(frozen=True)
class Task:
    """``att tasks``: one thing due soon or overdue (its JSON keys are the fields).

    ``item`` says what it is and ``id`` which one: an agreed ``action`` (case_action id), a
    ``penalty_notice`` deadline (notice id) or a school's ``request`` awaiting the LA's decision
    (request id). ``officer`` is the officer the case (actions, notices) or the school
    (requests) is allocated to, None when unallocated. ``owner`` is who is to do it: for an
    action, the owner agreed for it; for a notice or a request, the allocated officer, else the
    officer who recorded it."""

    id: int
    item: str
    upn: str
    pupil: str
    kind: str
    description: str
    owner: str | None
    due: object  # dt.date
    overdue: bool
    officer: str | None


def _pupil_name(surname: str | None, forename: str | None) -> str:
    return ", ".join(x for x in (surname, forename) if x)


def notice_tasks(
    db: Store, *, today: object, due_by: object, case_officers: dict[int, str]
) -> list[Task]:
    """The deadlines of the penalty notices still unpaid (``cases.penalty``): the last day of
    the reduced rate while it runs, the last day to pay, and, once the 28 days have passed
    unpaid and no prosecution is recorded, the LA's decision to prosecute or withdraw (due the
    day after the last day to pay). The periods run from receipt when service is recorded,
    else from the issue date (``cases.penalty.periods_start``)."""
    import datetime as dt

    from attendance_cli.cases.penalty import list_penalty_notices
    from attendance_cli.cases.penalty_rules import pounds
    from attendance_cli.text import uk_date

    assert isinstance(today, dt.date) and isinstance(due_by, dt.date)
    found: list[Task] = []
    for n in list_penalty_notices(db, today=today):
        if n.status not in ("outstanding", "overdue"):
            continue
        officer = case_officers.get(n.case_id) if n.case_id is not None else None
        owner = officer or n.officer
        name = f"Penalty notice {n.id} to {n.parent_name}"
        due_items: list[tuple[dt.date, str, str]] = []
        if n.status == "outstanding":
            if n.reduced_rate_until is not None and today <= n.reduced_rate_until:
                assert n.reduced_amount_pence is not None
                due_items.append(
                    (
                        n.reduced_rate_until,
                        KIND_REDUCED,
                        f"{name}: {pounds(n.reduced_amount_pence)} if paid by then, "
                        f"then {pounds(n.full_amount_pence)}",
                    )
                )
            due_items.append(
                (n.pay_by, KIND_PAY_BY, f"{name}: {pounds(n.full_amount_pence)} by then")
            )
        elif n.prosecuted_on is None:
            due_items.append(
                (
                    n.pay_by + dt.timedelta(days=1),
                    KIND_DECIDE_NOTICE,
                    f"{name}: unpaid after {uk_date(n.pay_by)}",
                )
            )
        for due, kind, text in due_items:
            if due <= due_by:
                pupil = _pupil_name(n.surname, n.forename)
                found.append(
                    Task(
                        n.id,
                        "penalty_notice",
                        n.upn,
                        pupil,
                        kind,
                        text,
                        owner,
                        due,
                        due < today,
                        officer,
                    )
                )
    return found


def request_tasks(store: Store, *, today: object, due_by: object) -> list[Task]:
    """Schools' requests for a penalty notice still undecided (``cases.requests``), due on
    their ``decide_by`` day, overdue after it."""
    import datetime as dt

    from attendance_cli.store import requests as stored_requests
    from attendance_cli.text import uk_date

    assert isinstance(today, dt.date) and isinstance(due_by, dt.date)
    school_officers = stored.school_officers(store)
    found: list[Task] = []
    for r in stored_requests.list_requests(store, decided=False):
        if r.decide_by > due_by:
            continue
        officer = school_officers.get(r.school_id)
        text = (
            f"Request {r.id} from {r.school_name} ({r.reason}), received "
            f"{uk_date(r.received_on)}: issue, notice to improve or refuse"
        )
        found.append(
            Task(
                r.id,
                "request",
                r.upn,
                _pupil_name(r.surname, r.forename),
                KIND_DECIDE_REQUEST,
                text,
                officer or r.officer,
                r.decide_by,
                r.decide_by < today,
                officer,
            )
        )
    return found


def tasks(store: Store, *, officer: str | None, today: object, days: int = 14) -> list[Task]:
    """What is overdue or due within ``days`` of ``today``, by due date: agreed actions on open
    cases, penalty-notice deadlines (:func:`notice_tasks`) and requests awaiting a decision
    (:func:`request_tasks`). For ``officer`` (a role): the actions on the cases allocated to
    them, and the notices and requests they own (:class:`Task`); when None, the team's view:
    every one."""
    import datetime as dt

    assert isinstance(today, dt.date)
    if days < 0:
        raise UsageError("--days cannot be negative", hint="Give --days 0 or more (default 14).")
    who = None if officer is None else _officer(store, officer)
    due_by = today + dt.timedelta(days=days)
    rows = stored.agreed_actions(store, officer=who, due_by=due_by)
    found = [
        Task(
            r.action_id,
            "action",
            r.upn,
            r.pupil,
            r.kind,
            r.description,
            r.owner,
            r.due,
            r.due is not None and r.due < today,
            r.officer,
        )
        for r in rows
    ]
    others = [
        *notice_tasks(store, today=today, due_by=due_by, case_officers=stored.case_officers(store)),
        *request_tasks(store, today=today, due_by=due_by),
    ]
    found += [t for t in others if officer is None or t.owner == officer]
    return sorted(found, key=lambda t: (t.due, ITEMS.index(t.item), t.id))  # type: ignore[arg-type]


def my_case_ids(store: Store, *, role: str) -> set[int]:
    """The cases allocated to ``role`` (``att case list --mine``)."""
    if not is_role_name(role):
        raise NotFoundError(
            f"You ({role}) are not in the team",
            hint="att team add ROLE --name NAME adds you, and att team allocate-case gives you "
            "cases.",
        )
    return stored.allocated_case_ids(store, officer=_officer(store, role))
