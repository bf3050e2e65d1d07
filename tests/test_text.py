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


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        pytest.param("2025-11-30", "30/11/2025", id="iso-text"),
        pytest.param("2025-11-30T09:15:00+00:00", "30/11/2025 09:15", id="iso-datetime-text"),
        pytest.param(None, "-", id="none"),
        pytest.param("no marks", "no marks", id="other-text"),
        pytest.param("2025-13-01", "2025-13-01", id="not-a-date"),
    ],
)
def test_uk_date(value: object, shown: str) -> None:
    from attendance_cli.text import uk_date

    assert uk_date(value) == shown


def test_screens_show_uk_dates(sample_db) -> None:  # type: ignore[no-untyped-def]
    """Every date on the screens of schools, tsm prepare and report la is dd/mm/yyyy (issue 14);
    JSON keeps ISO 8601."""
    import re

    from typer.testing import CliRunner

    from attendance_cli.cli.app import app

    runner = CliRunner()
    for args in (["schools"], ["tsm", "prepare", "--school", "castle"], ["report", "la"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert not re.search(r"\b20\d\d-\d\d-\d\d\b", result.stdout), (args, result.stdout[:400])
        assert re.search(r"\b\d\d/\d\d/20\d\d\b", result.stdout), args
    data = runner.invoke(app, ["schools", "--format", "json"]).stdout
    assert re.search(r'"20\d\d-\d\d-\d\d"', data)


def test_uk_dates_in_text() -> None:
    from attendance_cli.text import uk_dates_in

    assert uk_dates_in("review 2025-12-01; due=2026-01-31") == "review 01/12/2025; due=31/01/2026"
    assert uk_dates_in("UPN A899200218001, 12025-11-301") == "UPN A899200218001, 12025-11-301"
