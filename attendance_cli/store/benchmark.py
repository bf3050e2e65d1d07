"""The LA benchmark cache: a TSM pack's LA figures per period, valid for one version of the marks.

Every TSM pack shows the LA's figures over the pack's period beside the school's: counting them
reads every enrolment's mark string in the database (48,000 on the 120-school bench LA: ~0.05 s
to read and ~0.05 s to count, a fifth of ``att tsm prepare``). They change only when marks do,
so they are kept here (``la_benchmark``), stamped with the ``marks_version`` they were counted
at:

- every write of marks raises the version in its own transaction (:func:`marks_changed`:
  ``store.imports.write_marks`` and the erasure of ``mark_year`` rows,
  ``store.privacy.delete_rows``; a new writer of ``mark_year`` must call it too — a test in
  tests/store/test_benchmark_cache.py looks for writers that do not);
- a cached row is read only while its version is the current one, in one statement
  (:func:`cached_la_totals`), so a stale row can never be read;
- the pack reads the version *before* it reads the marks (:func:`marks_version`) and stores what
  it counted under that version (:func:`save_la_totals`): an import committed in between leaves
  a row stamped with the older version, which is never read.

Saving is an optimisation: it never waits for a lock (an import in progress on SQLite; it is
skipped inside the caller's transaction) and is skipped when the database cannot be written (a
read-only role on PostgreSQL, a read-only file); the pack then simply counts again next time.

Raw statements in the dialect both engines share (``ON CONFLICT ... DO UPDATE``, standard on
SQLite >= 3.24 and PostgreSQL): they are on ``att tsm prepare``'s path, where SQLAlchemy Core's
import (~0.3 s, see store/__init__.py) would cost more than the cache saves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import astuple, dataclass, fields

from attendance_cli.store.connection import Store
from attendance_cli.store.conversions import date_text


@dataclass(frozen=True, slots=True)
class LaTotals:
    """Every enrolment's totals over a period (``analysis.summary.summarise_totals`` makes the
    LA summary of them)."""

    enrolments: int
    on_roll: int
    possible: int
    attended: int
    authorised: int
    unauthorised: int
    late: int
    missing: int
    persistent: int
    severe: int


_COUNTS = tuple(f.name for f in fields(LaTotals))


def marks_changed(store: Store) -> None:
    """Say that marks were written or deleted: call inside the writing transaction."""
    store.connection.execute("UPDATE marks_version SET version = version + 1 WHERE id = 1")


def marks_version(store: Store) -> int:
    """The current version of the marks (read it before the marks the figures come from)."""
    row = store.connection.execute("SELECT version FROM marks_version WHERE id = 1").fetchone()
    return -1 if row is None else int(row[0])  # no row (deleted by hand): nothing is ever read


def cached_la_totals(store: Store, *, start: dt.date, end: dt.date) -> LaTotals | None:
    """The LA totals over start..end counted from the current marks, or None."""
    row = store.connection.execute(
        f"SELECT {', '.join('b.' + c for c in _COUNTS)} FROM la_benchmark b "
        "JOIN marks_version v ON v.id = 1 AND v.version = b.marks_version "
        "WHERE b.period_start = ? AND b.period_end = ?",
        (date_text(start), date_text(end)),
    ).fetchone()
    return None if row is None else LaTotals(*(int(v) for v in row))


def save_la_totals(
    store: Store, *, start: dt.date, end: dt.date, version: int, totals: LaTotals
) -> bool:
    """Keep ``totals`` (counted from the marks at ``version``) for start..end, unless a row of a
    later version is there already. Returns False when it could not be written (see the module
    docstring)."""
    conn = store.connection
    if conn.in_transaction:
        return False  # never write into the caller's transaction
    sqlite = store.dialect == "sqlite"
    errors = _driver_errors(store)
    try:
        if sqlite:  # never wait for a writer (an import holds the lock for seconds)
            (timeout,) = conn.execute("PRAGMA busy_timeout").fetchone()
            conn.execute("PRAGMA busy_timeout = 0")
        try:
            columns = ("period_start", "period_end", "marks_version", *_COUNTS)
            conn.execute(
                f"INSERT INTO la_benchmark ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))}) "
                "ON CONFLICT (period_start, period_end) DO UPDATE SET "
                + ", ".join(f"{c} = excluded.{c}" for c in columns[2:])
                + " WHERE la_benchmark.marks_version < excluded.marks_version",
                (date_text(start), date_text(end), version, *astuple(totals)),
            )
        finally:
            if sqlite:
                conn.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    except errors:
        return False
    return True


def _driver_errors(store: Store) -> tuple[type[BaseException], ...]:
    import sqlite3

    if store.dialect == "postgresql":
        import psycopg

        return (sqlite3.Error, psycopg.Error)
    return (sqlite3.Error,)
