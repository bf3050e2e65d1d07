"""Rosters: one row per enrolment with the pupil's details, flags and parents/carers.

The roster is the authority for pupil details: non-blank roster values replace what the
database holds (blank cells leave it as it is), and a pupil's parents/carers are replaced by the
roster's when its row names any, except for the fields an officer corrected
(``privacy.rectify``: the corrected value wins until the school's file agrees).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from attendance_cli.errors import Problem
from attendance_cli.identifiers import normalise_upn, upn_problem
from attendance_cli.registers.layouts import Columns
from attendance_cli.registers.readers import SourceFile, column_as_list, iter_batches
from attendance_cli.registers.values import (
    normalise_year_group,
    parse_date,
    parse_flag,
    split_name,
)
from attendance_cli.store import Store
from attendance_cli.store import imports as store_imports
from attendance_cli.store.imports import RosterWrite

if TYPE_CHECKING:
    from attendance_cli.store.connection import Store

GENDERS = {
    "M": "M",
    "MALE": "M",
    "F": "F",
    "FEMALE": "F",
    "U": "U",
    "UNKNOWN": "U",
    "X": "X",
    "OTHER": "X",
}
SEN = {
    "N": "N",
    "NONE": "N",
    "K": "K",
    "SENSUPPORT": "K",
    "SUPPORT": "K",
    "SENSUPPORTK": "K",
    "E": "E",
    "EHCP": "E",
    "EHCPLAN": "E",
    "EHC": "E",
    "STATEMENT": "E",
    "S": "E",
    "NO": "N",
    "NOSEN": "N",
}
SOCIAL_WORKER_UNSPECIFIED = "SW"  # has a social worker, type (CIN / CP) not given
SOCIAL_WORKER = {
    **{yes: SOCIAL_WORKER_UNSPECIFIED for yes in ("Y", "YES", "TRUE", "1", "T")},
    "CIN": "CIN",
    "CHILDINNEED": "CIN",
    "CP": "CP",
    "CPP": "CP",
    "CHILDPROTECTION": "CP",
    "N": None,
    "NO": None,
    "NONE": None,
    "FALSE": None,
    "0": None,
    "F": None,
}


@dataclass
class RosterRow:
    row: int
    upn: str
    laestab: str | None
    school_name: str | None
    phase: str | None
    pupil: dict[str, Any]
    enrolment: dict[str, Any]
    contacts: list[dict[str, Any]]


@dataclass
class RosterParse:
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rejected: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    total_rows: int = 0


def parse_roster(source: SourceFile, columns: Columns, default_school: str | None) -> RosterParse:
    result = RosterParse()
    f = columns.fields
    header = source.header
    seen: dict[tuple[str, str | None], int] = {}
    for batch in iter_batches(source, newlines_in_values=True):
        lists = [column_as_list(c) for c in batch.columns]
        result.total_rows += batch.rows
        for offset in range(batch.rows):
            row_number = batch.first_row + offset
            bad: list[tuple[str, str, str, str]] = []

            def cell(name: str, _offset: int = offset, _lists: list = lists) -> str | None:  # type: ignore[type-arg]
                index = f.get(name)
                if index is None:
                    return None
                value = _lists[index][_offset]
                return value.strip() if value and value.strip() else None

            def complain(name: str, value: str, message: str, hint: str, _bad: list = bad) -> None:  # type: ignore[type-arg]
                _bad.append((header[f[name]] if name in f else name, value, message, hint))

            if all(lists[i][offset] in (None, "") for i in range(len(lists))):
                continue
            raw_upn = cell("upn") or ""
            upn = normalise_upn(raw_upn)
            why = upn_problem(upn) if upn else "UPN is blank"
            if why:
                complain("upn", raw_upn, why, "Correct the UPN in the school's system.")
            laestab = cell("laestab")
            if laestab is not None:
                laestab = "".join(laestab.split()).replace("/", "")
                if not (laestab.isascii() and laestab.isdigit() and len(laestab) == 7):
                    complain(
                        "laestab",
                        laestab,
                        f"LAESTAB {laestab!r} is not 7 digits",
                        "Use the 7-digit DfE number.",
                    )
                elif default_school and laestab != default_school:
                    complain(
                        "laestab",
                        laestab,
                        f"row is for school {laestab} but --school is {default_school}",
                        "Drop --school or fix the LAESTAB.",
                    )
            laestab = laestab or default_school
            if laestab is None:
                complain(
                    "laestab",
                    "",
                    "no school for this row",
                    "Add a LAESTAB column or pass --school LAESTAB.",
                )
            pupil: dict[str, Any] = {}
            enrolment: dict[str, Any] = {}
            for name in ("surname", "forename"):
                if cell(name):
                    pupil[name] = cell(name)
            for name, target in (
                ("date_of_birth", pupil),
                ("entry_date", enrolment),
                ("leaving_date", enrolment),
            ):
                raw = cell(name)
                if raw:
                    value, why = parse_date(raw)
                    if why:
                        complain(name, raw, why, "Dates must be YYYY-MM-DD or DD/MM/YYYY.")
                    else:
                        target[name] = value
            if (
                enrolment.get("entry_date")
                and enrolment.get("leaving_date")
                and enrolment["leaving_date"] < enrolment["entry_date"]
            ):
                complain(
                    "leaving_date",
                    cell("leaving_date") or "",
                    "leaving date is before the entry date",
                    "Check both dates.",
                )
            for name, table, hint in (
                ("gender", GENDERS, "Use M, F, U or X."),
                ("sen", SEN, "Use N (none), K (SEN support) or E (EHC plan)."),
                (
                    "social_worker",
                    SOCIAL_WORKER,
                    "Use CIN, CP, Y (has a social worker, type not given), N or leave blank.",
                ),
            ):
                raw = cell(name)
                if raw:
                    key = "".join(raw.upper().split()).replace("-", "")
                    if key in table:
                        pupil[name] = table[key]
                    else:
                        complain(
                            name,
                            raw,
                            f"{raw!r} is not a recognised {name.replace('_', ' ')} value",
                            hint,
                        )
            for name in ("fsm", "looked_after"):
                raw = cell(name)
                flag_value, why = parse_flag(raw)
                if why:
                    complain(name, raw or "", why, "Use Y or N.")
                elif flag_value is not None:
                    pupil[name] = flag_value
            if cell("year_group"):
                enrolment["year_group"] = normalise_year_group(cell("year_group"))
            if cell("registration_group"):
                enrolment["registration_group"] = cell("registration_group")
            if cell("name") and not (pupil.get("surname") or pupil.get("forename")):
                surname, forename, as_written = split_name(cell("name") or "")
                if surname and forename:
                    pupil["surname"], pupil["forename"] = surname, forename
                elif as_written:
                    pupil["name_as_written"] = as_written
            contacts = []
            for number in sorted(columns.contacts):
                record: dict[str, Any] = {"priority": number}
                for contact_field, index in columns.contacts[number].items():
                    text = lists[index][offset]
                    text = text.strip() if text else None
                    if contact_field == "parental_responsibility":
                        flag, why = parse_flag(text)
                        if why:
                            bad.append((header[index], text or "", why, "Use Y or N."))
                        record[contact_field] = flag
                    else:
                        record[contact_field] = text
                if record.get("name"):
                    contacts.append(record)
            entry = (upn, laestab)
            if not bad and entry in seen:
                bad.append(
                    (
                        header[f["upn"]],
                        raw_upn,
                        f"pupil {upn} is listed twice for this school (also row {seen[entry]})",
                        "Keep one row per pupil per school.",
                    )
                )
            if bad:
                for column, bad_value, message, hint in bad:
                    result.rejected.append((row_number, column, bad_value, message, hint))
                    if len(result.problems) < 50:
                        result.problems.append(
                            source.problem(message, hint, row=row_number, column=column)
                        )
                continue
            seen[entry] = row_number
            result.rows.append(
                RosterRow(
                    row_number,
                    upn,
                    laestab,
                    cell("school_name"),
                    cell("phase"),
                    pupil,
                    enrolment,
                    contacts,
                )
            )
    return result


def _contacts_by_pupil(rows: list[RosterRow]) -> dict[str, list[dict[str, Any]]]:
    """A pupil's parents/carers across all their roster rows (a mover has one row per school),
    each person once, in the order first seen."""
    merged: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if not row.contacts:
            continue
        people = merged.setdefault(row.upn, [])
        names = {c["name"] for c in people}
        people.extend(c for c in row.contacts if c["name"] not in names)
    return merged


def write_roster(db: Store, rows: list[RosterRow]) -> RosterWrite:
    """Write the roster's schools, pupils, enrolments and parents/carers (inside the caller's
    transaction): ``store.imports.write_roster``. Contact corrections in force are put back
    into the file's contacts first; ``RosterWrite.corrections_kept`` says what the file still
    says differently, and the corrections it now agrees with are retired (``privacy.rectify``)."""
    contacts = _contacts_by_pupil(rows)
    corrections = store_imports.contact_corrections_in_force(db) if contacts else []
    outcome = None
    if corrections:
        from attendance_cli.privacy import rectify

        outcome = rectify.apply_corrections(contacts, corrections)
    written = store_imports.write_roster(db, rows, contacts)
    if outcome is not None:
        from attendance_cli.config import os_user
        from attendance_cli.privacy import rectify

        rectify.record_outcome(db, outcome, officer=os_user())
        written.corrections_kept = outcome.kept
        written.corrections_retired = len(outcome.retired)
    return written
