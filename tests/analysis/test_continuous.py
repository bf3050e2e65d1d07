"""Continuous absence in school days, and the safeguarding flags that follow from it.

The test school is open every weekday of autumn 2024 (2 Sep - 20 Dec) except half-term
(28 Oct - 1 Nov). The pupil attends except where a test says otherwise.
"""

from __future__ import annotations

import datetime as dt

import pytest

from attendance_cli.analysis.thresholds import AbsenceRun

from .builders import D, analyse, autumn_2024, present, weekdays

AUTUMN = (D(2024, 9, 2), D(2024, 12, 20))


def _run(days: int, start: dt.date, end: dt.date, running: bool = False) -> AbsenceRun:
    return AbsenceRun(days=days, start=start, end=end, still_running=running)


RUN_CASES = [
    # (whole days marked: [(first, last, am, pm)], period, longest, longest unauthorised, flags)
    pytest.param(
        [(D(2024, 10, 7), D(2024, 10, 18), "N", None)],
        AUTUMN,
        _run(10, D(2024, 10, 7), D(2024, 10, 18)),
        _run(10, D(2024, 10, 7), D(2024, 10, 18)),
        ("continuous_unauthorised_absence",),
        id="10-school-days-unauthorised-tell-la",
    ),
    pytest.param(
        [(D(2024, 10, 7), D(2024, 10, 17), "N", None)],
        AUTUMN,
        _run(9, D(2024, 10, 7), D(2024, 10, 17)),
        _run(9, D(2024, 10, 7), D(2024, 10, 17)),
        (),
        id="9-school-days-no-flag",
    ),
    pytest.param(
        [(D(2024, 10, 14), D(2024, 11, 8), "O", None)],
        AUTUMN,
        _run(15, D(2024, 10, 14), D(2024, 11, 8)),
        _run(15, D(2024, 10, 14), D(2024, 11, 8)),
        ("continuous_unauthorised_absence",),
        id="half-term-week-is-skipped-10-plus-5",
    ),
    pytest.param(
        [(D(2024, 11, 4), D(2024, 11, 29), "N", None)],
        (AUTUMN[0], D(2024, 11, 29)),
        _run(20, D(2024, 11, 4), D(2024, 11, 29), True),
        _run(20, D(2024, 11, 4), D(2024, 11, 29), True),
        ("continuous_unauthorised_absence", "possible_missing_education"),
        id="20-days-still-running-possible-cme",
    ),
    pytest.param(
        [(D(2024, 11, 5), D(2024, 11, 29), "N", None)],
        (AUTUMN[0], D(2024, 11, 29)),
        _run(19, D(2024, 11, 5), D(2024, 11, 29), True),
        _run(19, D(2024, 11, 5), D(2024, 11, 29), True),
        ("continuous_unauthorised_absence",),
        id="19-days-still-running-not-cme",
    ),
    pytest.param(
        [
            (D(2024, 10, 7), D(2024, 10, 9), "I", None),
            (D(2024, 10, 10), D(2024, 10, 10), "I", "O"),
            (D(2024, 10, 11), D(2024, 10, 14), "N", None),
        ],
        AUTUMN,
        _run(6, D(2024, 10, 7), D(2024, 10, 14)),
        _run(2, D(2024, 10, 11), D(2024, 10, 14)),
        (),
        id="authorised-half-day-absent-but-breaks-unauthorised-run",
    ),
    pytest.param(
        [
            (D(2024, 10, 7), D(2024, 10, 8), "N", None),
            (D(2024, 10, 9), D(2024, 10, 9), "N", "#"),
            (D(2024, 10, 10), D(2024, 10, 10), "Y1", None),
            (D(2024, 10, 11), D(2024, 10, 11), "-", None),
            (D(2024, 10, 14), D(2024, 10, 14), "G", None),
        ],
        AUTUMN,
        _run(4, D(2024, 10, 7), D(2024, 10, 14)),
        _run(4, D(2024, 10, 7), D(2024, 10, 14)),
        (),
        id="not-possible-and-dash-days-are-skipped-not-counted",
    ),
    pytest.param(
        [
            (D(2024, 10, 7), D(2024, 10, 9), "N", None),
            (D(2024, 10, 10), D(2024, 10, 10), ".", None),
            (D(2024, 10, 11), D(2024, 10, 11), "N", None),
        ],
        AUTUMN,
        _run(3, D(2024, 10, 7), D(2024, 10, 9)),
        _run(3, D(2024, 10, 7), D(2024, 10, 9)),
        (),
        id="not-on-roll-day-breaks-the-run",
    ),
    pytest.param(
        [
            (D(2024, 10, 7), D(2024, 10, 9), "N", None),
            (D(2024, 10, 10), D(2024, 10, 10), "/", "N"),
            (D(2024, 10, 11), D(2024, 10, 11), "N", None),
        ],
        AUTUMN,
        _run(3, D(2024, 10, 7), D(2024, 10, 9)),
        _run(3, D(2024, 10, 7), D(2024, 10, 9)),
        (),
        id="half-day-present-breaks-the-run",
    ),
    pytest.param(
        [(D(2024, 9, 30), D(2024, 10, 18), "N", None)],
        (D(2024, 10, 14), AUTUMN[1]),
        _run(15, D(2024, 9, 30), D(2024, 10, 18)),
        _run(15, D(2024, 9, 30), D(2024, 10, 18)),
        ("continuous_unauthorised_absence",),
        id="run-followed-back-before-the-period-start",
    ),
    pytest.param(
        [(D(2024, 9, 9), D(2024, 9, 13), "N", None)],
        (D(2024, 10, 14), AUTUMN[1]),
        None,
        None,
        (),
        id="run-wholly-before-the-period-is-not-reported",
    ),
    pytest.param(
        [
            (D(2024, 11, 18), D(2024, 11, 22), "N", None),
            (D(2024, 11, 25), D(2024, 11, 29), "-", None),
        ],
        (AUTUMN[0], D(2024, 11, 29)),
        _run(5, D(2024, 11, 18), D(2024, 11, 22), True),
        _run(5, D(2024, 11, 18), D(2024, 11, 22), True),
        (),
        id="registers-not-yet-taken-leave-the-run-running",
    ),
    pytest.param(
        [(D(2024, 9, 9), D(2024, 9, 11), "I", None), (D(2024, 10, 7), D(2024, 10, 9), "I", None)],
        AUTUMN,
        _run(3, D(2024, 9, 9), D(2024, 9, 11)),
        None,
        (),
        id="equal-runs-earliest-first-no-unauthorised-run",
    ),
]


