"""Retention periods: the day a period ends a record is kept, the day after it is past.

Hand-computed from the builder (tests/privacy/builders.py) and the default 6 years:
- Harvey's 2018/19 marks run from 31/07/2019 (the academic year's end): kept to 31/07/2025;
- Kieran (no marks, no case) runs from 01/09/2025, the day he was imported: kept to 01/09/2031;
- Harvey's penalty notice, issued 06/10/2025 and never paid: kept to 06/10/2031;
- a case closed on 15/03/2026 with that notice in it: kept to the later of 15/03/2032 and
  the notice's end, 15/03/2032.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from attendance_cli.errors import InvalidInputError
from attendance_cli.privacy.retention import (
    RetentionPeriods,
    add_years,
    retention_items,
    retention_periods,
)
from attendance_cli.settings import load_settings
from attendance_cli.store import Store

DEFAULT = RetentionPeriods()


def _past(store: Store, today: dt.date, periods: RetentionPeriods = DEFAULT) -> set[tuple]:
    return {i.key for i in retention_items(store, periods=periods, today=today)}


@pytest.mark.parametrize(
    ("today", "past"),
    [
        pytest.param(dt.date(2025, 7, 31), False, id="marks-last-day-kept"),
        pytest.param(dt.date(2025, 8, 1), True, id="marks-day-after"),
    ],
)
def test_marks_boundary(store: Store, family: dict[str, int], today: dt.date, past: bool) -> None:
    key = ("marks", family["harvey_enrolment"], 2018)
    assert (key in _past(store, today)) is past
    assert ("marks", family["harvey_enrolment"], 2025) not in _past(store, today)


@pytest.mark.parametrize(
    ("today", "past"),
    [
        pytest.param(dt.date(2031, 9, 1), False, id="pupil-last-day-kept"),
        pytest.param(dt.date(2031, 9, 2), True, id="pupil-day-after"),
    ],
)
def test_pupil_with_nothing_else_boundary(
    store: Store, family: dict[str, int], today: dt.date, past: bool
) -> None:
    items = [
        i for i in retention_items(store, periods=DEFAULT, today=today) if i.upn.startswith("D")
    ]
    assert [(i.record_type, i.id) for i in items] == ([("pupil", family["kieran"])] if past else [])
    [kieran] = [
        i
        for i in retention_items(store, periods=DEFAULT, today=today, include_kept=True)
        if i.record_type == "pupil" and i.id == family["kieran"]
    ]
    assert (kieran.runs_from, kieran.ends_on) == (dt.date(2025, 9, 1), dt.date(2031, 9, 1))


def test_an_open_case_keeps_the_pupil_and_the_case(store: Store, family: dict[str, int]) -> None:
    far = dt.date(2090, 1, 1)
    kinds = {(i.record_type, i.id) for i in retention_items(store, periods=DEFAULT, today=far)}
    assert ("pupil", family["harvey"]) not in kinds
    assert ("case", family["case"]) not in kinds
    # what is past within an open case's pupil is listed on its own
    assert ("penalty_notice", family["notice"]) in kinds
    assert ("marks", family["harvey_enrolment"]) in kinds


def _close(store: Store, case_id: int, day: str) -> None:
    store.connection.execute(
        "UPDATE pupil_case SET status = 'closed', closed_at = ? WHERE id = ?",
        (f"{day} 10:00:00.000000", case_id),
    )


@pytest.mark.parametrize(
    ("today", "past"),
    [
        pytest.param(dt.date(2032, 3, 15), False, id="case-last-day-kept"),
        pytest.param(dt.date(2032, 3, 16), True, id="case-day-after"),
    ],
)
def test_closed_case_boundary(
    store: Store, family: dict[str, int], today: dt.date, past: bool
) -> None:
    _close(store, family["case"], "2026-03-15")
    _close(store, family["case"] + 1, "2026-03-15")  # Isla's case
    keys = _past(store, today)
    assert (("case", family["case"], None) in keys) is past
    assert ("penalty_notice", family["notice"], None) in keys  # ended 06/10/2031


@pytest.mark.parametrize(
    ("today", "past"),
    [
        pytest.param(dt.date(2031, 10, 6), False, id="notice-last-day-kept"),
        pytest.param(dt.date(2031, 10, 7), True, id="notice-day-after"),
    ],
)
def test_notice_boundary(store: Store, family: dict[str, int], today: dt.date, past: bool) -> None:
    assert (("penalty_notice", family["notice"], None) in _past(store, today)) is past


def test_a_case_is_kept_as_long_as_its_notices(store: Store, family: dict[str, int]) -> None:
    _close(store, family["case"], "2025-10-01")  # 6 years: 01/10/2031; its notice: 06/10/2031
    keys = _past(store, dt.date(2031, 10, 2))
    assert ("case", family["case"], None) not in keys
    assert ("case", family["case"], None) in _past(store, dt.date(2031, 10, 7))


def test_a_pupil_past_retention_covers_their_records(store: Store, family: dict[str, int]) -> None:
    for case_id in (family["case"], family["case"] + 1):
        _close(store, case_id, "2026-03-15")
    # Harvey's last activity: the end of 2025/26 (31/07/2026) + 6 = 31/07/2032, later than
    # the case (15/03/2032) and the notice (06/10/2031)
    assert ("pupil", family["harvey"], None) not in _past(store, dt.date(2032, 7, 31))
    keys = _past(store, dt.date(2032, 8, 1))
    harvey = [k for k in keys if k[0] != "pupil"]
    assert ("pupil", family["harvey"], None) in keys
    assert not [k for k in harvey if k[1] in (family["case"], family["harvey_enrolment"])]


def test_add_years_on_29_february() -> None:
    assert add_years(dt.date(2024, 2, 29), 6) == dt.date(2030, 2, 28)


def test_settings(tmp_path: Path, store: Store, family: dict[str, int]) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[retention]\nmarks_years = 3\n", encoding="utf-8")
    periods = retention_periods(load_settings(config))
    assert periods == RetentionPeriods(marks_years=3)
    # 31/07/2019 + 3 years = 31/07/2022
    assert ("marks", family["harvey_enrolment"], 2018) in _past(store, dt.date(2022, 8, 1), periods)
    assert ("marks", family["harvey_enrolment"], 2018) not in _past(
        store, dt.date(2022, 7, 31), periods
    )
    config.write_text("[retention]\npenalty_notice_years = 2\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="from 3 to 100"):
        retention_periods(load_settings(config))
    config.write_text("[retention]\nnotes_years = 2\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="Unknown setting retention.notes_years"):
        retention_periods(load_settings(config))
    assert retention_periods(load_settings(tmp_path / "missing.toml")) == DEFAULT


def test_the_day_of_import_counts_only_when_nothing_else_has_a_date(
    store: Store, family: dict[str, int]
) -> None:
    # Kieran left on 20/07/2018 after a 2017/18 year of marks; imported on 01/09/2025. His last
    # activity is the end of 2017/18 (31/07/2018): kept to 31/07/2024, past on 01/08/2024,
    # whenever the LA imported him.
    conn = store.connection
    conn.execute(
        "UPDATE enrolment SET leaving_date = '2018-07-20' WHERE id = ?",
        (family["kieran_enrolment"],),
    )
    conn.execute(
        "INSERT INTO mark_year (enrolment_id, academic_year, marks) VALUES (?, 2017, ?)",
        (family["kieran_enrolment"], "." * 540),
    )
    [kieran] = [
        i
        for i in retention_items(store, periods=DEFAULT, today=dt.date(2024, 8, 1))
        if i.record_type == "pupil"
    ]
    assert (kieran.id, kieran.runs_from, kieran.ends_on) == (
        family["kieran"],
        dt.date(2018, 7, 31),
        dt.date(2024, 7, 31),
    )
    assert ("pupil", family["kieran"], None) not in _past(store, dt.date(2024, 7, 31))
