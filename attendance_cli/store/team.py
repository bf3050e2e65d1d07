"""The team (issue 16): officers, and the schools and cases allocated to them. Portable Core
over ``db.models`` (no hot path here); the rules (who may, what is audited) are in ``team``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from attendance_cli.store.connection import Store
from attendance_cli.store.conversions import to_datetime


@dataclass(frozen=True, slots=True)
class OfficerRecord:
    id: int
    role: str
    display_name: str
    created_at: dt.datetime
    schools: tuple[str, ...]  # LAESTABs allocated, in order
    cases: int  # open cases allocated


def current_role(store: Store) -> str | None:
    """The database role this connection runs as (PostgreSQL), or None on SQLite."""
    if store.dialect != "postgresql":
        return None
    return str(store.connection.execute("SELECT current_user").fetchone()[0])


def officer_id(store: Store, role: str) -> int | None:
    from sqlalchemy import select

    from attendance_cli.db.models import Officer

    table = Officer.__table__  # type: ignore[attr-defined]
    return store.execute(select(table.c.id).where(table.c.role == role)).scalar_one_or_none()


def insert_officer(store: Store, *, role: str, display_name: str, by: str) -> int:
    from sqlalchemy import insert

    from attendance_cli.db.models import Officer

    result = store.execute(
        insert(Officer.__table__).values(  # type: ignore[attr-defined]
            role=role, display_name=display_name, created_at=dt.datetime.now(dt.UTC), created_by=by
        )
    )
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def rename_officer(store: Store, *, officer: int, display_name: str) -> None:
    from sqlalchemy import update

    from attendance_cli.db.models import Officer

    table = Officer.__table__  # type: ignore[attr-defined]
    store.execute(update(table).where(table.c.id == officer).values(display_name=display_name))


def officers(store: Store) -> list[OfficerRecord]:
    """Every officer, by display name, with their schools and open cases."""
    from sqlalchemy import func, select

    from attendance_cli.db.models import (
        CaseAllocation,
        Officer,
        PupilCase,
        School,
        SchoolAllocation,
    )

    o = Officer.__table__  # type: ignore[attr-defined]
    sa_ = SchoolAllocation.__table__  # type: ignore[attr-defined]
    ca = CaseAllocation.__table__  # type: ignore[attr-defined]
    s = School.__table__  # type: ignore[attr-defined]
    c = PupilCase.__table__  # type: ignore[attr-defined]
    schools: dict[int, list[str]] = {}
    row: Any
    for row in store.execute(
        select(sa_.c.officer_id, s.c.laestab)
        .join(s, s.c.id == sa_.c.school_id)
        .order_by(s.c.laestab)
    ):
        schools.setdefault(int(row[0]), []).append(str(row[1]))
    counted: list[Any] = list(
        store.execute(
            select(ca.c.officer_id, func.count())
            .join(c, c.c.id == ca.c.case_id)
            .where(c.c.status == "open")
            .group_by(ca.c.officer_id)
        )
    )
    cases = {int(row[0]): int(row[1]) for row in counted}
    return [
        OfficerRecord(
            id=r.id,
            role=r.role,
            display_name=r.display_name,
            created_at=to_datetime(r.created_at) or dt.datetime.min,
            schools=tuple(schools.get(r.id, ())),
            cases=int(cases.get(r.id, 0)),
        )
        for r in store.execute(select(o).order_by(o.c.display_name, o.c.role))
    ]


def _allocate(
    store: Store, table_name: str, key: str, value: int, officer: int, by: str
) -> int | None:
    """Allocate (or reallocate) one school or case; the officer it had before, or None."""
    from sqlalchemy import delete, insert, select

    from attendance_cli.db.models import metadata

    table = metadata.tables[table_name]
    before = store.execute(
        select(table.c.officer_id).where(table.c[key] == value)
    ).scalar_one_or_none()
    store.execute(delete(table).where(table.c[key] == value))
    store.execute(
        insert(table).values(
            {
                key: value,
                "officer_id": officer,
                "allocated_at": dt.datetime.now(dt.UTC),
                "allocated_by": by,
            }
        )
    )
    return before


def allocate_school(store: Store, *, school_id: int, officer: int, by: str) -> int | None:
    return _allocate(store, "school_allocation", "school_id", school_id, officer, by)


def allocate_case(store: Store, *, case_id: int, officer: int, by: str) -> int | None:
    return _allocate(store, "case_allocation", "case_id", case_id, officer, by)


def role_of(store: Store, officer: int | None) -> str | None:
    if officer is None:
        return None
    from sqlalchemy import select

    from attendance_cli.db.models import Officer

    table = Officer.__table__  # type: ignore[attr-defined]
    return store.execute(select(table.c.role).where(table.c.id == officer)).scalar_one_or_none()


def _pg_roles() -> Any:
    """PostgreSQL's catalogue of roles (not one of att's tables, so not in ``db.models``)."""
    from sqlalchemy import column, table

    return table("pg_roles", column("rolname"))


def role_exists(store: Store, role: str) -> bool:
    """Whether the server has a database role ``role`` (PostgreSQL only)."""
    from sqlalchemy import func, select

    roles = _pg_roles()
    found = store.execute(select(func.count()).where(roles.c.rolname == role)).scalar_one()
    return bool(found)


def group_roles_present(store: Store, groups: tuple[str, ...]) -> bool:
    """Whether every one of the team's group roles ``groups`` exists (PostgreSQL only)."""
    from sqlalchemy import func, select

    roles = _pg_roles()
    found = store.execute(select(func.count()).where(roles.c.rolname.in_(groups))).scalar_one()
    return int(found) == len(groups)


