"""``Database``: what domain functions accept, a :class:`Store` or (while callers move to the
store) the stdlib connection ``db.engine.open_database`` returns; ``Store.of`` makes either a
Store. An alias so that domain modules can say so without importing sqlite3. Added by the
casework branch (issue 11 part B); once every caller holds a Store it becomes ``Store``.
"""

from __future__ import annotations

import sqlite3
from typing import TypeAlias

from attendance_cli.store.connection import Store

Database: TypeAlias = Store | sqlite3.Connection
