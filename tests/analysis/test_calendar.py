"""The assumed English school year and the school calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from attendance_cli.analysis.calendar import (
    AssumedTerms,
    SchoolCalendar,
    assumed_school_days,
    assumed_sessions_between,
    assumed_terms,
    build_timeline,
    easter_sunday,
)

from .builders import D, Register, present, weekdays


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        pytest.param(2008, D(2008, 3, 23), id="2008-early"),
        pytest.param(2024, D(2024, 3, 31), id="2024"),
        pytest.param(2025, D(2025, 4, 20), id="2025"),
        pytest.param(2026, D(2026, 4, 5), id="2026"),
        pytest.param(2038, D(2038, 4, 25), id="2038-latest-possible"),
    ],
)
def test_easter_sunday(year: int, easter: dt.date) -> None:
    assert easter_sunday(year) == easter


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        pytest.param(
            2024,
            AssumedTerms(
                year=2024,
                autumn_start=D(2024, 9, 6),  # 71 autumn days make 190 with 55 + 64
                autumn_half_term=D(2024, 10, 28),
                autumn_end=D(2024, 12, 20),  # 22 Dec is a Sunday
                spring_start=D(2025, 1, 6),  # 4 Jan is a Saturday
                spring_half_term=D(2025, 2, 17),
                spring_end=D(2025, 3, 28),  # late Easter: first Friday on or after 27 Mar
                summer_start=D(2025, 4, 14),
                summer_half_term=D(2025, 5, 26),
                summer_end=D(2025, 7, 22),
            ),
            id="2024-25-late-easter",
        ),
        pytest.param(
            2023,
            AssumedTerms(
                year=2023,
                autumn_start=D(2023, 9, 12),  # 69 autumn days make 190 with 56 + 65
                autumn_half_term=D(2023, 10, 30),
                autumn_end=D(2023, 12, 22),
                spring_start=D(2024, 1, 4),
                spring_half_term=D(2024, 2, 19),
                spring_end=D(2024, 3, 28),  # early Easter: Maundy Thursday
                summer_start=D(2024, 4, 15),
                summer_half_term=D(2024, 5, 27),
                summer_end=D(2024, 7, 22),
            ),
            id="2023-24-early-easter",
        ),
    ],
)
def test_assumed_terms(year: int, expected: AssumedTerms) -> None:
    assert assumed_terms(year) == expected


@pytest.mark.parametrize("year", range(2015, 2040))
def test_every_assumed_year_has_190_days(year: int) -> None:
    days = assumed_school_days(year)
    assert len(days) == 190
    assert all(day.weekday() < 5 for day in days)
    assert D(year, 9, 1) <= days[0] <= D(year, 9, 14)


@pytest.mark.parametrize(
    ("day", "is_school_day"),
    [
        pytest.param(D(2024, 10, 28), False, id="autumn-half-term"),
        pytest.param(D(2025, 4, 18), False, id="good-friday-in-term"),
        pytest.param(D(2025, 4, 21), False, id="easter-monday-in-term"),
        pytest.param(D(2025, 5, 5), False, id="early-may-bank-holiday"),
        pytest.param(D(2025, 5, 26), False, id="spring-bank-holiday-half-term"),
        pytest.param(D(2025, 4, 14), True, id="first-day-of-summer-term"),
        pytest.param(D(2025, 7, 22), True, id="last-day-of-year"),
        pytest.param(D(2024, 12, 23), False, id="christmas-holiday"),
    ],
)
def test_assumed_school_days(day: dt.date, is_school_day: bool) -> None:
    assert (day in assumed_school_days(2024)) is is_school_day


@pytest.mark.parametrize(
    ("after", "through", "sessions"),
    [
        pytest.param(D(2024, 11, 29), D(2024, 12, 20), 30, id="rest-of-autumn"),
        pytest.param(D(2024, 12, 20), D(2025, 7, 22), 238, id="spring-and-summer"),
        pytest.param(D(2024, 8, 1), D(2025, 7, 31), 380, id="whole-year"),
        pytest.param(
            D(2025, 7, 1),
            D(2025, 9, 30),
            2 * 15 + 2 * 15,
            id="across-years-15-july-and-15-september-days",
        ),
        pytest.param(D(2024, 12, 20), D(2024, 12, 20), 0, id="empty"),
    ],
)
def test_assumed_sessions_between(after: dt.date, through: dt.date, sessions: int) -> None:
    assert assumed_sessions_between(after, through) == sessions


def test_school_calendar_knows_its_last_school_date() -> None:
    days = weekdays(D(2024, 9, 2), D(2024, 9, 13))
    calendar = SchoolCalendar.from_strings({2024: [present(days).marks[2024]]})
    assert calendar.last_school_date() == D(2024, 9, 13)
    assert SchoolCalendar({}).last_school_date() is None
    assert not calendar.year(2023).any()


def test_timeline_runs_session_by_session_across_years_and_cuts_marks_after_the_end() -> None:
    register = Register().put(D(2024, 7, 31), "I").put(D(2024, 8, 1), "N").put(D(2024, 8, 2), "G")
    timeline = build_timeline(
        marks_by_year=register.marks,
        calendar=SchoolCalendar({}),
        first=D(2024, 7, 30),
        last=D(2024, 8, 5),
        marks_until=D(2024, 8, 1),
    )
    # Tue 30 Jul .. Mon 5 Aug: 5 weekdays, 10 sessions, over 2023/24 and 2024/25
    assert [timeline.date(i) for i in range(0, 10, 2)] == [
        D(2024, 7, 30),
        D(2024, 7, 31),
        D(2024, 8, 1),
        D(2024, 8, 2),
        D(2024, 8, 5),
    ]
    assert bytes(timeline.chars).decode() == "..IINN...."
    assert timeline.school.tolist() == [False] * 2 + [True] * 6 + [False] * 2  # pupil's own
