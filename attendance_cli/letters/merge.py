"""The merge data: every field a template can use, and how each is filled.

Figures are those of the pupil's TSM pack for the same school and period (``sources`` calls the
pack's own functions). Dates print as "1 December 2026", percentages to one decimal place
("83.0%"), days missed as "8" or "8.5". Values are plain text, numbers and lists, so a template
can only show them (see ``render``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from attendance_cli.errors import InvalidInputError, UsageError
from attendance_cli.settings import Settings

_ACTION: dict[str, Any] = dict.fromkeys(
    ["kind", "action", "owner", "agency", "review_date", "status"]
)
_LINES: list[Any] = [None]

#: Every field a template can use (None: a value; [schema]: a list of such items).
FIELDS: dict[str, Any] = {
    "letter": dict.fromkeys(["date", "date_iso", "reference", "title"]),
    "addressee_lines": _LINES,
    "la": {
        **dict.fromkeys(["name", "service", "address", "phone", "email", "website"]),
        "address_lines": _LINES,
    },
    "officer": dict.fromkeys(["name", "job_title", "phone", "email"]),
    "penalty": dict.fromkeys(["how_to_pay", "pay_to"]),
    "parent": {**dict.fromkeys(["name", "relationship", "address"]), "address_lines": _LINES},
    "pupil": dict.fromkeys(["name", "forename", "surname", "upn", "date_of_birth", "year_group"]),
    "school": dict.fromkeys(["name", "laestab"]),
    "figures": dict.fromkeys(
        [
            "period_from",
            "period_to",
            "period_label",
            "possible",
            "attended",
            "attendance",
            "absence",
            "sessions_missed",
            "days_missed",
            "authorised",
            "unauthorised",
            "late",
            "penalty_threshold_met",
            "penalty_threshold_date",
            "longest_absence_days",
            "absence_running",
            "band",
        ]
    ),
    "actions": [_ACTION],
    "improvement": dict.fromkeys(["weeks", "start", "end"]),
    "meeting": dict.fromkeys(["date", "time", "place"]),
    "notice": dict.fromkeys(
        [
            "number",
            "issued",
            "notice_number",
            "amount_reduced",
            "amount_full",
            "reduced_until",
            "pay_by",
            "received",
            "offence_from",
            "offence_to",
            "unauthorised",
            "withdrawn",
            "withdrawn_reason",
            "paid",
        ]
    ),
    "pupils": [
        {
            **dict.fromkeys(["name", "upn", "year_group", "attendance", "band"]),
            "actions": [_ACTION],
        }
    ],
}

#: Which sections a letter to each kind of addressee has.
SECTIONS = {
    "parent": {
        "letter",
        "addressee_lines",
        "la",
        "officer",
        "penalty",
        "parent",
        "pupil",
        "school",
        "figures",
        "actions",
        "improvement",
        "meeting",
        "notice",
    },
    "school": {"letter", "addressee_lines", "la", "officer", "school", "meeting", "pupils"},
}

#: Fields filled from the settings file: (table, key), and a default when unset.
SETTINGS_FIELDS: dict[str, tuple[str, str]] = {
    "la.name": ("la", "name"),
    "la.service": ("la", "service"),
    "la.address": ("la", "address"),
    "la.address_lines": ("la", "address"),
    "la.phone": ("la", "phone"),
    "la.email": ("la", "email"),
    "la.website": ("la", "website"),
    "officer.job_title": ("officer", "job_title"),
    "officer.phone": ("officer", "phone"),
    "officer.email": ("officer", "email"),
    "penalty.how_to_pay": ("penalty", "how_to_pay"),
    "penalty.pay_to": ("penalty", "pay_to"),
}

_OPTION_OF_SECTION = {
    "meeting": "--meeting-date (with --meeting-time and --meeting-place)",
    "notice": "a penalty notice recorded for the parent (att penalty add)",
}


def long_date(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def percent(value: float | None) -> str:
    return "no sessions" if value is None else f"{value:.1f}%"


def days(value: float) -> str:
    return f"{value:g}"


def address_lines(text: str | None) -> list[str]:
    """An address as lines: split at commas and line breaks."""
    return [part.strip() for part in re.split(r"[,\n]", text or "") if part.strip()]


def check_fields_available(
    used: set[str], *, addressee: str, template: str, settings: Settings, provided: set[str]
) -> None:
    """Every field the template uses must have a value: its section exists for this kind of
    letter and was given, and a setting it reads is set."""
    sections = {re.split(r"[.\[]", path)[0] for path in used}
    wrong = sorted(sections - SECTIONS[addressee])
    if wrong:
        raise UsageError(
            f"Template {template} is a letter to a {addressee} but uses "
            + ", ".join(f"{w}.*" for w in wrong),
            hint="Remove those placeholders, or use the template for the letters they belong to.",
        )
    for section, option in _OPTION_OF_SECTION.items():
        if section in sections and section not in provided:
            example = sorted(p for p in used if p.startswith(section + "."))[:1]
            raise UsageError(
                f"Template {template} uses {example[0] if example else section}: it needs {option}"
            )
    unset = sorted(
        f"{table}.{key}"
        for path, (table, key) in SETTINGS_FIELDS.items()
        if path in used and not settings.text(table, key)
    )
    if unset:
        raise InvalidInputError(
            f"Template {template} needs setting(s) not set: {', '.join(sorted(set(unset)))}",
            file=str(settings.path),
            hint="Add them to the settings file (see the README section on letters), e.g. "
            '[la] then name = "Kestrelford Council".',
        )


def common_context(
    settings: Settings, *, officer: str, letter_date: dt.date, title: str
) -> dict[str, Any]:
    text = settings.text
    return {
        "letter": {
            "date": long_date(letter_date),
            "date_iso": letter_date.isoformat(),
            "reference": "",
            "title": title,
        },
        "la": {
            "name": text("la", "name"),
            "service": text("la", "service"),
            "address": text("la", "address"),
            "address_lines": address_lines(text("la", "address")),
            "phone": text("la", "phone"),
            "email": text("la", "email"),
            "website": text("la", "website"),
        },
        "officer": {
            "name": text("officer", "name") or officer,
            "job_title": text("officer", "job_title"),
            "phone": text("officer", "phone"),
            "email": text("officer", "email"),
        },
        "penalty": {
            "how_to_pay": text("penalty", "how_to_pay"),
            "pay_to": text("penalty", "pay_to"),
        },
    }


def figures_context(entry: Any, *, start: dt.date, end: dt.date, label: str) -> dict[str, Any]:
    """A TSM pack row (``tsm.pack.PupilEntry``) as the letter prints it."""
    return {
        "period_from": long_date(start),
        "period_to": long_date(end),
        "period_label": label,
        "possible": entry.possible,
        "attended": entry.attended,
        "attendance": percent(entry.attendance_pct),
        "absence": percent(entry.absence_pct),
        "sessions_missed": entry.sessions_missed,
        "days_missed": days(entry.days_missed),
        "authorised": entry.authorised,
        "unauthorised": entry.unauthorised,
        "late": entry.late,
        "penalty_threshold_met": bool(entry.penalty_threshold_met),
        "penalty_threshold_date": long_date(entry.penalty_threshold_date),
        "longest_absence_days": entry.longest_absence_days,
        "absence_running": bool(entry.continuous_absence_running),
        "band": entry.band,
    }


def action_context(action: Any) -> dict[str, Any]:
    return {
        "kind": action.kind,
        "action": action.action,
        "owner": action.owner or "",
        "agency": action.agency or "",
        "review_date": long_date(action.due),
        "status": action.status,
    }


def pounds(pence: int | None) -> str:
    if pence is None:
        return ""
    return f"£{pence / 100:,.2f}".replace(".00", "")
