"""Words for people: counts with the right plural ("1 session", "2 sessions"; never
"1 sessions" or "session(s)")."""

from __future__ import annotations

_IRREGULAR = {"entry": "entries", "child": "children", "is": "are", "was": "were"}


def plural(count: int | float, singular: str, plural_form: str | None = None) -> str:
    """``count`` and the noun for it: ``plural(1, "session")`` is "1 session",
    ``plural(2, "school day")`` is "2 school days", ``plural(3, "entry")`` is "3 entries"
    (whole numbers shown with thousands separators)."""
    shown = f"{count:,}" if isinstance(count, int) else f"{count:g}"
    return f"{shown} {noun(count, singular, plural_form)}"


def noun(count: int | float, singular: str, plural_form: str | None = None) -> str:
    """The noun alone, singular for exactly 1: ``noun(2, "row")`` is "rows"."""
    if count == 1:
        return singular
    if plural_form is not None:
        return plural_form
    head, _, last = singular.rpartition(" ")
    word = _IRREGULAR.get(last) or (
        last[:-1] + "ies" if last.endswith("y") and last[-2:-1] not in "aeiou" else last + "s"
    )
    return f"{head} {word}" if head else word


def uk_date(value: object) -> str:
    """A date as shown on screen, dd/mm/yyyy (``2025-11-30``, a ``date`` or ``datetime`` ->
    "30/11/2025"); None -> "-"; anything else as it is. JSON and CSV keep ISO 8601."""
    import datetime as dt

    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    text = str(value)
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        try:
            day = f"{dt.date.fromisoformat(text[:10]):%d/%m/%Y}"
        except ValueError:
            return text
        if len(text) >= 16 and text[10] in "T ":
            return f"{day} {text[11:16]}"
        return day if len(text) == 10 else text
    return text


def uk_dates_in(text: str) -> str:
    """Every ISO date in a text written by the core (a chronology summary "review 2025-12-01",
    an audit detail "due=2025-12-01") as dd/mm/yyyy, for the screen; other text unchanged."""
    import re

    return re.sub(r"\b(\d{4})-(\d{2})-(\d{2})\b", r"\3/\2/\1", text)
