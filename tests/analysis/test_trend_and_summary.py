"""The trend against the previous school weeks, weekly figures, and school/LA summaries."""

from __future__ import annotations

import datetime as dt

import pytest

from attendance_cli import marks
from attendance_cli.analysis.counts import CountArrays, SessionCounts, count_many
from attendance_cli.analysis.figures import count_sessions
from attendance_cli.analysis.summary import GroupSummary, summarise_counts
from attendance_cli.analysis.trend import WeekFigures

from .builders import D, Register, analyse, autumn_2024, present, weekdays


def _autumn_pupil() -> Register:
    """Absent (I) on the Mondays 30 Sep - 21 Oct, N on Mon 23 Sep, I on Mon 11 Nov."""
    pupil = present(autumn_2024())
    for monday in (D(2024, 9, 30), D(2024, 10, 7), D(2024, 10, 14), D(2024, 10, 21)):
        pupil.days(weekdays(monday, monday + dt.timedelta(days=1)), "I")  # Mon and Tue
    return pupil.put(D(2024, 9, 23), "N").put(D(2024, 11, 11), "I")


def test_trend_compares_with_the_same_number_of_school_weeks_before_skipping_half_term() -> None:
    trend = analyse(
        _autumn_pupil(), school_days=autumn_2024(), start=D(2024, 11, 4), end=D(2024, 11, 29)
    ).trend
    # before 4 Nov, skipping half-term: 30 Sep, 7, 14, 21 Oct; 16 of 40 absent (Mon + Tue)
    assert (trend.previous_start, trend.previous_end, trend.previous_school_weeks) == (
        D(2024, 9, 30),
        D(2024, 11, 1),
        4,
    )
    assert (trend.previous_possible, trend.previous_attended, trend.previous_attendance_pct) == (
        40,
        24,
        60.0,
    )
    assert (trend.school_weeks, trend.possible, trend.attended, trend.attendance_pct) == (
        4,
        40,
        38,
        95.0,
    )
    assert trend.change_points == 35.0
    assert trend.weekly == (
        WeekFigures(D(2024, 11, 4), 10, 10, 100.0),
        WeekFigures(D(2024, 11, 11), 10, 8, 80.0),
        WeekFigures(D(2024, 11, 18), 10, 10, 100.0),
        WeekFigures(D(2024, 11, 25), 10, 10, 100.0),
    )


def test_trend_from_mid_week_counts_only_the_periods_days_in_its_first_week() -> None:
    trend = analyse(
        _autumn_pupil(), school_days=autumn_2024(), start=D(2024, 11, 6), end=D(2024, 11, 29)
    ).trend
    assert trend.weekly[0] == WeekFigures(D(2024, 11, 4), 6, 6, 100.0)
    assert (trend.possible, trend.attended, trend.attendance_pct) == (36, 34, 94.4)
    assert trend.previous_attendance_pct == 60.0
    assert trend.change_points == 34.4  # 94.44... - 60


def test_a_fall_is_a_negative_change() -> None:
    pupil = present(autumn_2024()).put(D(2024, 11, 11), "I")
    trend = analyse(
        pupil, school_days=autumn_2024(), start=D(2024, 11, 4), end=D(2024, 11, 29)
    ).trend
    assert (trend.previous_attendance_pct, trend.attendance_pct, trend.change_points) == (
        100.0,
        95.0,
        -5.0,
    )


@pytest.mark.parametrize(
    ("start", "end", "weeks_before", "previous_start"),
    [
        pytest.param(D(2024, 9, 2), D(2024, 9, 13), 0, None, id="no-history"),
        pytest.param(
            D(2024, 9, 9), D(2024, 9, 27), 1, D(2024, 9, 2), id="less-history-than-the-period"
        ),
    ],
)
def test_trend_with_short_history(
    start: dt.date, end: dt.date, weeks_before: int, previous_start: dt.date | None
) -> None:
    trend = analyse(present(autumn_2024()), school_days=autumn_2024(), start=start, end=end).trend
    assert (trend.previous_school_weeks, trend.previous_start) == (weeks_before, previous_start)
    if not weeks_before:
        assert (trend.previous_attendance_pct, trend.change_points) == (None, None)


def test_trend_reaches_back_into_the_previous_academic_year() -> None:
    summer = weekdays(D(2024, 6, 3), D(2024, 7, 19))
    pupil = present(summer + autumn_2024()).put(D(2024, 7, 15), "N").put(D(2024, 7, 8), "H")
    trend = analyse(
        pupil, school_days=summer + autumn_2024(), start=D(2024, 9, 2), end=D(2024, 9, 13)
    ).trend
    assert (trend.previous_start, trend.previous_end, trend.previous_school_weeks) == (
        D(2024, 7, 8),
        D(2024, 8, 30),
        2,
    )
    assert (trend.previous_possible, trend.previous_attended, trend.change_points) == (20, 16, 20.0)


# --- school / LA summaries ------------------------------------------------------------------

FOUR_ENROLMENTS = [
    SessionCounts(present=95, authorised=3, unauthorised=2, late=4),  # 5%
    SessionCounts(present=88, aea=2, authorised=6, unauthorised=4, missing=2),  # 10%: PA
    SessionCounts(present=25, authorised=5, unauthorised=20),  # 50%: SA and PA
    SessionCounts(not_possible=30),  # no possible sessions: not on roll for rates
]


def test_summary_rates_are_sums_not_means_and_pa_rates_use_enrolments_on_roll() -> None:
    summary = summarise_counts(CountArrays.from_counts(FOUR_ENROLMENTS))
    assert summary == GroupSummary(
        enrolments=4,
        on_roll=3,
        possible=250,
        attended=210,
        authorised=14,
        unauthorised=26,
        sessions_missed=40,
        late=4,
        missing=2,
        attendance_pct=84.0,
        absence_pct=16.0,  # 40 / 250; the mean of 5%, 10%, 50% would be 21.7%
        authorised_pct=5.6,
        unauthorised_pct=10.4,
        persistent=2,
        persistent_pct=66.7,
        severe=1,
        severe_pct=33.3,
    )


def test_summary_of_nobody_has_no_rates() -> None:
    empty = summarise_counts(count_many([]))
    assert (empty.on_roll, empty.absence_pct, empty.persistent_pct) == (0, None, None)


def test_summary_from_mark_strings_matches_one_by_one_counts() -> None:
    mon = D(2024, 9, 2)
    registers = [
        Register().lay(mon, ["/"] * 18 + ["I", "N"]),
        Register().lay(mon, ["/"] * 10 + ["O"] * 10),
        Register().lay(mon, ["#"] * 20),
    ]
    strings = [r.marks[2024] for r in registers]
    start, end = mon, D(2024, 9, 13)
    lo, hi = marks.span(2024, start, end)
    from_arrays = summarise_counts(count_many(strings, lo, hi))
    one_by_one = summarise_counts(
        CountArrays.from_counts(
            count_sessions(marks=r.marks, start=start, end=end).counts() for r in registers
        )
    )
    assert from_arrays == one_by_one
    assert (from_arrays.on_roll, from_arrays.possible, from_arrays.sessions_missed) == (2, 40, 12)
    assert (from_arrays.absence_pct, from_arrays.persistent, from_arrays.severe) == (30.0, 2, 1)
