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
