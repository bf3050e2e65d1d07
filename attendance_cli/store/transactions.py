"""Transactions and the locks that keep check-then-write invariants true.

``transaction(store)`` makes a group of writes all or nothing. ``writing(store, LOCK_...)`` is
the same, and also takes the lock the named invariant needs, for writes that first check
something another writer could change meanwhile.

Today, on SQLite, both begin with ``BEGIN IMMEDIATE``: the whole database's write lock, held
until COMMIT, so no other writer runs between the check and the write, whatever the names.
That lock is what the invariants below rest on. On PostgreSQL (issue 16) the transaction will
begin normally and ``writing`` will take ``pg_advisory_xact_lock`` on each name (released at
commit), so unrelated writers no longer wait for each other; a name may carry a key
(``f"{LOCK_PENALTY_NOTICES}:{pupil_id}"``) to lock one pupil's notices only.

A block inside another block is a savepoint: it rolls back on its own if it fails, and its
writes commit with the outermost block. The outermost block holds the lock.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

from attendance_cli.store.connection import Store

# The invariants that need a lock (a name per invariant; keys may follow after a colon).
LOCK_AUDIT_CHAIN = "audit-chain"  # read the last entry's hash, append the next entry
LOCK_PENALTY_NOTICES = "penalty-notices"  # count a pupil's notices, refuse the third, issue
LOCK_CASE_ACTIONS = "case-actions"  # check an action is still agreed, then complete it
LOCK_REGISTERS = "registers"  # refuse a workbook already imported, then write its marks
LOCK_MEETING_WORKBOOKS = "meeting-workbooks"  # refuse a TSM workbook already recorded, record it
LOCK_LETTERS = "letters"  # refuse a letter already made (same addressee, template, date), file it


@contextlib.contextmanager
def transaction(store: Store) -> Iterator[Store]:
    """All of the block's writes, or none: committed at the end, rolled back on any exception
    (Ctrl-C included). Busy, read-only and disk-full errors come out as a DatabaseError."""
    with _block(store):
        yield store


@contextlib.contextmanager
def writing(store: Store, *locks: str) -> Iterator[Store]:
    """A transaction holding the locks ``locks`` name (see the module docstring). On SQLite the
    database write lock covers every name, so the names document which invariant the block
    protects and become PostgreSQL advisory locks later."""
    if any(not name or not isinstance(name, str) for name in locks):
        raise ValueError(f"lock names must be non-empty text: {locks!r}")
    with _block(store):
        yield store


@contextlib.contextmanager
def _block(store: Store) -> Iterator[None]:
    if not store.in_transaction:
        from attendance_cli.db.engine import transaction as begin_immediate

        store.savepoints = 0
        with begin_immediate(store.connection):
            yield
        return
    store.savepoints += 1
    name = f"att_{store.savepoints}"
    conn = store.connection
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back the whole transaction already
            with contextlib.suppress(sqlite3.Error):
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
        raise
    else:
        conn.execute(f"RELEASE {name}")
    finally:
        store.savepoints -= 1
