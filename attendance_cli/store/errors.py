"""The database driver's errors in an officer's words, for the CLI's one error wrapper.

A failing statement raises the driver's own error (``sqlite3.Error``, ``psycopg.Error``) on
either path (``store/__init__.py``); ``transaction``/``writing`` already turn busy, read-only
and disk-full errors inside a write into a ``DatabaseError``. Whatever else reaches the CLI
goes through :func:`database_error`, so ``cli/`` names no driver and imports neither.
"""

from __future__ import annotations

import sqlite3

from attendance_cli.errors import AttError


def database_error(exc: BaseException) -> AttError | None:
    """The ``DatabaseError`` (or ``NotFoundError``) for a driver error of either engine; None
    when ``exc`` is not a database driver's error."""
    if isinstance(exc, sqlite3.Error):
        from attendance_cli.db.engine import describe_sqlite_error

        return describe_sqlite_error(exc)
    if type(exc).__module__.startswith("psycopg"):  # without importing psycopg (~0.1 s)
        from attendance_cli.db.postgres import describe_postgres_error

        return describe_postgres_error(exc)
    return None
