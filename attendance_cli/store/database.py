"""What domain functions accept as their database: a :class:`Store`, or (while callers move to
the store) the stdlib connection ``db.engine.open_database`` returns, wrapped by ``as_store``.

Added by the casework branch (issue 11 part B) so that the library functions tests and other
modules call with a connection keep working; once every caller holds a Store, ``Database``
becomes ``Store`` and ``as_store`` goes.
"""

from __future__ import annotations

import sqlite3
from typing import TypeAlias

from attendance_cli.store.connection import Store

Database: TypeAlias = Store | sqlite3.Connection


def as_store(db: Database) -> Store:
    """``db`` as a Store (the same object when it is one already)."""
    return db if isinstance(db, Store) else Store(db)
