"""Counts, rates and bands of one enrolment, and counting many at once.

Expected values are hand-computed from ../shared/domain/attendance-rules.md.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
import pytest

from attendance_cli import marks
from attendance_cli.analysis.counts import (
    CountArrays,
    SessionCounts,
    count_many,
    percent,
    round_1dp,
    school_calendar,
)
from attendance_cli.analysis.figures import count_sessions
from attendance_cli.errors import InvalidInputError, UsageError

from .builders import D, Register

OLD = D(2024, 3, 5)  # a Tuesday under the 2006 code set
NEW = D(2025, 3, 4)  # a Tuesday under the 2024 code set

FIELDS = (
    "possible",
    "attended",
    "present",
    "aea",
    "authorised",
    "unauthorised",
    "late",
    "missing",
    "not_possible",
)
# What ONE day (two sessions) of each kind of mark counts as.
ONE_DAY = {
    "present": {"possible": 2, "attended": 2, "present": 2},
    "late": {"possible": 2, "attended": 2, "present": 2, "late": 2},
    "aea": {"possible": 2, "attended": 2, "aea": 2},
    "authorised": {"possible": 2, "authorised": 2},
    "unauthorised": {"possible": 2, "unauthorised": 2},
    "unauthorised_late": {"possible": 2, "unauthorised": 2, "late": 2},
    "not_possible": {"not_possible": 2},
    "missing": {"missing": 2},
    "blank": {},
}

CODE_CASES = [
    # 2006 set
    *(pytest.param(OLD, c, "present", id=f"2006-{c}-present") for c in ("/",)),
    pytest.param(OLD, "L", "late", id="2006-L-late-is-present"),
    *(pytest.param(OLD, c, "aea", id=f"2006-{c}-aea") for c in "BJPVW"),
    *(pytest.param(OLD, c, "authorised", id=f"2006-{c}-authorised") for c in "CEHFIMRST"),
    *(pytest.param(OLD, c, "unauthorised", id=f"2006-{c}-unauthorised") for c in "GNO"),
    pytest.param(OLD, "U", "unauthorised_late", id="2006-U-late-is-unauthorised"),
    *(pytest.param(OLD, c, "not_possible", id=f"2006-{c}-not-possible") for c in "DXYZ#"),
    pytest.param(OLD, "-", "missing", id="2006-dash-missing"),
    pytest.param(OLD, ".", "blank", id="2006-blank"),
    # 2024 set
    pytest.param(NEW, "/", "present", id="2024-slash-present"),
    pytest.param(NEW, "L", "late", id="2024-L-late-is-present"),
    *(pytest.param(NEW, c, "aea", id=f"2024-{c}-aea") for c in "KVPWB"),
    *(
        pytest.param(NEW, c, "authorised", id=f"2024-{c}-authorised")
        for c in ("C1", "M", "J1", "S", "C2", "C", "T", "R", "I", "E")
    ),
    *(pytest.param(NEW, c, "unauthorised", id=f"2024-{c}-unauthorised") for c in "GNO"),
    pytest.param(NEW, "U", "unauthorised_late", id="2024-U-late-is-unauthorised"),
    *(
        pytest.param(NEW, c, "not_possible", id=f"2024-{c}-not-possible")
        for c in ("D", "Q", "X", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Z", "#")
    ),
    pytest.param(NEW, "-", "missing", id="2024-dash-missing"),
    pytest.param(NEW, ".", "blank", id="2024-blank"),
    # lower case and spaces are normalised on import; the builder does the same
    pytest.param(NEW, "c 1", "authorised", id="2024-c1-normalised"),
]


@pytest.mark.parametrize(("day", "code", "kind"), CODE_CASES)
def test_every_code_counts_in_its_category(day: dt.date, code: str, kind: str) -> None:
    figures = count_sessions(marks=Register().put(day, code).marks, start=day, end=day)
    expected = ONE_DAY[kind]
    assert {f: getattr(figures, f) for f in FIELDS} == {f: expected.get(f, 0) for f in FIELDS}


def test_j_is_attended_in_2006_and_j1_is_absence_in_2024() -> None:
    register = (
        Register()
        .put(D(2024, 7, 15), "J")  # 2023/24, 2006 set: interview = AEA
        .put(D(2024, 7, 16), "/")
        .put(D(2024, 9, 2), "J1")  # 2024/25, 2024 set: interview = authorised
        .put(D(2024, 9, 3), "/")
    )
    assert set(register.marks) == {2023, 2024}
    figures = count_sessions(marks=register.marks, start=D(2024, 7, 15), end=D(2024, 9, 3))
    assert (figures.possible, figures.attended, figures.aea, figures.present) == (8, 6, 2, 4)
    assert (figures.authorised, figures.sessions_missed, figures.days_missed) == (2, 2, 1.0)
    assert (figures.attendance_pct, figures.absence_pct) == (75.0, 25.0)


MON = D(2024, 9, 2)
WHOLE = (MON, D(2025, 3, 31))

BOUNDARY_CASES = [
    # codes laid session by session from Mon 2 Sep 2024; expected (possible, absent,
    # attendance %, absence %, persistent, severe)
    pytest.param(
        ["I"] * 10 + ["/"] * 90, (100, 10, 90.0, 10.0, True, False), id="pa-exactly-10pct"
    ),
    pytest.param(
        ["#"] * 9 + ["I"] * 9 + ["/"] * 82,
        (91, 9, 90.1, 9.9, False, False),
        id="pa-just-below-9-of-91",
    ),
    pytest.param(
        ["N"] * 20 + ["/"] * 181,
        (201, 20, 90.0, 10.0, False, False),
        id="rounds-to-10pct-but-not-pa-20-of-201",
    ),
    pytest.param(
        ["O"] * 11 + ["/"] * 89, (100, 11, 89.0, 11.0, True, False), id="pa-just-above-11-of-100"
    ),
    pytest.param(
        ["O"] * 50 + ["/"] * 50, (100, 50, 50.0, 50.0, True, True), id="severe-exactly-50pct"
    ),
    pytest.param(
        ["#"] + ["I"] * 49 + ["/"] * 50,
        (99, 49, 50.5, 49.5, True, False),
        id="severe-just-below-49-of-99",
    ),
    pytest.param(["N"] * 10, (10, 10, 0.0, 100.0, True, True), id="severe-all-absent"),
    pytest.param(["/"] * 10, (10, 0, 100.0, 0.0, False, False), id="all-present"),
    pytest.param(["#"] * 10, (0, 0, None, None, False, False), id="no-possible-sessions-no-rate"),
    pytest.param([], (0, 0, None, None, False, False), id="not-on-roll-at-all"),
    pytest.param(
        ["-"] * 4 + ["/"] * 6, (6, 0, 100.0, 0.0, False, False), id="dash-missing-is-never-possible"
    ),
]


@pytest.mark.parametrize(("session_codes", "expected"), BOUNDARY_CASES)
def test_rates_and_bands_at_the_boundaries(session_codes: list[str], expected: tuple) -> None:
    figures = count_sessions(
        marks=Register().lay(MON, session_codes).marks, start=WHOLE[0], end=WHOLE[1]
    )
    assert (
        figures.possible,
        figures.sessions_missed,
        figures.attendance_pct,
        figures.absence_pct,
        figures.persistent,
        figures.severe,
    ) == expected


def test_days_missed_can_be_half_days_and_late_adds_l_and_u() -> None:
    register = Register().lay(MON, ["I", "/", "N", "L", "U", "/", "-", "/"])
    figures = count_sessions(marks=register.marks, start=MON, end=D(2024, 9, 6))
    assert (figures.sessions_missed, figures.days_missed) == (3, 1.5)
    assert (figures.late, figures.missing, figures.possible) == (2, 1, 7)


def test_period_limits_are_inclusive_and_weekends_have_no_sessions() -> None:
    register = Register().days([D(2024, 9, 6), D(2024, 9, 9)], "N")  # Fri, Mon
    saturday_to_sunday = count_sessions(
        marks=register.marks, start=D(2024, 9, 7), end=D(2024, 9, 8)
    )
    friday_to_monday = count_sessions(marks=register.marks, start=D(2024, 9, 6), end=D(2024, 9, 9))
    assert saturday_to_sunday.possible == 0
    assert friday_to_monday.unauthorised == 4


def test_a_period_ending_before_it_starts_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        count_sessions(marks={}, start=D(2024, 9, 3), end=D(2024, 9, 2))


def test_a_corrupt_string_is_invalid_input() -> None:
    with pytest.raises(InvalidInputError):
        count_sessions(marks={2024: "/" * 539}, start=MON, end=MON)
    bad = "?" * marks.YEAR_LENGTH
    with pytest.raises(InvalidInputError):
        count_sessions(marks={2024: bad}, start=MON, end=MON)


PERCENT_CASES = [
    pytest.param(1, 8, 12.5, id="exact-half-percent"),
    pytest.param(1, 16, 6.3, id="6.25-rounds-half-up"),
    pytest.param(5, 2000, 0.3, id="0.25-rounds-half-up"),
    pytest.param(1, 3, 33.3, id="third"),
    pytest.param(2, 3, 66.7, id="two-thirds"),
    pytest.param(0, 5, 0.0, id="zero"),
    pytest.param(7, 7, 100.0, id="all"),
    pytest.param(1, 0, None, id="no-denominator"),
]


@pytest.mark.parametrize(("numerator", "denominator", "expected"), PERCENT_CASES)
def test_percent_rounds_half_up_to_one_decimal(
    numerator: int, denominator: int, expected: float | None
) -> None:
    assert percent(numerator, denominator) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(Fraction(-1, 4), -0.3, id="negative-half-away-from-zero"),
        pytest.param(Fraction(-1, 3), -0.3, id="negative-third"),
        pytest.param(Fraction(1, 20), 0.1, id="0.05-up"),
    ],
)
def test_round_1dp(value: Fraction, expected: float) -> None:
    assert round_1dp(value) == expected


# --- many enrolments at once ----------------------------------------------------------------


def _year_2024(session_codes: list[str]) -> str:
    return Register().lay(MON, session_codes).marks.get(2024, marks.EMPTY_YEAR)


def test_count_many_counts_each_string() -> None:
    strings = [
        _year_2024(["/"] * 10 + ["N", "N", "U", "L"]),
        _year_2024(["I", "B", "#", "-", "/"]),
        marks.EMPTY_YEAR,
    ]
    counts = count_many(strings)
    assert counts.present.tolist() == [11, 1, 0]  # L is present
    assert counts.aea.tolist() == [0, 1, 0]
    assert counts.authorised.tolist() == [0, 1, 0]
    assert counts.unauthorised.tolist() == [3, 0, 0]
    assert counts.not_possible.tolist() == [0, 1, 0]
    assert counts.missing.tolist() == [0, 1, 0]
    assert counts.late.tolist() == [2, 0, 0]
    assert counts.possible.tolist() == [14, 3, 0]
    assert counts.attended.tolist() == [11, 2, 0]
    assert counts.absent.tolist() == [3, 1, 0]
    assert counts.persistent.tolist() == [True, True, False]  # 30 >= 14; 10 >= 3
    assert counts.severe.tolist() == [False, False, False]  # 6 < 14; 2 < 3


def test_count_many_over_a_span_counts_only_those_positions() -> None:
    strings = [_year_2024(["N", "N"] + ["/"] * 8 + ["I", "I"])]  # Mon 2 Sep .. Mon 9 Sep
    lo, hi = marks.span(2024, D(2024, 9, 3), D(2024, 9, 9))
    counts = count_many(strings, lo, hi)
    assert (counts.unauthorised[0], counts.authorised[0], counts.present[0]) == (0, 2, 8)


def test_count_many_rejects_corrupt_strings() -> None:
    with pytest.raises(InvalidInputError):
        count_many(["/" * 10])
    with pytest.raises(InvalidInputError):
        count_many(["/" * 539 + "?"])
    with pytest.raises(InvalidInputError):
        count_many(["/" * 539 + "é"])


def test_count_many_of_nothing() -> None:
    assert len(count_many([])) == 0


def test_count_arrays_stack_single_counts() -> None:
    stacked = CountArrays.from_counts(
        [SessionCounts(present=3, unauthorised=1), SessionCounts(aea=2)]
    )
    assert stacked.possible.tolist() == [4, 2]
    assert stacked.at(0) == SessionCounts(present=3, unauthorised=1)


def test_school_calendar_marks_sessions_any_pupil_could_attend() -> None:
    tue, wed = D(2024, 9, 3), D(2024, 9, 4)
    a = Register().put(MON, "/").put(tue, "#").put(wed, "-")
    b = Register().put(MON, ".").put(tue, "I", "#").put(wed, "-")
    calendar = school_calendar([a.marks[2024], b.marks[2024]])
    at = [marks.position(day, s) for day in (MON, tue, wed) for s in (0, 1)]
    assert calendar[at].tolist() == [True, True, True, False, False, False]
    assert int(np.count_nonzero(calendar)) == 3
    assert not school_calendar([]).any()
