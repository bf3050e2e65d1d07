"""Weekday and holiday-adjacent absence patterns, the binomial test, and reason codes.

The test school is open every weekday of autumn 2024 (2 Sep - 20 Dec, 15 school weeks,
150 sessions) except half-term (28 Oct - 1 Nov). Holiday-adjacent days in that term: Fri 25 Oct
and Mon 4 Nov (2 Sep and 20 Dec are the first and last days the calendar knows).
"""

from __future__ import annotations

import datetime as dt

import pytest

from attendance_cli.analysis.patterns import ReasonCount, binomial_tail, flag_above_chance

from .builders import D, Register, analyse, autumn_2024, calendar_of, present, weekdays

AUTUMN = (D(2024, 9, 2), D(2024, 12, 20))
MONDAYS = [day for day in autumn_2024() if day.weekday() == 0]


@pytest.mark.parametrize(
    ("n", "k", "p", "expected"),
    [
        pytest.param(4, 4, 0.5, 1 / 16, id="all-four-at-half"),
        pytest.param(10, 8, 0.5, 56 / 1024, id="8-of-10-at-half"),  # (45 + 10 + 1) / 2^10
        pytest.param(3, 1, 0.5, 7 / 8, id="at-least-one-of-3"),
        pytest.param(5, 0, 0.3, 1.0, id="at-least-none"),
        pytest.param(5, 6, 0.3, 0.0, id="more-than-n"),
        pytest.param(5, 2, 0.0, 0.0, id="rate-zero"),
        pytest.param(5, 2, 1.0, 1.0, id="rate-one"),
        pytest.param(4, 3, 0.01, 4 * 0.01**3 * 0.99 + 0.01**4, id="3-of-4-at-1pct"),
        # 0.5 + C(2000, 1000) / 2^2001, with C(2000, 1000) / 2^2000 ~ 1 / sqrt(1000 pi) = 0.01784
        pytest.param(2000, 1000, 0.5, 0.50892, id="large-n-no-overflow"),
    ],
)
def test_binomial_tail(n: int, k: int, p: float, expected: float) -> None:
    assert binomial_tail(n, k, p) == pytest.approx(expected, rel=1e-9, abs=1e-4 if n > 100 else 0)


@pytest.mark.parametrize(
    ("possible", "absent", "rate", "flagged"),
    [
        pytest.param(4, 3, 0.01, False, id="tiny-p-but-only-3-sessions"),
        pytest.param(4, 4, 0.01, True, id="4-sessions-and-tiny-p"),
        pytest.param(30, 5, 1 / 6, False, id="as-expected-by-chance"),
        pytest.param(0, 0, 0.2, False, id="no-sessions"),
    ],
)
def test_flag_needs_both_the_count_and_the_p_value(
    possible: int, absent: int, rate: float, flagged: bool
) -> None:
    assert flag_above_chance(possible, absent, rate)[1] is flagged


def test_a_strong_monday_pattern_is_flagged() -> None:
    pupil = present(autumn_2024()).days(MONDAYS, "I")
    pattern = analyse(pupil, school_days=autumn_2024(), start=AUTUMN[0], end=AUTUMN[1]).pattern
    monday, tuesday = pattern.weekdays[0], pattern.weekdays[1]
    # 30 of 150 absent: rate 0.2; every Monday session absent: P = 0.2^30
    assert (monday.weekday, monday.possible, monday.absent, monday.absence_pct) == (
        "Monday",
        30,
        30,
        100.0,
    )
    assert monday.p_value == pytest.approx(0.2**30, rel=1e-9)
    assert monday.flagged is True
    assert (tuesday.possible, tuesday.absent, tuesday.p_value, tuesday.flagged) == (
        30,
        0,
        1.0,
        False,
    )
    assert pattern.flagged_weekdays == ("Monday",)
    # holiday-adjacent: 25 Oct present, 4 Nov absent: 2 of 4 at 0.2 -> 1 - 0.8^4 - 4(0.2)(0.8^3)
    holiday = pattern.holiday_adjacent
    assert (holiday.days, holiday.possible, holiday.absent, holiday.absent_dates) == (
        2,
        4,
        2,
        (D(2024, 11, 4),),
    )
    assert holiday.p_value == pytest.approx(0.1808, rel=1e-9)
    assert holiday.flagged is False


def test_uniform_absence_is_not_a_pattern() -> None:
    first_five_weeks = [day for day in autumn_2024() if day < D(2024, 10, 5)]
    pupil = present(autumn_2024())
    for day in first_five_weeks:
        pupil.session(day, 0, "I")
    pattern = analyse(pupil, school_days=autumn_2024(), start=AUTUMN[0], end=AUTUMN[1]).pattern
    assert [(w.possible, w.absent) for w in pattern.weekdays] == [(30, 5)] * 5
    assert pattern.flagged_weekdays == ()
    assert all(w.p_value is not None and w.p_value > 0.01 for w in pattern.weekdays)


