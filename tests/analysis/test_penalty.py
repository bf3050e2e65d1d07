"""The penalty-notice threshold: 10 unauthorised sessions within 10 school weeks.

School weeks of autumn 2024 at the test school (half-term 28 Oct - 1 Nov):
 1 2 Sep, 2 9 Sep, 3 16 Sep, 4 23 Sep, 5 30 Sep, 6 7 Oct, 7 14 Oct, 8 21 Oct,
 (28 Oct half-term: no school week), 9 4 Nov, 10 11 Nov, 11 18 Nov, 12 25 Nov,
 13 2 Dec, 14 9 Dec, 15 16 Dec.
"""

from __future__ import annotations

import datetime as dt

import pytest

from attendance_cli.marks import AM, PM

from .builders import D, analyse, autumn_2024, present, weekdays

MONDAYS = [
    D(2024, 9, 2),
    D(2024, 9, 9),
    D(2024, 9, 16),
    D(2024, 9, 23),
    D(2024, 9, 30),
    D(2024, 10, 7),
    D(2024, 10, 14),
    D(2024, 10, 21),
    D(2024, 11, 4),
    D(2024, 11, 11),
    D(2024, 11, 18),
    D(2024, 11, 25),
    D(2024, 12, 2),
    D(2024, 12, 9),
    D(2024, 12, 16),
]
AUTUMN = (D(2024, 9, 2), D(2024, 12, 20))
MIX = "GNOU"  # any mix of unauthorised codes counts


def _pupil_absent_on(days: list[dt.date]):  # type: ignore[no-untyped-def]
    pupil = present(autumn_2024())
    for n, day in enumerate(days):
        pupil.session(day, AM, MIX[n % 4])
    return pupil


@pytest.mark.parametrize(
    ("sessions", "met", "first_met"),
    [
        pytest.param(9, False, None, id="9-sessions-in-9-school-weeks-not-met"),
        pytest.param(10, True, D(2024, 11, 11), id="10-sessions-in-10-school-weeks-met"),
    ],
)
def test_nine_versus_ten_unauthorised_sessions(
    sessions: int, met: bool, first_met: dt.date | None
) -> None:
    result = analyse(
        _pupil_absent_on(MONDAYS[:sessions]),
        school_days=autumn_2024(),
        start=AUTUMN[0],
        end=AUTUMN[1],
    ).penalty
    assert (result.met_in_period, result.first_met_date) == (met, first_met)
    assert result.unauthorised_in_period == sessions
    if met:
        assert (result.first_met_session, result.first_met_window_count) == ("AM", 10)
        assert result.first_met_window_start == D(2024, 9, 2)
    # last 10 school weeks to 20 Dec: weeks 6-15, 7 Oct .. 16 Dec, so the first 5 Mondays drop out
    assert result.end_window_start == D(2024, 10, 7)
    assert result.end_window_weeks == 10
    assert result.end_window_count == sessions - 5
    assert result.met_at_end is False


def test_ten_sessions_on_one_day_each_week_but_in_eleven_school_weeks_is_not_met() -> None:
    result = analyse(
        _pupil_absent_on([MONDAYS[0]] + MONDAYS[2:11]),  # weeks 1, 3..11
        school_days=autumn_2024(),
        start=AUTUMN[0],
        end=AUTUMN[1],
    ).penalty
    assert result.met_in_period is False


# One unauthorised session in each of the 10 weeks 16 Sep .. 25 Nov except the half-term week:
# 11 calendar weeks.
SPREAD = [MONDAYS[2], MONDAYS[3], MONDAYS[4], MONDAYS[5], MONDAYS[6], MONDAYS[7]] + MONDAYS[8:12]


def test_a_half_term_week_is_not_a_school_week() -> None:
    result = analyse(
        _pupil_absent_on(SPREAD), school_days=autumn_2024(), start=AUTUMN[0], end=AUTUMN[1]
    ).penalty
    assert result.met_in_period is True
    assert (result.first_met_date, result.first_met_session) == (D(2024, 11, 25), "AM")
    assert result.first_met_window_start == D(2024, 9, 16)
    assert result.first_met_window_count == 10


