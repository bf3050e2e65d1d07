"""Dates and timestamps to database text and back: the one place it happens.

Dates are ISO ``YYYY-MM-DD``; timestamps are UTC ``YYYY-MM-DD HH:MM:SS.ffffff`` with no zone
(the forms SQLAlchemy's SQLite ``Date`` and ``DateTime`` types write and read, so raw and Core
statements agree; a test checks it). Timestamps come back as aware UTC datetimes, as the
models' ``UTCDateTime`` type returns them on the Core path. Every conversion accepts what SQLAlchemy already converted
(a ``date``/``datetime``) as well as text, so a record mapper works on rows from either path.
"""

from __future__ import annotations

import datetime as dt

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def now_text() -> str:
    """The current UTC time as database text."""
    return dt.datetime.now(dt.UTC).strftime(TIMESTAMP_FORMAT)


def date_text(value: dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat()


def to_date(value: str | dt.date | None) -> dt.date | None:
    """A stored date (``YYYY-MM-DD``; a timestamp's date part is accepted) as a ``date``."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10])


def timestamp_text(value: dt.datetime | None) -> str | None:
    """A timestamp as database text, in UTC (naive values are taken as UTC already)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.strftime(TIMESTAMP_FORMAT)


def to_datetime(value: str | dt.datetime | None) -> dt.datetime | None:
    """A stored timestamp as an aware UTC ``datetime``."""
    if value is None or value == "":
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def to_bool(value: int | bool | None) -> bool | None:
    """A stored 0/1 (or NULL) as a ``bool`` (or ``None``)."""
    return None if value is None else bool(value)
