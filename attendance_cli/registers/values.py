"""Parsing single cell values: dates (ISO or UK, never US), sessions, yes/no flags, year groups.

Dates: ISO ``2025-09-03`` (also ISO date-times ``2025-09-03T08:45:00``), UK ``03/09/2025``,
``3.9.2025``, two-digit years ``03/09/25`` (always 20xx), text months ``01 Sep 2025`` /
``1 September 25`` / ``01-Sep-2025``, each optionally after a weekday (``Mon 01 Sep 2025``), and
— where the caller says a column may hold them — Excel serial day numbers (``45901``). Numeric
dates are always day first; ``check_date_order`` refuses a file whose dates only make sense in US
order (or could be read either way and neither reading is a register period).
"""

from __future__ import annotations

import datetime as dt
import re

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_NUMERIC = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?: 00:00(?::00)?)?$")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_TEXT_MONTH = re.compile(
    r"^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]{3,9})\.?,?[\s-]+(\d{4}|\d{2})$", re.IGNORECASE
)
_WEEKDAY_PREFIX = re.compile(
    r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE
)
_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")

EARLIEST_DATE = dt.date(1990, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
_EXCEL_EPOCH = dt.date(1899, 12, 30)

DATE_FORMS = "YYYY-MM-DD, DD/MM/YYYY, DD/MM/YY or 01 Sep 2025 (UK order, never US)"


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def parse_date(text: str, *, allow_serial: bool = False) -> tuple[dt.date | None, str | None]:
    """(date, None) or (None, why not). Day-first for every numeric form (see module doc)."""
    value = text.strip()
    value = _WEEKDAY_PREFIX.sub("", value, count=1) if value[:1].isalpha() else value
    match = _ISO.match(value)
    if match:
        year, month, day = (int(g) for g in match.groups())
    elif match := _NUMERIC.match(value):
        day, month, year = int(match.group(1)), int(match.group(3)), _year(match.group(4))
    elif match := _TEXT_MONTH.match(value):
        number = _MONTHS.get(match.group(2).lower())
        if number is None:
            return None, f"{value!r} is not a date: {match.group(2)!r} is not a month"
        day, month, year = int(match.group(1)), number, _year(match.group(3))
    elif allow_serial and (match := _SERIAL.match(value)):
        date = _EXCEL_EPOCH + dt.timedelta(days=int(match.group(1)))
        if not EARLIEST_DATE <= date <= LATEST_DATE:
            return None, f"{value!r} is not a date (as an Excel day number it is {date.year})"
        return date, None
    else:
        return None, f"{value!r} is not a date; use {DATE_FORMS}"
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None, f"{value!r} is not a real date (day {day}, month {month}, year {year})"
    if not EARLIEST_DATE <= date <= LATEST_DATE:
        return None, f"{value!r} is outside the years {EARLIEST_DATE.year}-{LATEST_DATE.year}"
    return date, None


def _numeric_parts(text: str) -> tuple[int, int, int] | None:
    value = text.strip()
    value = _WEEKDAY_PREFIX.sub("", value, count=1) if value[:1].isalpha() else value
    match = _NUMERIC.match(value)
    if not match:
        return None
    return int(match.group(1)), int(match.group(3)), _year(match.group(4))


def _reading(parts: list[tuple[int, int, int]], day_first: bool) -> list[dt.date] | None:
    dates = []
    for first, second, year in parts:
        day, month = (first, second) if day_first else (second, first)
        try:
            dates.append(dt.date(year, month, day))
        except ValueError:
            return None
    return dates


def _register_like(dates: list[dt.date]) -> bool:
    """Dates that look like a register period: weekdays, and at least a fifth of the weekdays
    between the first and last of them (a term's register, not one day a month)."""
    if any(d.weekday() >= 5 for d in dates):
        return False
    distinct = sorted(set(dates))
    span = (distinct[-1] - distinct[0]).days + 1
    weekdays_in_span = sum(
        1 for k in range(span) if (distinct[0] + dt.timedelta(days=k)).weekday() < 5
    )
    return len(distinct) * 5 >= weekdays_in_span


def check_date_order(texts: list[str]) -> tuple[str, str] | None:
    """(why a file's numeric dates cannot be read day first, a date as written to show), or
    None when they can. Only files whose dates are all numeric are judged as a whole (a file
    that also writes dates unambiguously has its bad dates reported one by one).

    A file is refused when its dates only make sense month first (a "day" over 12 in the month
    place, or weekend dates day first that are weekdays month first, or scattered day first and a
    register period month first), or when every date could be read either way and neither reading
    is a register period. att never reads a date month first."""
    parsed: list[tuple[str, tuple[int, int, int]]] = []
    for text in texts:
        if text.strip():
            found = _numeric_parts(text)
            if found is None:  # some date is not numeric: judged cell by cell
                return None
            parsed.append((text, found))
    if not parsed:
        return None
    parts = [p for _, p in parsed]
    if any(first > 12 for first, _, _ in parts):
        return None  # unambiguous: day first (bad dates are reported one by one)
    uk, us = _reading(parts, True), _reading(parts, False)
    if us is None:
        return None
    if uk is None:
        example = next(t for t, (_, b, _) in parsed if b > 12).strip()
        return (
            f"its dates only make sense in US order (month first, e.g. {example!r}); att reads "
            "numeric dates day first (DD/MM/YYYY), always",
            example,
        )
    example = parsed[0][0].strip()
    uk_ok, us_ok = _register_like(uk), _register_like(us)
    if uk_ok:
        return None
    if us_ok:
        return (
            f"its dates read day first (UK order, e.g. {example!r} = {uk[0]:%d %B %Y}) fall on "
            "weekends or are scattered, but read month first (US order) they form a register "
            "period: the file looks US-ordered; att reads numeric dates day first, always",
            example,
        )
    if len(set(parts)) >= 3:
        return (
            f"its dates (e.g. {example!r}) could be day or month first and neither reading "
            "forms a register period, so att cannot tell which they are",
            example,
        )
    return None


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


_YEAR_NUMBER = re.compile(r"^(?:NC|NATIONALCURRICULUM)?(?:YEAR|YR|Y)?(\d{1,2})$")
_YEAR_WORDS = {
    "R": "R",
    "REC": "R",
    "RECEPTION": "R",
    "YR": "R",
    "YEARR": "R",
    "N": "N",
    "NURSERY": "N",
    "N1": "N1",
    "NURSERY1": "N1",
    "N2": "N2",
    "NURSERY2": "N2",
}


def normalise_year_group(text: str | None) -> str | None:
    """``Year 4``, ``Y4``, ``Yr 04``, ``4`` -> ``4``; ``Reception``/``R``/``YR`` -> ``R``;
    ``N1``/``N2`` (nursery) as they are. Anything else is kept as written."""
    if text is None or not text.strip():
        return None
    key = re.sub(r"[\s._-]", "", text.upper())
    if key in _YEAR_WORDS:
        return _YEAR_WORDS[key]
    match = _YEAR_NUMBER.match(key)
    if match:
        return str(int(match.group(1)))
    return text.strip()


def split_name(name: str) -> tuple[str | None, str | None, str | None]:
    """(surname, forename, name as written) from a single name cell: ``"Smith, Ann"`` ->
    ("Smith", "Ann", None); a name without a comma is kept as written: (None, None, name)."""
    text = " ".join(name.split())
    if "," in text:
        surname, _, forename = text.partition(",")
        if surname.strip() and forename.strip():
            return surname.strip(), forename.strip(), None
    return None, None, text or None
