"""Compulsory school age, hand-worked from the prescribed days (31 Dec, 31 Mar, 31 Aug on or
after the fifth birthday) and the last Friday in June of the school year a child turns 16."""

from __future__ import annotations

import datetime as dt

import pytest

from attendance_cli.analysis.school_age import (
    compulsory_school_age_from,
    compulsory_school_age_until,
    is_of_compulsory_school_age,
)

D = dt.date


@pytest.mark.parametrize(
    ("born", "from_day"),
    [
        pytest.param(D(2020, 9, 1), D(2025, 12, 31), id="born-1-sep-five-in-autumn"),
        pytest.param(D(2020, 12, 31), D(2025, 12, 31), id="fifth-birthday-on-a-prescribed-day"),
        pytest.param(D(2021, 1, 1), D(2026, 3, 31), id="born-1-jan-spring"),
        pytest.param(D(2021, 3, 31), D(2026, 3, 31), id="born-31-mar"),
        pytest.param(D(2021, 4, 1), D(2026, 8, 31), id="born-1-apr-summer"),
        pytest.param(D(2021, 8, 31), D(2026, 8, 31), id="born-31-aug-youngest"),
        pytest.param(D(2020, 2, 29), D(2025, 3, 31), id="leap-day"),
    ],
)
def test_compulsory_school_age_begins_on_the_prescribed_day(
    born: dt.date, from_day: dt.date
) -> None:
    assert compulsory_school_age_from(born) == from_day


def test_the_day_before_and_the_day_of() -> None:
    born = D(2020, 10, 15)  # Reception in 2025/26: five on 15/10/2025, CSA from 31/12/2025
    assert is_of_compulsory_school_age(born, D(2025, 12, 30)) is False
    assert is_of_compulsory_school_age(born, D(2025, 12, 31)) is True
    assert is_of_compulsory_school_age(None, D(2025, 12, 31)) is None


@pytest.mark.parametrize(
    ("born", "until"),
    [
        # turns 16 on 10/07/2026, school year 2025/26: last Friday in June 2026 is 26/06/2026
        pytest.param(D(2010, 7, 10), D(2026, 6, 26), id="sixteen-in-the-summer"),
        # turns 16 on 01/09/2026: school year 2026/27, last Friday in June 2027 is 25/06/2027
        pytest.param(D(2010, 9, 1), D(2027, 6, 25), id="sixteen-on-1-sep"),
        # turns 16 on 31/08/2026: still 2025/26
        pytest.param(D(2010, 8, 31), D(2026, 6, 26), id="sixteen-on-31-aug"),
        # June 2028 ends on a Friday (30/06/2028)
        pytest.param(D(2012, 1, 5), D(2028, 6, 30), id="june-ends-on-a-friday"),
    ],
)
def test_compulsory_school_age_ends_on_the_last_friday_in_june(
    born: dt.date, until: dt.date
) -> None:
    assert compulsory_school_age_until(born) == until
    assert is_of_compulsory_school_age(born, until) is True
    assert is_of_compulsory_school_age(born, until + dt.timedelta(days=1)) is False
