"""Parsing single cell values: dates (ISO or UK, never US), sessions, yes/no flags."""

from __future__ import annotations

import datetime as dt
import re

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: 00:00(?::00)?)?$")
_UK_DOTS = re.compile(r"^(\d{1,2})[.-](\d{1,2})[.-](\d{4})$")

EARLIEST_DATE = dt.date(1990, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def parse_date(text: str) -> tuple[dt.date | None, str | None]:
    """(date, None) or (None, why not). Accepts ISO ``2025-09-03`` and UK ``03/09/2025``."""
    value = text.strip()
    match = _ISO.match(value)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _UK.match(value) or _UK_DOTS.match(value)
        if not match:
            return None, (
                f"{value!r} is not a date; use YYYY-MM-DD or DD/MM/YYYY (UK order, never US)"
            )
        day, month, year = (int(g) for g in match.groups())
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None, f"{value!r} is not a real date (day {day}, month {month}, year {year})"
    if not EARLIEST_DATE <= date <= LATEST_DATE:
        return None, f"{value!r} is outside the years {EARLIEST_DATE.year}-{LATEST_DATE.year}"
    return date, None


_SESSIONS = {
    "AM": 0,
    "A": 0,
    "MORNING": 0,
    "A.M.": 0,
    "PM": 1,
    "P": 1,
    "AFTERNOON": 1,
    "P.M.": 1,
}


def parse_session(text: str) -> int | None:
    """0 for AM, 1 for PM, None when not a session name."""
    return _SESSIONS.get("".join(text.split()).upper())


_TRUE = {"Y", "YES", "TRUE", "1", "T"}
_FALSE = {"N", "NO", "FALSE", "0", "F"}


def parse_flag(text: str | None) -> tuple[bool | None, str | None]:
    """Yes/no cells: (value, None) or (None, why not). Blank is unknown (None)."""
    if text is None or not text.strip():
        return None, None
    value = text.strip().upper()
    if value in _TRUE:
        return True, None
    if value in _FALSE:
        return False, None
    return None, f"{text.strip()!r} is not yes or no; use Y or N"
