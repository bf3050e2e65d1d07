"""The store: every SQL statement, row mapping, transaction and lock of att lives here.

Layers (see ARCHITECTURE.md): ``cli/`` parses and prints; the domain (``analysis/``, ``tsm/``,
``views/``, ``cases/``, ``referrals/``) computes with typed records; ``store/`` reads and writes
them; ``db/`` opens the file and migrates the schema.

How to write a store module (one per aggregate: ``registers``, ``cases``, ``penalties``,
``audit``, ``letters``), so that the same code can run on PostgreSQL later (issue 16):

- **Open**: the CLI calls ``cli.common.open_db`` and gets a :class:`Store`; tests and library
  callers use :func:`open_store` (a path) or ``Store(connection)`` (a connection from
  ``db.engine``). A ``Store`` wraps one DBAPI connection; close it with ``store.close()`` or
  ``with store:``. Every domain function takes the ``Store`` (never a raw connection), so only
  store modules (and ``db/``) touch ``store.connection``.
- **Statements** are SQLAlchemy Core over ``attendance_cli.db.models.metadata``
  (``models.School.__table__`` etc.) run with ``store.execute(statement)``. SQLAlchemy (and the
  models) are imported inside the function that needs them, never at module level: they cost
  ~0.3 s of start-up (``sqlalchemy`` 0.14 s + ``sqlmodel`` 0.13 s).
- **Raw sqlite3** only on a hot path where a measurement shows Core costs more than the speed
  targets allow; run it with ``store.connection.execute`` in the store module, behind the same
  function, with a comment giving the figure. No other package runs SQL or imports sqlite3.
- **Records** are frozen dataclasses (``@dataclass(frozen=True, slots=True)`` where no default
  needs a factory) named after what they are (``School``, ``Pupil``, ``Enrolment``), with Python
  values: ``dt.date``/``dt.datetime`` (never ISO text), ``bool`` (never 0/1), ``None`` for
  missing. Each store module maps a row to a record in one private function per record, so a
  column is read one way. A record built by the tens of thousands on a hot path may drop
  ``frozen`` (``registers.EnrolmentRecord``, with the figure in its docstring). Domain modules take and return these records, never rows or dicts of
  columns.
- **Dates**: ``store.conversions`` is the one place dates and timestamps become text and back
  (``date_text``/``to_date``, ``timestamp_text``/``to_datetime``, ``now_text``). The text forms
  are the ones SQLAlchemy's SQLite ``Date``/``DateTime`` types use, so Core statements and raw
  ones read and write the same values.
- **IN-lists** go through :func:`chunked` (one size, :data:`CHUNK_SIZE`): never build an
  ``IN (...)`` longer than that.
- **Writes**: every write runs inside ``with transaction(store):`` (all or nothing); a write
  that checks something first and must not race another writer (audit chain append, the
  third-notice refusal, duplicate workbook, duplicate letter, completing an action) runs inside
  ``with writing(store, LOCK_...):`` naming the invariant's lock. Today both take SQLite's whole
  database write lock (``BEGIN IMMEDIATE``); on PostgreSQL the outermost block takes an
  advisory lock for att's writers and ``writing`` one more per name (``store.transactions``),
  except a register import (``writing(store, LOCK_REGISTERS)``), which takes only its own: a new
  writer of the register tables must name LOCK_REGISTERS. Nested blocks become savepoints. Never call
  ``commit``/``rollback`` yourself: the store's Core connection ignores them (the transaction
  belongs to the outermost block).
- **PostgreSQL** (issue 16): ``store.connection`` is then a ``db.postgres.PostgresConnection``
  that runs the same raw statements (``?`` placeholders, rows in SQLite's text/0-1 forms); write
  new statements in Core, and raw ones only in the dialect both engines share (no ``INSERT OR
  IGNORE``, ``julianday``, ``strftime``, ``GROUP_CONCAT``, ``rowid``); ``store.dialect`` says
  which engine. The tests run the store on both (tests/conftest.py).
- **Errors**: a failing statement raises the driver's own error (``sqlite3.Error``,
  ``psycopg.Error``) on either path; ``transaction``/``writing`` turn busy, read-only and
  disk-full errors into a ``DatabaseError`` with words an officer can act on, and the CLI's one
  wrapper turns any other through :func:`store.errors.database_error`, so ``cli/`` imports no
  driver.
"""

from __future__ import annotations

from attendance_cli.store.chunking import CHUNK_SIZE, chunked
from attendance_cli.store.connection import Store, open_store
from attendance_cli.store.transactions import (
    LOCK_AUDIT_CHAIN,
    LOCK_CASE_ACTIONS,
    LOCK_LETTERS,
    LOCK_MEETING_WORKBOOKS,
    LOCK_PENALTY_NOTICES,
    LOCK_REGISTERS,
    transaction,
    writing,
)

__all__ = [
    "CHUNK_SIZE",
    "LOCK_AUDIT_CHAIN",
    "LOCK_CASE_ACTIONS",
    "LOCK_LETTERS",
    "LOCK_MEETING_WORKBOOKS",
    "LOCK_PENALTY_NOTICES",
    "LOCK_REGISTERS",
    "Store",
    "chunked",
    "open_store",
    "transaction",
    "writing",
]