@pytest.mark.parametrize(("marked", "period", "longest", "unauthorised", "flags"), RUN_CASES)
def test_continuous_absence_runs(
    marked: list[tuple[dt.date, dt.date, str, str | None]],
    period: tuple[dt.date, dt.date],
    longest: AbsenceRun | None,
    unauthorised: AbsenceRun | None,
    flags: tuple[str, ...],
) -> None:
    school_days = autumn_2024()
    pupil = present(school_days)
    for first, last, am, pm in marked:
        pupil.days([day for day in weekdays(first, last) if day in school_days], am, pm)
    result = analyse(pupil, school_days=autumn_2024(), start=period[0], end=period[1])
    assert result.continuous.longest == longest
    assert result.continuous.longest_unauthorised == unauthorised
    assert tuple(flag.code for flag in result.flags) == flags


def test_marks_after_the_period_end_do_not_stop_a_run_that_is_still_running() -> None:
    pupil = present(autumn_2024()).days(weekdays(D(2024, 11, 18), D(2024, 11, 22)), "N")
    result = analyse(pupil, school_days=autumn_2024(), start=AUTUMN[0], end=D(2024, 11, 20))
    assert result.continuous.longest_unauthorised == _run(3, D(2024, 11, 18), D(2024, 11, 20), True)


@pytest.mark.parametrize(
    ("code", "social_worker", "looked_after", "flags"),
    [
        pytest.param(
            "N", True, False, ("unexplained_absence_social_worker",), id="n-social-worker"
        ),
        pytest.param("O", False, True, ("unexplained_absence_looked_after",), id="o-looked-after"),
        pytest.param(
            "N",
            True,
            True,
            ("unexplained_absence_social_worker", "unexplained_absence_looked_after"),
            id="n-both",
        ),
        pytest.param("N", False, False, (), id="n-no-social-care-involvement"),
        pytest.param("G", True, True, (), id="g-is-unauthorised-but-explained"),
    ],
)
def test_unexplained_absence_of_a_child_with_a_social_worker_or_looked_after(
    code: str, social_worker: bool, looked_after: bool, flags: tuple[str, ...]
) -> None:
    pupil = present(autumn_2024()).session(D(2024, 10, 7), 0, code)
    result = analyse(
        pupil,
        school_days=autumn_2024(),
        start=AUTUMN[0],
        end=AUTUMN[1],
        has_social_worker=social_worker,
        looked_after=looked_after,
    )
    assert tuple(flag.code for flag in result.flags) == flags
    assert result.unexplained_sessions == (1 if code in "NO" else 0)


def test_unexplained_absence_before_the_period_is_not_flagged() -> None:
    pupil = present(autumn_2024()).session(D(2024, 9, 2), 0, "N")
    result = analyse(
        pupil, school_days=autumn_2024(), start=D(2024, 9, 3), end=AUTUMN[1], has_social_worker=True
    )
    assert (result.unexplained_sessions, result.flags) == (0, ())
