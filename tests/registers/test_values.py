from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attendance_cli.registers.headers import contact_field_for, field_for, parse_session_header
from attendance_cli.registers.values import parse_date, parse_flag, parse_session


@pytest.mark.parametrize(
    "text,expected",
    [
        pytest.param("2025-09-03", dt.date(2025, 9, 3), id="iso"),
        pytest.param("03/09/2025", dt.date(2025, 9, 3), id="uk-is-day-first"),
        pytest.param("3/9/2025", dt.date(2025, 9, 3), id="uk-no-padding"),
        pytest.param("03.09.2025", dt.date(2025, 9, 3), id="uk-dots"),
        pytest.param("2025-09-03 00:00:00", dt.date(2025, 9, 3), id="iso-midnight"),
        pytest.param("09/13/2025", None, id="us-order-rejected"),
        pytest.param("2025-02-29", None, id="not-a-leap-year"),
        pytest.param("1899-01-01", None, id="out-of-range"),
        pytest.param("tomorrow", None, id="words"),
    ],
)
def test_parse_date(text: str, expected: dt.date | None) -> None:
    value, problem = parse_date(text)
    assert value == expected
    assert (problem is None) is (expected is not None)


@given(st.text(max_size=40))
def test_parse_date_never_raises(text: str) -> None:
    value, problem = parse_date(text)
    assert (value is None) != (problem is None)


@given(st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)))
def test_both_date_spellings_round_trip(date: dt.date) -> None:
    assert parse_date(date.isoformat())[0] == date
    assert parse_date(date.strftime("%d/%m/%Y"))[0] == date


@pytest.mark.parametrize(
    "text,session",
    [("AM", 0), ("am", 0), (" a m ", 0), ("Morning", 0), ("PM", 1), ("p", 1), ("EVE", None)],
)
def test_parse_session(text: str, session: int | None) -> None:
    assert parse_session(text) == session


@pytest.mark.parametrize(
    "text,value", [("Y", True), ("yes", True), ("N", False), ("0", False), ("", None), (None, None)]
)
def test_parse_flag(text: str | None, value: bool | None) -> None:
    assert parse_flag(text) == (value, None)


def test_parse_flag_rejects_other_text() -> None:
    assert parse_flag("maybe")[0] is None and "not yes or no" in (parse_flag("maybe")[1] or "")


@pytest.mark.parametrize(
    "header,field",
    [
        ("UPN", "upn"),
        ("Pupil UPN", "upn"),
        ("pupil_upn", "upn"),
        ("Attendance Code", "mark"),
        ("Code", "mark"),
        ("AM/PM", "session"),
        ("Session", "session"),
        ("Year Group", "year_group"),
        ("DfE Number", "laestab"),
        ("Nonsense", None),
    ],
)
def test_header_synonyms(header: str, field: str | None) -> None:
    assert field_for(header) == field


@pytest.mark.parametrize(
    "header,date,session",
    [
        ("2025-09-03 AM", dt.date(2025, 9, 3), 0),
        ("03/09/2025 PM", dt.date(2025, 9, 3), 1),
        ("Wed 03/09/2025 AM", dt.date(2025, 9, 3), 0),
        ("Wednesday 2025-09-03 pm", dt.date(2025, 9, 3), 1),
        ("03/09/2025 Wed AM", dt.date(2025, 9, 3), 0),
    ],
)
def test_session_headers(header: str, date: dt.date, session: int) -> None:
    parsed = parse_session_header(header)
    assert parsed is not None and (parsed.date, parsed.session) == (date, session)


def test_session_header_with_impossible_date_is_flagged() -> None:
    parsed = parse_session_header("31/02/2025 AM")
    assert parsed is not None and parsed.date is None and parsed.problem


def test_contact_headers() -> None:
    assert contact_field_for("Parent 2 Phone") == (2, "phone")
    assert contact_field_for("Parent/Carer 1 Parental Responsibility") == (
        1,
        "parental_responsibility",
    )
    assert contact_field_for("Phone") is None