def test_the_same_spread_without_a_holiday_spans_eleven_school_weeks() -> None:
    open_all_term = autumn_2024(half_term=False)
    pupil = present(open_all_term)
    for n, day in enumerate(SPREAD):
        pupil.session(day, AM, MIX[n % 4])
    result = analyse(pupil, school_days=open_all_term, start=AUTUMN[0], end=AUTUMN[1]).penalty
    assert result.met_in_period is False
    assert result.unauthorised_in_period == 10


SUMMER_2024 = weekdays(D(2024, 6, 3), D(2024, 7, 19))  # end of 2023/24 (2006 code set)
LAST_OF_2023 = [D(2024, 6, 17), D(2024, 6, 24), D(2024, 7, 1), D(2024, 7, 8), D(2024, 7, 15)]


def _across_years():  # type: ignore[no-untyped-def]
    pupil = present(SUMMER_2024 + autumn_2024())
    for day in LAST_OF_2023:
        pupil.session(day, PM, "G")  # holiday not authorised, 2006 set
    for day in MONDAYS[:5]:
        pupil.session(day, AM, "N")
    return pupil


def test_a_window_spans_two_academic_years_and_skips_the_summer_holiday() -> None:
    pupil = _across_years()
    assert set(pupil.marks) == {2023, 2024}
    result = analyse(
        pupil, school_days=SUMMER_2024 + autumn_2024(), start=D(2024, 9, 1), end=D(2024, 10, 31)
    ).penalty
    assert result.met_in_period is True
    assert (result.first_met_date, result.first_met_session) == (D(2024, 9, 30), "AM")
    assert (result.first_met_window_start, result.first_met_window_count) == (D(2024, 6, 17), 10)
    assert result.unauthorised_in_period == 5
    # 10 school weeks to 31 Oct: 8 Jul, 15 Jul, then 2 Sep .. 21 Oct -> G, G + 5 N
    assert (result.end_window_start, result.end_window_count, result.met_at_end) == (
        D(2024, 7, 8),
        7,
        False,
    )


def test_without_the_previous_years_marks_the_window_is_not_met() -> None:
    pupil = _across_years()
    this_year_only = {2024: pupil.marks[2024]}
    from attendance_cli.analysis.figures import analyse_enrolment

    from .builders import calendar_of

    result = analyse_enrolment(
        marks=this_year_only,
        start=D(2024, 9, 1),
        end=D(2024, 10, 31),
        calendar=calendar_of(present(SUMMER_2024 + autumn_2024())),
    ).penalty
    assert result.met_in_period is False


def test_a_window_full_before_the_period_is_met_at_the_periods_first_unauthorised_session() -> None:
    pupil = _pupil_absent_on(MONDAYS[:10]).session(D(2024, 11, 12), PM, "O")
    result = analyse(
        pupil, school_days=autumn_2024(), start=D(2024, 11, 12), end=D(2024, 11, 15)
    ).penalty
    assert result.met_in_period is True
    assert (result.first_met_date, result.first_met_session) == (D(2024, 11, 12), "PM")
    assert (result.first_met_window_start, result.first_met_window_count) == (D(2024, 9, 2), 11)
    # school weeks to 15 Nov: exactly 10 (2 Sep .. 11 Nov) holding all 11 sessions
    assert (result.end_window_start, result.end_window_count, result.met_at_end) == (
        D(2024, 9, 2),
        11,
        True,
    )


def test_met_before_the_period_but_not_in_it() -> None:
    pupil = _pupil_absent_on(MONDAYS[:10])
    result = analyse(
        pupil, school_days=autumn_2024(), start=D(2024, 11, 12), end=D(2024, 11, 15)
    ).penalty
    assert result.met_in_period is False
    assert result.first_met_date is None
    assert result.met_at_end is True


def test_authorised_absence_never_counts_toward_the_threshold() -> None:
    pupil = present(autumn_2024()).days(autumn_2024()[:20], "I")
    result = analyse(pupil, school_days=autumn_2024(), start=AUTUMN[0], end=AUTUMN[1]).penalty
    assert (result.met_in_period, result.unauthorised_in_period, result.end_window_count) == (
        False,
        0,
        0,
    )
