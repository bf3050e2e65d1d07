"""Lead practitioners: the newest is the case's current lead, the older ones its history."""

from __future__ import annotations

import datetime as dt

from attendance_cli.cases import kinds
from attendance_cli.cases.audit import record_audit
from attendance_cli.cases.case import casework_day, ensure_open_case, find_pupil
from attendance_cli.errors import InvalidInputError
from attendance_cli.store import cases as stored
from attendance_cli.store import transaction
from attendance_cli.store.cases import LeadRecord
from attendance_cli.store.connection import Store

__all__ = ["LeadRecord", "current_lead", "insert_lead", "set_lead"]


def current_lead(db: Store, case_id: int) -> LeadRecord | None:
    return stored.current_lead(db, case_id)


def set_lead(
    store: Store,
    *,
    upn: str,
    name: str,
    agency: str,
    officer: str,
    role: str | None = None,
    contact: str | None = None,
    on: dt.date | None = None,
    today: dt.date | None = None,
) -> LeadRecord:
    """Name the case's lead practitioner from ``on`` (default today)."""
    pupil = find_pupil(store, upn)
    day = casework_day(on, today=today)
    if not name or not name.strip():
        raise InvalidInputError("A lead practitioner needs a name", hint="Give --name NAME.")
    found_agency = kinds.choose(agency, kinds.AGENCIES, "agency", "--agency")
    if found_agency is None:
        raise InvalidInputError(
            "A lead practitioner needs an agency",
            hint=f"Use one of: {', '.join(kinds.AGENCIES)} (--agency).",
        )
    with transaction(store):
        case_id = ensure_open_case(store, pupil, officer, on=day)
        insert_lead(
            store, case_id, name.strip(), found_agency, role, contact, officer, pupil.upn, on=day
        )
    lead = current_lead(store, case_id)
    assert lead is not None
    return lead


def insert_lead(
    store: Store,
    case_id: int,
    name: str,
    agency: str,
    role: str | None,
    contact: str | None,
    officer: str,
    upn: str,
    *,
    on: dt.date | None = None,
) -> None:
    """Insert a lead (from ``on``, default today) inside the caller's transaction, with its
    audit entry."""
    day = on or dt.date.today()
    lead_id = stored.insert_lead(
        store,
        case_id=case_id,
        name=name,
        agency=agency,
        role=role,
        contact=contact,
        officer=officer,
        on=day,
    )
    record_audit(
        store,
        officer=officer,
        action="set_lead",
        entity="lead_practitioner",
        entity_id=lead_id,
        upn=upn,
        detail={"name": name, "agency": agency, "role": role, "happened_on": day},
    )