def test_absence_next_to_holidays_is_flagged() -> None:
    pupil = present(autumn_2024()).put(D(2024, 10, 25), "I").put(D(2024, 11, 4), "I")
    holiday = analyse(
        pupil, school_days=autumn_2024(), start=AUTUMN[0], end=AUTUMN[1]
    ).pattern.holiday_adjacent
    assert (holiday.days, holiday.possible, holiday.absent) == (2, 4, 4)
    assert holiday.absent_dates == (D(2024, 10, 25), D(2024, 11, 4))
    assert holiday.p_value == pytest.approx((4 / 150) ** 4, rel=1e-9)
    assert holiday.flagged is True


@pytest.mark.parametrize(
    ("closed", "adjacent_days"),
    [
        pytest.param((D(2024, 10, 7), D(2024, 10, 7)), 0, id="one-day-closure-is-no-holiday"),
        pytest.param((D(2024, 10, 7), D(2024, 10, 8)), 0, id="two-weekdays-is-no-holiday"),
        pytest.param((D(2024, 10, 7), D(2024, 10, 9)), 2, id="three-weekdays-is-a-holiday"),
    ],
)
def test_a_holiday_is_at_least_three_weekdays_without_school(
    closed: tuple[dt.date, dt.date], adjacent_days: int
) -> None:
    days = weekdays(D(2024, 9, 2), D(2024, 10, 18), skip=[closed])
    result = analyse(present(days), school_days=days, start=days[0], end=days[-1])
    assert result.pattern.holiday_adjacent.days == adjacent_days


def test_the_last_day_of_term_is_holiday_adjacent_when_the_calendar_goes_on() -> None:
    days = autumn_2024() + weekdays(D(2025, 1, 6), D(2025, 1, 10))
    pupil = present(days).put(D(2024, 12, 20), "G")
    result = analyse(pupil, school_days=days, start=D(2024, 12, 2), end=D(2024, 12, 20))
    assert result.pattern.holiday_adjacent.absent_dates == (D(2024, 12, 20),)
    assert result.pattern.holiday_adjacent.days == 1


def test_top_reasons_use_the_code_set_of_each_date() -> None:
    pupil = (
        Register()
        .put(D(2024, 7, 15), "C")  # 2006: other authorised circumstances
        .put(D(2024, 7, 16), "C")
        .put(D(2024, 7, 17), "J")  # 2006: interview, AEA: attended, not a reason
        .put(D(2024, 9, 2), "C1")
        .put(D(2024, 9, 3), "C1", "N")
        .put(D(2024, 9, 4), "N")
        .put(D(2024, 9, 5), "C")  # 2024: exceptional circumstances
        .put(D(2024, 9, 6), "J1", "L")
        .put(D(2024, 9, 9), "M", "/")
    )
    result = analyse_alone(pupil, D(2024, 7, 15), D(2024, 9, 9))
    assert result.pattern.top_reasons == (
        ReasonCount("C", "Other authorised circumstances", "authorised", "2006", 4),
        ReasonCount(
            "C1",
            "Leave of absence: regulated performance or employment abroad",
            "authorised",
            "2024",
            3,
        ),
        ReasonCount("N", "Reason for absence not yet provided", "unauthorised", "2024", 3),
        ReasonCount("C", "Leave of absence: exceptional circumstances", "authorised", "2024", 2),
        ReasonCount("J1", "Leave of absence: interview", "authorised", "2024", 1),
    )  # M (1) is sixth: only 5 are listed


def analyse_alone(pupil: Register, start: dt.date, end: dt.date):  # type: ignore[no-untyped-def]
    from attendance_cli.analysis.figures import analyse_enrolment

    return analyse_enrolment(marks=pupil.marks, start=start, end=end, calendar=calendar_of(pupil))


@pytest.mark.parametrize("n", [1, 2, 7, 20, 47, 94])
@pytest.mark.parametrize("p", [0.01, 0.0532, 0.1489, 0.5, 0.93])
def test_binomial_tail_both_ways_match_exact_sums(n: int, p: float) -> None:
    # below the expected count the tail is one minus the lower terms; above it, the upper
    # terms: both against the exact sum of math.comb terms, for every k
    from fractions import Fraction
    from math import comb

    q = Fraction(p)
    for k in range(n + 2):
        exact = sum(comb(n, i) * q**i * (1 - q) ** (n - i) for i in range(k, n + 1))
        assert binomial_tail(n, k, p) == pytest.approx(float(exact), rel=1e-9, abs=1e-15), k
