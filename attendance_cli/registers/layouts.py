"""Recognising which layout a file is in, from its headers.

- marks (long): one row per pupil per session: UPN, Date, Session, Mark (+ optional names, year,
  registration group, LAESTAB).
- grid: one row per pupil: UPN (+ optional details), then one column per session headed like
  ``2025-09-03 AM``, ``Wed 03/09/25 PM`` or ``Mon 01 Sep 2025 AM`` (or a two-row header: dates
  over AM/PM).
- weekly: one row per pupil, one column per week headed by its Monday (``01/09/2025``), each
  cell 10 characters Mon AM ... Fri PM, a space where no mark applies.
- roster: one row per enrolment: UPN, names, DOB, ... and parent/carer columns.

A file of totals (sessions possible / attended / absence %, no marks) is refused: att needs
every session's mark.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from attendance_cli import marks
from attendance_cli.errors import InvalidInputError
from attendance_cli.registers.headers import (
    SYNONYMS,
    SessionHeader,
    contact_field_for,
    field_for,
    is_totals_header,
    normalise_header,
    parse_session_header,
    parse_week_header,
    session_date_text,
)
from attendance_cli.registers.readers import SourceFile

LAYOUTS = ("marks", "grid", "weekly", "roster")
ROSTER_MARKERS = {
    "date_of_birth",
    "gender",
    "entry_date",
    "leaving_date",
    "school_name",
    "fsm",
    "sen",
}
WEEK_CELL = marks.SESSIONS_PER_WEEK  # characters in a weekly-grid cell: Mon AM ... Fri PM
_WEEKDAY_SESSIONS = [
    f"{day} {session}"
    for day in ("Mon", "Tue", "Wed", "Thu", "Fri")
    for session in marks.SESSION_NAMES
]


@dataclass
class Columns:
    """Header positions: ``fields`` maps an att field to a column index.

    ``labels`` is the header plus one label per session of each weekly column (those virtual
    columns come after the real ones); ``sessions`` maps a label index to its session and
    ``virtual`` maps a virtual label index to (weekly column, character offset)."""

    fields: dict[str, int] = field(default_factory=dict)
    sessions: dict[int, SessionHeader] = field(default_factory=dict)  # grid column -> session
    contacts: dict[int, dict[str, int]] = field(default_factory=dict)  # parent n -> field -> col
    ignored: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    weeks: dict[int, tuple[dt.date | None, str | None]] = field(default_factory=dict)
    virtual: dict[int, tuple[int, int]] = field(default_factory=dict)
    totals: list[str] = field(default_factory=list)  # headers of totals columns
    mapped: dict[str, str] = field(default_factory=dict)  # field -> header chosen by --columns


def parse_column_map(text: str | None) -> dict[str, str]:
    """``"upn=Pupil No,mark=Code"`` -> {"upn": "Pupil No", "mark": "Code"}; fields are att's
    names (see ``headers.SYNONYMS``)."""
    if not text or not text.strip():
        return {}
    known = sorted(SYNONYMS)
    result: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, sep, header = part.partition("=")
        name = name.strip().lower().replace("-", "_").replace(" ", "_")
        if not sep or not header.strip():
            raise InvalidInputError(
                f"--columns: {part.strip()!r} is not FIELD=HEADER",
                hint='Write it like --columns "upn=Pupil No,mark=Code,date=Day,session=AM/PM".',
            )
        if name not in SYNONYMS:
            raise InvalidInputError(
                f"--columns: {name!r} is not a field att knows",
                hint="Fields: " + ", ".join(known) + ".",
            )
        result[name] = header.strip()
    return result


def upn_headers(column_map: dict[str, str]) -> frozenset[str]:
    return frozenset({normalise_header(column_map["upn"])} if "upn" in column_map else set())


def map_columns(header: list[str], column_map: dict[str, str] | None = None) -> Columns:
    columns = Columns(labels=list(header))
    wanted = {normalise_header(text): name for name, text in (column_map or {}).items()}
    for index, text in enumerate(header):
        chosen = wanted.get(normalise_header(text)) if text else None
        if chosen is not None and chosen not in columns.mapped:
            columns.fields[chosen] = index
            columns.mapped[chosen] = text
    for index, text in enumerate(header):
        if index in columns.fields.values():
            continue
        name = field_for(text)
        if name and name not in columns.fields:
            columns.fields[name] = index
            continue
        session = parse_session_header(text)
        if session is not None:
            columns.sessions[index] = session
            continue
        week = parse_week_header(text) if text else None
        if week is not None:
            columns.weeks[index] = week
            continue
        contact = contact_field_for(text)
        if contact is not None:
            number, contact_field = contact
            columns.contacts.setdefault(number, {})[contact_field] = index
            continue
        if text and is_totals_header(text):
            columns.totals.append(text)
            continue
        if text:
            columns.ignored.append(text)
    return columns


def expand_weeks(columns: Columns) -> None:
    """Give each weekly column ten virtual session columns (Mon AM ... Fri PM)."""
    for index, (monday, problem) in sorted(columns.weeks.items()):
        week_label = columns.labels[index]
        for offset in range(WEEK_CELL):
            label_index = len(columns.labels)
            columns.labels.append(f"{week_label} ({_WEEKDAY_SESSIONS[offset]})")
            columns.virtual[label_index] = (index, offset)
            day = monday + dt.timedelta(days=offset // 2) if monday is not None else None
            text = session_date_text(week_label) or ""
            columns.sessions[label_index] = SessionHeader(day, offset % 2, problem, text)


def detect_layout(source: SourceFile, columns: Columns, requested: str = "auto") -> str:
    """The file's layout, or an error listing the columns found and what each layout needs."""
    found = set(columns.fields)
    if requested != "auto":
        layout = requested
    elif {"date", "session", "mark"} <= found:
        layout = "marks"
    elif columns.sessions:
        layout = "grid"
    elif (
        columns.totals
        and "mark" not in found
        and not ("upn" in found and (found & ROSTER_MARKERS or columns.contacts or columns.weeks))
    ):
        raise _totals_error(source, columns)
    elif columns.weeks and "date_of_birth" not in found:
        layout = "weekly"
    elif found & ROSTER_MARKERS or columns.contacts:
        layout = "roster"  # a roster may carry an attendance % column: noted, not refused
    else:
        raise _layout_error(source, "att cannot tell what kind of file this is")
    required = {
        "marks": ["upn", "date", "session", "mark"],
        "grid": ["upn"],
        "weekly": ["upn"],
        "roster": ["upn"],
    }
    missing = [name for name in required[layout] if name not in found]
    if missing or (layout == "grid" and not columns.sessions):
        what = ", ".join(missing) if missing else "session columns (e.g. '2025-09-03 AM')"
        raise _layout_error(source, f"the {layout} layout needs column(s): {what}")
    if layout == "weekly":
        if not columns.weeks:
            raise _layout_error(source, "the weekly layout needs week columns (e.g. '01/09/2025')")
        _check_mondays(source, columns)
        expand_weeks(columns)
        source.raw_columns = set(columns.weeks)
    return layout


