"""The audit chain's head of a database file or connection (a backup's anchor, ``att db info``).
What a database holds for ``att db info`` is read by ``store.info``."""

from __future__ import annotations

import sqlite3
from typing import Any


def audit_head(conn: Any) -> str | None:
    """The audit log's last entry as ``ID:HASH`` (``att audit verify --anchor`` takes it); None
    when the log is empty or absent."""
    try:
        row = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.OperationalError:  # an SQLite file with no audit_log (a server database is
        # always at the head: att db init/upgrade made it)
        return None
    return f"{row[0]}:{row[1]}" if row else None
