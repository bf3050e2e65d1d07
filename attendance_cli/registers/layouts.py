"""Recognising which of the three layouts a file is in, from its headers.

- marks (long): one row per pupil per session: UPN, Date, Session, Mark (+ optional names, year,
  LAESTAB).
- grid: one row per pupil: UPN (+ optional names, year, LAESTAB), then one column per session
  headed like ``2025-09-03 AM`` or ``Wed 03/09/2025 PM``.
- roster: one row per enrolment: UPN, names, DOB, ... and parent/carer columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from attendance_cli.errors import InvalidInputError
from attendance_cli.registers.headers import (
    SessionHeader,
    contact_field_for,
    field_for,
    parse_session_header,
)
from attendance_cli.registers.readers import SourceFile

LAYOUTS = ("marks", "grid", "roster")
ROSTER_MARKERS = {
    "date_of_birth",
    "gender",
    "entry_date",
    "leaving_date",
    "school_name",
    "fsm",
    "sen",
}


@dataclass
class Columns:
    """Header positions: ``fields`` maps an att field to a column index."""

    fields: dict[str, int] = field(default_factory=dict)
    sessions: dict[int, SessionHeader] = field(default_factory=dict)  # grid column -> session
    contacts: dict[int, dict[str, int]] = field(default_factory=dict)  # parent n -> field -> col
    ignored: list[str] = field(default_factory=list)


def map_columns(header: list[str]) -> Columns:
    columns = Columns()
    for index, text in enumerate(header):
        name = field_for(text)
        if name and name not in columns.fields:
            columns.fields[name] = index
            continue
        session = parse_session_header(text)
        if session is not None:
            columns.sessions[index] = session
            continue
        contact = contact_field_for(text)
        if contact is not None:
            number, contact_field = contact
            columns.contacts.setdefault(number, {})[contact_field] = index
            continue
        if text:
            columns.ignored.append(text)
    return columns


def detect_layout(source: SourceFile, columns: Columns, requested: str = "auto") -> str:
    """The file's layout, or an error listing the columns found and what each layout needs."""
    found = set(columns.fields)
    if requested != "auto":
        layout = requested
    elif {"date", "session", "mark"} <= found:
        layout = "marks"
    elif columns.sessions:
        layout = "grid"
    elif found & ROSTER_MARKERS or columns.contacts:
        layout = "roster"
    else:
        raise _layout_error(source, "att cannot tell what kind of file this is")
    required = {"marks": ["upn", "date", "session", "mark"], "grid": ["upn"], "roster": ["upn"]}
    missing = [name for name in required[layout] if name not in found]
    if missing or (layout == "grid" and not columns.sessions):
        what = ", ".join(missing) if missing else "session columns (e.g. '2025-09-03 AM')"
        raise _layout_error(source, f"the {layout} layout needs column(s): {what}")
    return layout


def _layout_error(source: SourceFile, reason: str) -> InvalidInputError:
    shown = ", ".join(repr(h) for h in source.header[:12])
    if len(source.header) > 12:
        shown += f", ... ({len(source.header)} columns)"
    return InvalidInputError(
        f"{source.display}: {reason}. Columns found: {shown or 'none'}",
        file=source.display,
        row=source.header_row,
        hint=(
            "A marks file needs UPN, Date, Session (AM/PM) and Mark columns; a grid needs UPN "
            "and one column per session headed like '2025-09-03 AM'; a roster needs UPN and "
            "pupil details (DOB, Gender, ...). Use --format marks|grid|roster to say which."
        ),
    )
