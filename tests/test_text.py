"""Plurals on screen and in flags (issue 14: "1 session", never "1 sessions" or "(s)")."""

from __future__ import annotations

import pytest

from attendance_cli.text import noun, plural


@pytest.mark.parametrize(
    ("count", "singular", "expected"),
    [
        pytest.param(1, "session", "1 session", id="one"),
        pytest.param(0, "session", "0 sessions", id="zero"),
        pytest.param(2, "school day", "2 school days", id="two-words"),
        pytest.param(3, "entry", "3 entries", id="entry"),
        pytest.param(2, "day", "2 days", id="vowel-before-y"),
        pytest.param(1234, "row", "1,234 rows", id="thousands"),
        pytest.param(0.5, "day", "0.5 days", id="half"),
        pytest.param(1, "barriers note", "1 barriers note", id="compound-one"),
    ],
)
def test_plural(count: float, singular: str, expected: str) -> None:
    assert plural(count, singular) == expected


def test_noun_with_an_irregular_form() -> None:
    assert noun(2, "lead practitioner") == "lead practitioners"
    assert noun(2, "person", "people") == "people" and noun(1, "person", "people") == "person"
