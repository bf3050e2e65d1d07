"""Bands, at-risk reasons and the recovery arithmetic for PA pupils.

At-risk tests use the period Mon 2 Sep - Fri 15 Nov 2024 at a school with half-term
28 Oct - 1 Nov: 10 school weeks, 100 sessions; its last 4 school weeks are 14 Oct, 21 Oct,
4 Nov and 11 Nov (40 sessions).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from attendance_cli.analysis.figures import Band
from attendance_cli.analysis.thresholds import ThresholdConfig, sessions_to_recover
from attendance_cli.errors import UsageError

from .builders import D, Register, analyse, autumn_2024, present, weekdays

START, END = D(2024, 9, 2), D(2024, 11, 15)
MON = START


def _pupil(*marked: tuple[dt.date, str]) -> Register:
    pupil = present(autumn_2024())
    for day, code in marked:
        pupil.put(day, code)
    return pupil


AT_RISK_CASES = [
    # (pupil, options, band, reason codes)
    pytest.param(
        present(autumn_2024()).lay(MON, ["I"] * 7),
        {},
        Band.AT_RISK,
        ("period_absence",),
        id="period-7-of-100-at-risk",
    ),
    pytest.param(
        present(autumn_2024()).lay(MON, ["I"] * 6), {}, Band.NONE, (), id="period-6-of-100-none"
    ),
    pytest.param(
        _pupil((D(2024, 10, 14), "I"), (D(2024, 11, 4), "I")),
        {},
        Band.AT_RISK,
        ("recent_absence",),
        id="recent-4-of-40-at-risk",
    ),
    pytest.param(
        _pupil((D(2024, 10, 14), "I")).session(D(2024, 11, 4), 0, "I"),
        {},
        Band.NONE,
        (),
        id="recent-3-of-40-none",
    ),
    pytest.param(
        _pupil((D(2024, 10, 14), "I"), (D(2024, 10, 21), "N"), (D(2024, 11, 4), "I")).session(
            D(2024, 11, 11), 0, "M"
        ),
        {},
        Band.AT_RISK,
        ("period_absence", "recent_absence"),
        id="both-period-and-recent",
    ),
    pytest.param(
        present(autumn_2024()).lay(MON, ["I"] * 10),
        {},
        Band.PERSISTENT,
        (),
        id="pa-has-no-at-risk-reasons",
    ),
    pytest.param(
        present(autumn_2024()).lay(MON, ["N"] * 50),
        {},
        Band.SEVERE,
        (),
        id="severe-is-the-top-band",
    ),
    pytest.param(
        present(autumn_2024()),
        {"previous_year_persistent": True},
        Band.AT_RISK,
        ("previous_year_pa",),
        id="pa-last-year-flag",
    ),
    pytest.param(
        present(autumn_2024()).lay(MON, ["I"] * 6),
        {"config": ThresholdConfig(at_risk_percent=5)},
        Band.AT_RISK,
        ("period_absence",),
        id="config-5pct",
    ),
    pytest.param(
        present(autumn_2024()).lay(MON, ["I"] * 7),
        {"config": ThresholdConfig(at_risk_percent=Fraction(15, 2))},
        Band.NONE,
        (),
        id="config-7.5pct-7-of-100-below",
    ),
    pytest.param(
        present(autumn_2024()).lay(MON, ["I"] * 8),
        {"config": ThresholdConfig(at_risk_percent=Fraction(15, 2))},
        Band.AT_RISK,
        ("period_absence",),
        id="config-7.5pct-8-of-100-at",
    ),
    pytest.param(_pupil((D(2024, 11, 11), "I")), {}, Band.NONE, (), id="recent-2-of-40-none"),
    pytest.param(
        _pupil((D(2024, 11, 11), "I")),
        {"config": ThresholdConfig(recent_weeks=2)},
        Band.AT_RISK,
        ("recent_absence",),
        id="config-2-weeks-2-of-20",
    ),
]


@pytest.mark.parametrize(("pupil", "options", "band", "reasons"), AT_RISK_CASES)
def test_band_and_at_risk_reasons(
    pupil: Register, options: dict, band: Band, reasons: tuple[str, ...]
) -> None:
    result = analyse(pupil, school_days=autumn_2024(), start=START, end=END, **options)
    assert result.band == band
    assert tuple(reason.code for reason in result.at_risk_reasons) == reasons


def test_reasons_explain_themselves() -> None:
    pupil = _pupil((D(2024, 10, 14), "I"), (D(2024, 11, 4), "I"))
    (reason,) = analyse(pupil, school_days=autumn_2024(), start=START, end=END).at_risk_reasons
    assert reason.text == (
        "Absence 10.0% (4 of 40 sessions) over the last 4 school weeks (from 2024-10-14), "
        "at or above 10%"
    )


JUNE_2024 = weekdays(D(2024, 6, 3), D(2024, 6, 14))  # 2023/24: 10 days, 20 sessions


@pytest.mark.parametrize(
    ("absent_last_year", "flag", "expected_flag", "reasons"),
    [
        pytest.param(2, None, True, ("previous_year_pa",), id="last-year-2-of-20-is-pa"),
        pytest.param(1, None, False, (), id="last-year-1-of-20-not-pa"),
        pytest.param(2, False, False, (), id="callers-flag-wins"),
        pytest.param(None, None, None, (), id="no-marks-last-year"),
    ],
)
def test_previous_year_pa_from_the_marks(
    absent_last_year: int | None,
    flag: bool | None,
    expected_flag: bool | None,
    reasons: tuple[str, ...],
) -> None:
    pupil = present(autumn_2024())
    if absent_last_year is not None:
        pupil.days(JUNE_2024, "/").lay(JUNE_2024[0], ["I"] * absent_last_year)
    result = analyse(
        pupil,
        school_days=JUNE_2024 + autumn_2024(),
        start=START,
        end=END,
        previous_year_persistent=flag,
    )
    assert result.previous_year_persistent is expected_flag
    assert tuple(r.code for r in result.at_risk_reasons) == reasons
    if reasons:
        assert "2023/24: absence 10.0%, 2 of 20 sessions" in result.at_risk_reasons[0].text


@pytest.mark.parametrize(
    ("flag", "band"),
    [
        pytest.param(None, Band.NONE, id="no-possible-no-band"),
        pytest.param(True, Band.AT_RISK, id="no-possible-but-pa-last-year"),
    ],
)
def test_no_possible_sessions(flag: bool | None, band: Band) -> None:
    pupil = Register().days(autumn_2024(), "#")
    result = analyse(
        pupil, school_days=autumn_2024(), start=START, end=END, previous_year_persistent=flag
    )
    assert (result.figures.possible, result.figures.absence_pct, result.band) == (0, None, band)
    assert result.recovery is None


# --- recovery -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("absent", "possible", "needed"),
    [
        pytest.param(10, 100, 1, id="exactly-10pct-needs-1"),  # 10/101 = 9.9%
        pytest.param(9, 91, 0, id="below-10pct-needs-0"),
        pytest.param(10, 99, 2, id="10-of-99-needs-2"),  # 10/100 is still 10%
        pytest.param(1, 10, 1, id="1-of-10-needs-1"),  # 1/11
        pytest.param(20, 100, 101, id="20pct-needs-101"),  # 20/201 < 10%, 20/200 is not
        pytest.param(50, 100, 401, id="50pct-needs-401"),
        pytest.param(0, 0, 0, id="nothing"),
    ],
)
def test_sessions_to_recover(absent: int, possible: int, needed: int) -> None:
    assert sessions_to_recover(absent, possible) == needed


# Period 2 Sep - 29 Nov 2024: 12 school weeks, 120 sessions; the school calendar runs to 20 Dec,
# so 30 sessions (2 - 20 Dec) are left this term. The assumed 2024/25 year then has 55 spring
# days (6 Jan - 28 Mar less half-term) and 64 summer days (14 Apr - 22 Jul less half-term, Good
# Friday, Easter Monday and 5 May): 238 sessions after 20 Dec.
REC_END = D(2024, 11, 29)


@pytest.mark.parametrize(
    ("not_possible", "absent", "needed", "term_unavoidable", "year_unavoidable"),
    [
        pytest.param(9, 14, 30, False, False, id="needs-exactly-the-30-left-this-term"),  # 14/141
        pytest.param(10, 14, 31, True, False, id="needs-one-more-than-left-this-term"),
        pytest.param(0, 60, 481, True, True, id="severe-unavoidable-this-year"),
    ],
)
def test_recovery_with_the_calendar_ahead(
    not_possible: int, absent: int, needed: int, term_unavoidable: bool, year_unavoidable: bool
) -> None:
    pupil = present(autumn_2024()).lay(START, ["D"] * not_possible + ["I"] * absent)
    recovery = analyse(pupil, school_days=autumn_2024(), start=START, end=REC_END).recovery
    assert recovery is not None
    assert (recovery.possible, recovery.absent, recovery.sessions_needed) == (
        120 - not_possible,
        absent,
        needed,
    )
    term, year = recovery.term, recovery.year
    assert (term.label, term.date, term.remaining_sessions, term.remaining_from) == (
        "end of autumn term 2024",
        D(2024, 12, 20),
        30,
        "calendar",
    )
    assert (year.label, year.date, year.remaining_sessions, year.remaining_from) == (
        "end of 2024/25",
        D(2025, 7, 22),
        268,
        "calendar+assumed",
    )
    assert (term.unavoidable, year.unavoidable) == (term_unavoidable, year_unavoidable)
    assert term.days_needed == needed / 2


def test_recovery_beyond_the_calendar_uses_the_assumed_year() -> None:
    so_far = [day for day in autumn_2024() if day <= REC_END]
    pupil = present(so_far).lay(START, ["I"] * 20)
    recovery = analyse(pupil, school_days=so_far, start=START, end=REC_END).recovery
    assert recovery is not None
    assert (recovery.term.remaining_sessions, recovery.term.remaining_from) == (30, "assumed")
    assert (recovery.year.remaining_sessions, recovery.year.remaining_from) == (268, "assumed")
    assert recovery.sessions_needed == 200 - 120 + 1


def test_recovery_in_the_christmas_holiday_looks_to_the_spring_term() -> None:
    pupil = present(autumn_2024()).lay(START, ["I"] * 20)
    recovery = analyse(pupil, school_days=autumn_2024(), start=START, end=D(2024, 12, 23)).recovery
    assert recovery is not None
    assert (recovery.term.label, recovery.term.date) == ("end of spring term 2025", D(2025, 3, 28))
    assert (recovery.term.remaining_sessions, recovery.term.remaining_from) == (110, "assumed")
    assert recovery.year.remaining_sessions == 238


def test_recovery_after_the_summer_term_has_nothing_left() -> None:
    summer = weekdays(D(2024, 6, 3), D(2024, 7, 19))
    pupil = present(summer).lay(summer[0], ["N"] * 20)
    recovery = analyse(pupil, school_days=summer, start=summer[0], end=D(2024, 7, 31)).recovery
    assert recovery is not None
    assert (recovery.term.date, recovery.year.date) == (D(2024, 7, 22), D(2024, 7, 22))
    assert (recovery.year.remaining_sessions, recovery.year.remaining_from) == (0, "past")
    assert recovery.year.unavoidable is True


def test_no_recovery_plan_for_a_pupil_below_pa() -> None:
    pupil = present(autumn_2024()).lay(START, ["I"] * 11)
    assert analyse(pupil, school_days=autumn_2024(), start=START, end=REC_END).recovery is None


@pytest.mark.parametrize(
    ("absent", "band"),
    [pytest.param(7, Band.NONE, id="7-below-7.5"), pytest.param(8, Band.AT_RISK, id="8-at-7.5")],
)
def test_a_float_threshold_is_read_as_its_decimal(absent: int, band: Band) -> None:
    pupil = present(autumn_2024()).lay(MON, ["I"] * absent)
    config = ThresholdConfig(at_risk_percent=7.5)
    assert (
        analyse(pupil, school_days=autumn_2024(), start=START, end=END, config=config).band == band
    )


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"penalty_weeks": 0}, id="no-weeks"),
        pytest.param({"recent_weeks": 0}, id="no-recent-weeks"),
        pytest.param({"at_risk_percent": 101}, id="over-100pct"),
    ],
)
def test_nonsense_thresholds_are_refused(options: dict) -> None:
    with pytest.raises(UsageError):
        ThresholdConfig(**options)


def test_an_enrolment_with_no_marks_over_a_weekend() -> None:
    from attendance_cli.analysis.calendar import SchoolCalendar
    from attendance_cli.analysis.figures import analyse_enrolment

    result = analyse_enrolment(
        marks={}, start=D(2024, 9, 7), end=D(2024, 9, 8), calendar=SchoolCalendar({})
    )
    assert (result.band, result.figures.possible, result.at_risk_reasons) == (Band.NONE, 0, ())
    assert (result.penalty.met_in_period, result.continuous.longest, result.trend.weekly) == (
        False,
        None,
        (),
    )