def run_statements(store: Store, statements: list[str]) -> None:
    """Run the team's GRANT/CREATE ROLE statements (``team.grant_statements``), in order."""
    for statement in statements:
        store.connection.execute(statement)


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """An agreed action still to do, on a case, with the officer the case is allocated to."""

    action_id: int
    case_id: int
    upn: str
    pupil: str
    kind: str
    description: str
    owner: str | None
    due: dt.date | None
    officer: str | None  # role, or None when the case is not allocated


def agreed_actions(store: Store, *, officer: int | None, due_by: dt.date) -> list[TaskRecord]:
    """Agreed actions of open cases due on or before ``due_by`` (overdue ones included), of the
    cases allocated to ``officer`` (every case when None), by due date. A penalty notice's own
    tracking action is left out: ``att tasks`` lists the notice's deadlines from the notice."""
    from sqlalchemy import select

    from attendance_cli.db.models import CaseAction, CaseAllocation, Officer, Pupil, PupilCase
    from attendance_cli.store.conversions import to_date

    a = CaseAction.__table__  # type: ignore[attr-defined]
    c = PupilCase.__table__  # type: ignore[attr-defined]
    p = Pupil.__table__  # type: ignore[attr-defined]
    ca = CaseAllocation.__table__  # type: ignore[attr-defined]
    o = Officer.__table__  # type: ignore[attr-defined]
    query = (
        select(
            a.c.id,
            c.c.id,
            p.c.upn,
            p.c.surname,
            p.c.forename,
            p.c.name_as_written,
            a.c.kind,
            a.c.description,
            a.c.owner,
            a.c.due,
            o.c.role,
        )
        .join(c, c.c.id == a.c.case_id)
        .join(p, p.c.id == c.c.pupil_id)
        .outerjoin(ca, ca.c.case_id == c.c.id)
        .outerjoin(o, o.c.id == ca.c.officer_id)
        .where(a.c.status == "agreed", c.c.status == "open", a.c.due.is_not(None))
        .where(a.c.due <= due_by, a.c.penalty_notice_id.is_(None))
        .order_by(a.c.due, a.c.id)
    )
    if officer is not None:
        query = query.where(ca.c.officer_id == officer)
    tasks = []
    r: Any
    for r in store.execute(query).all():
        name = ", ".join(x for x in (r[3], r[4]) if x) or (r[5] or "")
        tasks.append(TaskRecord(r[0], r[1], r[2], name, r[6], r[7], r[8], to_date(r[9]), r[10]))
    return tasks


def allocated_case_ids(store: Store, *, officer: int) -> set[int]:
    from sqlalchemy import select

    from attendance_cli.db.models import CaseAllocation

    table = CaseAllocation.__table__  # type: ignore[attr-defined]
    return set(
        store.execute(select(table.c.case_id).where(table.c.officer_id == officer)).scalars()
    )


def school_officers(store: Store) -> dict[int, str]:
    """The allocated officer's role of each school that has one, by school id."""
    from sqlalchemy import select

    from attendance_cli.db.models import Officer, SchoolAllocation

    sa_ = SchoolAllocation.__table__  # type: ignore[attr-defined]
    o = Officer.__table__  # type: ignore[attr-defined]
    rows = store.execute(select(sa_.c.school_id, o.c.role).join(o, o.c.id == sa_.c.officer_id))
    found: list[Any] = list(rows)
    return {int(row[0]): str(row[1]) for row in found}


def case_officers(store: Store) -> dict[int, str]:
    """The allocated officer's role of each case that has one, by case id."""
    from sqlalchemy import select

    from attendance_cli.db.models import CaseAllocation, Officer

    ca = CaseAllocation.__table__  # type: ignore[attr-defined]
    o = Officer.__table__  # type: ignore[attr-defined]
    rows = store.execute(select(ca.c.case_id, o.c.role).join(o, o.c.id == ca.c.officer_id))
    found: list[Any] = list(rows)
    return {int(row[0]): str(row[1]) for row in found}
