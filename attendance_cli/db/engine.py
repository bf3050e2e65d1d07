"""Compatibility front for the database layer: the names other modules have always imported from
``attendance_cli.db.engine``. They now live in ``db.connection`` (raw connection, pragmas, path
rules, transactions, errors) and ``db.open`` (open, create, upgrade); import from there in new
code.
"""

from __future__ import annotations

from attendance_cli.db.connection import (
    BUSY_TIMEOUT_MS,
    check_database_path,
    connect,
    create_private_file,
    describe_sqlite_error,
    exposure_warning,
    make_private_folders,
    transaction,
)
from attendance_cli.db.open import OpenResult, open_database

__all__ = [
    "BUSY_TIMEOUT_MS",
    "OpenResult",
    "check_database_path",
    "connect",
    "create_private_file",
    "describe_sqlite_error",
    "exposure_warning",
    "make_private_folders",
    "open_database",
    "transaction",
]
