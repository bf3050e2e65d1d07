from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attendance_cli import marks


@pytest.mark.parametrize(
    "date,year",
    [
        (dt.date(2025, 7, 31), 2024),
        (dt.date(2025, 8, 1), 2025),
        (dt.date(2026, 7, 31), 2025),
        (dt.date(2024, 8, 19), 2024),
    ],
)
def test_academic_year(date: dt.date, year: int) -> None:
    assert marks.academic_year(date) == year


def test_positions_are_weeks_of_ten_sessions() -> None:
    # 2025/26 starts on the Monday on or before Fri 1 Aug 2025: Mon 28 Jul 2025.
    assert marks.year_base(2025) == dt.date(2025, 7, 28)
    assert marks.position(dt.date(2025, 8, 1), marks.AM) == 8  # Friday of week 0
    assert marks.position(dt.date(2025, 9, 3), marks.PM) == 5 * 10 + 2 * 2 + 1  # Wed of week 5


def test_weekend_has_no_position() -> None:
    with pytest.raises(ValueError, match="Saturday"):
        marks.position(dt.date(2025, 9, 6), marks.AM)


@given(st.dates(dt.date(2000, 1, 1), dt.date(2090, 12, 31)), st.integers(0, 1))
def test_position_round_trip(date: dt.date, session: int) -> None:
    if date.weekday() >= 5:
        return
    pos = marks.position(date, session)
    assert 0 <= pos < marks.YEAR_LENGTH
    assert marks.date_at(marks.academic_year(date), pos) == (date, session)


def test_span_covers_inclusive_dates() -> None:
    year = 2025
    lo, hi = marks.span(year, dt.date(2025, 9, 1), dt.date(2025, 9, 5))  # Mon-Fri
    assert (lo, hi) == (
        marks.position(dt.date(2025, 9, 1), 0),
        marks.position(dt.date(2025, 9, 5), 1) + 1,
    )
    assert marks.span(year, dt.date(2025, 9, 6), dt.date(2025, 9, 7)) == (
        60,
        60,
    )  # a weekend: empty
    assert marks.span(year, dt.date(2026, 8, 1), dt.date(2026, 9, 1)) == (0, 0)  # outside the year
