"""Compulsory school age (Education Act 1996 s.8; the Education (Start of Compulsory School
Age) Order 1998, SI 1998/1607). See docs/domain/attendance-rules.md.

* A child **reaches** compulsory school age on the first *prescribed day* on or after their
  fifth birthday: 31 December, 31 March or 31 August. So no Reception child is of compulsory
  school age in the autumn term, and in the spring term only those born September to December
  (of the year they turned four).
* A child **ceases** to be of compulsory school age after the last Friday in June of the school
  year (1 September to 31 August) in which they turn 16.

Only the parent of a child of compulsory school age can commit an offence under s.444 or be
given a penalty notice; the TSM pack marks younger children apart from legal-age absence.
A child born on 29 February turns five on 1 March in a common year (Family Law Reform Act 1969
s.9 counts from the anniversary); either way the next prescribed day is 31 March.
"""

from __future__ import annotations

import datetime as dt

PRESCRIBED_DAYS = ((3, 31), (8, 31), (12, 31))  # (month, day), in calendar order


def birthday(date_of_birth: dt.date, age: int) -> dt.date:
    """The day a person born on ``date_of_birth`` turns ``age`` (29 February: 1 March in a
    common year)."""
    year = date_of_birth.year + age
    try:
        return date_of_birth.replace(year=year)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 3, 1)


def compulsory_school_age_from(date_of_birth: dt.date) -> dt.date:
    """The first day the child is of compulsory school age: the prescribed day on or after
    their fifth birthday."""
    fifth = birthday(date_of_birth, 5)
    for month, day in PRESCRIBED_DAYS:
        prescribed = dt.date(fifth.year, month, day)
        if prescribed >= fifth:
            return prescribed
    raise AssertionError("31 December is on or after every day of its year")  # pragma: no cover


def compulsory_school_age_until(date_of_birth: dt.date) -> dt.date:
    """The last day the child is of compulsory school age: the last Friday in June of the
    school year in which they turn 16."""
    sixteenth = birthday(date_of_birth, 16)
    june_year = sixteenth.year + 1 if sixteenth.month >= 9 else sixteenth.year
    last_of_june = dt.date(june_year, 6, 30)
    return last_of_june - dt.timedelta(days=(last_of_june.weekday() - 4) % 7)


def is_of_compulsory_school_age(date_of_birth: dt.date | None, on: dt.date) -> bool | None:
    """Whether the child is of compulsory school age on ``on``; None when the date of birth is
    not recorded (nothing can be said)."""
    if date_of_birth is None:
        return None
    return (
        compulsory_school_age_from(date_of_birth)
        <= on
        <= compulsory_school_age_until(date_of_birth)
    )
