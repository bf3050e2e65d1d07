"""Properties that hold for any marks (hypothesis)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from attendance_cli import codes, marks
from attendance_cli.analysis.counts import count_many, is_persistent, is_severe
from attendance_cli.analysis.figures import count_sessions
from attendance_cli.analysis.thresholds import sessions_to_recover
from attendance_cli.marks import AM, PM

from .builders import analyse, autumn_2024, present

STORED = sorted(codes.CATEGORY_OF_STORED)
YEAR_DAYS = [marks.year_start(2024) + dt.timedelta(days=n) for n in range(365)]

mark_strings = st.text(alphabet=STORED, min_size=marks.YEAR_LENGTH, max_size=marks.YEAR_LENGTH)
periods = st.tuples(st.sampled_from(YEAR_DAYS), st.sampled_from(YEAR_DAYS)).map(sorted)


@settings(max_examples=50, deadline=None)
@given(text=mark_strings, period=periods)
def test_counts_add_up_and_match_the_vectorised_count(text: str, period: list[dt.date]) -> None:
    start, end = period
    figures = count_sessions(marks={2024: text}, start=start, end=end)
    assert figures.possible == figures.attended + figures.authorised + figures.unauthorised
    assert figures.attended == figures.present + figures.aea
    assert figures.sessions_missed == figures.authorised + figures.unauthorised
    assert figures.days_missed * 2 == figures.sessions_missed
    lo, hi = marks.span(2024, start, end)
    assert figures.possible + figures.not_possible + figures.missing <= hi - lo
    many = count_many([text], lo, hi)
    assert many.at(0) == figures.counts()
    if figures.possible:
        assert figures.attendance_pct is not None and figures.absence_pct is not None
        assert abs(figures.attendance_pct + figures.absence_pct - 100) <= 0.1 + 1e-9


BAND_RANK = {(False, False): 0, (True, False): 1, (True, True): 2}


@settings(max_examples=50)
@given(
    st.integers(1, 2000).flatmap(
        lambda p: st.tuples(st.just(p), st.integers(0, p), st.integers(0, p))
    )
)
def test_band_is_monotonic_in_absence_and_exact(case: tuple[int, int, int]) -> None:
    possible, a, b = case
    low, high = sorted((a, b))

    def rank(absent: int) -> int:
        return BAND_RANK[(is_persistent(absent, possible), is_severe(absent, possible))]

    assert rank(low) <= rank(high)
    assert is_persistent(high, possible) == (Fraction(high, possible) >= Fraction(1, 10))
    assert is_severe(high, possible) == (Fraction(high, possible) >= Fraction(1, 2))


@settings(max_examples=50)
@given(st.integers(0, 2000).flatmap(lambda p: st.tuples(st.just(p), st.integers(0, p))))
def test_recovery_is_the_smallest_number_of_sessions(case: tuple[int, int]) -> None:
    possible, absent = case
    k = sessions_to_recover(absent, possible)
    if absent == 0:
        assert k == 0
        return
    assert Fraction(absent, possible + k) < Fraction(1, 10)
    assert k == 0 or Fraction(absent, possible + k - 1) >= Fraction(1, 10)


SESSIONS = [(day, s) for day in autumn_2024() for s in (AM, PM)]
WEEKS = sorted({day - dt.timedelta(days=day.weekday()) for day in autumn_2024()})


@settings(max_examples=25, deadline=None)
@given(
    chosen=st.lists(st.integers(0, len(SESSIONS) - 1), unique=True, max_size=40).map(sorted),
    codes_=st.lists(st.sampled_from("GNOU"), min_size=40, max_size=40),
)
def test_penalty_threshold_matches_a_brute_force_count(
    chosen: list[int], codes_: list[str]
) -> None:
    pupil = present(autumn_2024())
    for n, index in enumerate(chosen):
        pupil.session(*SESSIONS[index], codes_[n])
    result = analyse(
        pupil, school_days=autumn_2024(), start=autumn_2024()[0], end=autumn_2024()[-1]
    ).penalty

    def week_of(day: dt.date) -> int:
        return WEEKS.index(day - dt.timedelta(days=day.weekday()))

    expected = None
    for n, index in enumerate(chosen):
        day, _ = SESSIONS[index]
        window = [i for i in chosen[: n + 1] if week_of(SESSIONS[i][0]) > week_of(day) - 10]
        if len(window) >= 10:
            expected = SESSIONS[index]
            break
    met_at_end = sum(1 for i in chosen if week_of(SESSIONS[i][0]) >= len(WEEKS) - 10) >= 10
    assert result.met_in_period == (expected is not None)
    if expected is not None:
        assert (result.first_met_date, result.first_met_session) == (
            expected[0],
            ("AM", "PM")[expected[1]],
        )
    assert result.met_at_end == met_at_end
