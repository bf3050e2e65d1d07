"""When a penalty notice is received, and when its payment periods end.

Sources (see docs/domain/penalty-notices.md):

* the Education (Penalty Notices) (England) Regulations 2007 (SI 2007/1867) reg. 4 as amended
  by SI 2024/210 reg. 4: £80 "if paid within the period of 21 days beginning with the date on
  which the notice is received", else £160 within 28 days; a second notice to the same parent
  for the same child within 3 years is £160 within 28 days. "Beginning with" counts the day of
  receipt as day 1, so the 21 days end 20 days after it;
* a notice given by hand is received that day; one sent by first-class post is taken to be
  received on the second working day after posting (Interpretation Act 1978 s.7 and the
  national framework), a working day being Monday to Friday other than an England-and-Wales bank
  holiday (the ``holidays`` package's GB calendar for England, not a hand-kept table).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from dataclasses import dataclass

LOWER_RATE_DAYS = 21
FULL_RATE_DAYS = 28
POSTAL_WORKING_DAYS = 2


class ServiceMethod(enum.StrEnum):
    """How a notice was given to the parent."""

    hand = "hand"  # handed over, or left at the parent's address
    post = "post"  # first-class post to the parent's usual or last known address


@functools.cache
def _bank_holidays(year: int) -> frozenset[dt.date]:
    import holidays  # 0.16 s to import: only when a date is worked out

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not an England-and-Wales bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_after(day: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``day`` (``day`` itself not counted)."""
    found = 0
    while found < count:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            found += 1
    return day


def received_on(given: dt.date, method: ServiceMethod) -> dt.date:
    """The day the parent is taken to have received a notice given (handed over or posted) on
    ``given``."""
    if method is ServiceMethod.hand:
        return given
    return working_days_after(given, POSTAL_WORKING_DAYS)


@dataclass(frozen=True)
class PaymentPeriods:
    """The last day of each payment period of a notice (each counted from its receipt)."""

    received: dt.date
    lower_rate_until: dt.date | None  # None: a second notice has no lower rate
    full_rate_until: dt.date


def payment_periods(received: dt.date, *, lower_rate: bool) -> PaymentPeriods:
    """The periods beginning with the day of receipt: 21 days at the lower rate (first notices
    only) and 28 days in all."""
    return PaymentPeriods(
        received=received,
        lower_rate_until=received + dt.timedelta(days=LOWER_RATE_DAYS - 1) if lower_rate else None,
        full_rate_until=received + dt.timedelta(days=FULL_RATE_DAYS - 1),
    )