def _check_mondays(source: SourceFile, columns: Columns) -> None:
    for index, (monday, problem) in sorted(columns.weeks.items()):
        header = columns.labels[index]
        if monday is None:
            raise InvalidInputError(
                f"{source.display}: week column {header!r}: {problem}",
                file=source.display,
                row=source.header_row,
                column=header,
                hint="Head each week's column with the date of its Monday, e.g. 01/09/2025.",
            )
        if monday.weekday() != 0:
            raise InvalidInputError(
                f"{source.display}: week column {header!r} is headed {monday:%A %d %B %Y}, not a "
                "Monday: each cell of a weekly grid runs Mon AM to Fri PM from the Monday",
                file=source.display,
                row=source.header_row,
                column=header,
                hint="Export the weekly register again with weeks headed by their Monday, or "
                "export one column per session.",
            )


def _totals_error(source: SourceFile, columns: Columns) -> InvalidInputError:
    shown = ", ".join(repr(h) for h in columns.totals[:6])
    return InvalidInputError(
        f"{source.display} holds totals, not session marks (columns {shown}): att needs every "
        "session's mark to count attendance, absence and the penalty-notice threshold",
        file=source.display,
        row=source.header_row,
        hint="Export the register itself (one mark per pupil per session, e.g. the SIMS/Arbor "
        "attendance marks or session grid report), not a summary. The DfE 'Monitor your school "
        "attendance' downloads are totals only and cannot be imported.",
    )


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
            "and one column per session headed like '2025-09-03 AM'; a weekly grid needs UPN and "
            "one column per week headed by its Monday; a roster needs UPN and pupil details "
            "(DOB, Gender, ...). If the columns have other names, map them with --columns "
            '"upn=Pupil No,date=Day,session=AM/PM,mark=Code"; --layout marks|grid|weekly|roster '
            "says which layout it is."
        ),
    )
