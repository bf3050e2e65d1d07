"""When a posted or handed penalty notice is received and when its payment periods end, worked
by hand from the regulations (21 and 28 days beginning with the day of receipt; posted notices
received on the second working day after posting; England-and-Wales bank holidays)."""

from __future__ import annotations

import datetime as dt

import pytest

from attendance_cli.cases.served import (
    ServiceMethod,
    is_working_day,
    payment_periods,
    received_on,
)

D = dt.date


@pytest.mark.parametrize(
    ("posted", "received"),
    [
        pytest.param(D(2025, 11, 3), D(2025, 11, 5), id="monday-to-wednesday"),
        pytest.param(D(2025, 11, 6), D(2025, 11, 10), id="thursday-over-the-weekend"),
        pytest.param(D(2025, 11, 7), D(2025, 11, 11), id="friday-to-tuesday"),
        pytest.param(D(2025, 11, 8), D(2025, 11, 11), id="saturday-to-tuesday"),
        # Christmas 2025: Thu 25 and Fri 26 Dec are bank holidays; posted Wed 24 Dec:
        # working days after it are Mon 29, Tue 30 Dec
        pytest.param(D(2025, 12, 24), D(2025, 12, 30), id="over-christmas"),
        # Easter 2026: Good Friday 3 Apr, Easter Monday 6 Apr; posted Thu 2 Apr -> Tue 7, Wed 8
        pytest.param(D(2026, 4, 2), D(2026, 4, 8), id="over-the-easter-bank-holiday-weekend"),
        # Late summer bank holiday Mon 25 Aug 2025; posted Fri 22 Aug -> Tue 26, Wed 27
        pytest.param(D(2025, 8, 22), D(2025, 8, 27), id="over-the-august-bank-holiday"),
        # Boxing Day 2026 is a Saturday: Mon 28 Dec is the holiday; posted Thu 24 Dec 2026:
        # Fri 25 (Christmas), Mon 28 (Boxing Day observed) -> Tue 29, Wed 30
        pytest.param(D(2026, 12, 24), D(2026, 12, 30), id="boxing-day-observed"),
    ],
)
def test_a_posted_notice_is_received_on_the_second_working_day(
    posted: dt.date, received: dt.date
) -> None:
    assert received_on(posted, ServiceMethod.post) == received


def test_a_notice_handed_over_is_received_that_day() -> None:
    assert received_on(D(2025, 12, 25), ServiceMethod.hand) == D(2025, 12, 25)


def test_working_days() -> None:
    assert is_working_day(D(2025, 11, 3))  # Monday
    assert not is_working_day(D(2025, 11, 8))  # Saturday
    assert not is_working_day(D(2026, 5, 4))  # early May bank holiday


def test_first_notice_periods_begin_with_the_day_of_receipt() -> None:
    periods = payment_periods(D(2025, 11, 5), lower_rate=True)
    # 21 days beginning with 5 Nov: 5 Nov is day 1, 25 Nov day 21; 28 days: 2 Dec
    assert periods.lower_rate_until == D(2025, 11, 25)
    assert periods.full_rate_until == D(2025, 12, 2)


def test_a_second_notice_has_no_lower_rate() -> None:
    periods = payment_periods(D(2025, 11, 5), lower_rate=False)
    assert periods.lower_rate_until is None and periods.full_rate_until == D(2025, 12, 2)
