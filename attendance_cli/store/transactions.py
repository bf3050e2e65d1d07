"""Transactions and the locks that keep check-then-write invariants true.

``transaction(store)`` makes a group of writes all or nothing. ``writing(store, LOCK_...)`` is
the same, and also takes the lock the named invariant needs, for writes that first check
something another writer could change meanwhile.

Today, on SQLite, both begin with ``BEGIN IMMEDIATE``: the whole database's write lock, held
until COMMIT, so no other writer runs between the check and the write, whatever the names.
That lock is what the invariants below rest on. On PostgreSQL (issue 16) the outermost block
begins a READ COMMITTED transaction and takes a transaction-scoped advisory lock,
``pg_advisory_xact_lock``, for att's writers as a whole (:data:`LOCK_WRITERS`, the counterpart of
SQLite's write lock: some check-then-writes — one open case per child — run under a plain
``transaction``), and ``writing`` takes one more per name it is given, at any depth; all are
released at COMMIT or ROLLBACK. Readers never wait. A name may carry a key
(``f"{LOCK_PENALTY_NOTICES}:{pupil_id}"``).

One kind of writer needs no writers' lock: a register import of marks
(``writing(store, LOCK_REGISTERS)`` as the outermost block, :data:`_OWN_LOCKS`). It writes only
the register tables (schools, pupils, enrolments, contacts, marks, the import log), which no
casework write changes, and writes no audit entry (a roster, which may audit the contact
corrections it keeps, names LOCK_AUDIT_CHAIN too and so takes the writers' lock; a contact
correction takes LOCK_REGISTERS). Locks are taken in one order, the writers' lock first, and
no lock may be taken inside a block without it (refused), so no two blocks deadlock. Imports
wait for each other on LOCK_REGISTERS (their marks are read, merged and
written back), and the one other writer of those tables, an erasure, takes LOCK_REGISTERS as
well as the writers' lock. So an import at one school and a note on a case at another no longer
wait for each other. Every other block keeps the writers' lock: the audit chain serialises all
casework anyway (each casework write appends to the one chain), and some check-then-writes
(one open case per child) rely on it. A new writer of register tables outside the importer
must take LOCK_REGISTERS. psycopg errors
become the same DatabaseError messages (``db.postgres.describe_postgres_error``), a read-only
role's write "You have read-only access".

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
LOCK_WRITERS = "att-writers"  # PostgreSQL: every outermost write block (SQLite's write lock)
# PostgreSQL: outermost blocks naming only these take no writers' lock (module docstring)
_OWN_LOCKS = frozenset({LOCK_REGISTERS})


def _own_locks_only(locks: tuple[str, ...]) -> bool:
    """Every lock named (keys after a colon aside) is one that needs no writers' lock."""
    return {name.split(":", 1)[0] for name in locks} <= _OWN_LOCKS


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
    with _block(store, locks):
        yield store


@contextlib.contextmanager
def _block(store: Store, locks: tuple[str, ...] = ()) -> Iterator[None]:
    if store.dialect == "postgresql":
        with _postgres_block(store, locks):
            yield
        return
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


@contextlib.contextmanager
def _postgres_block(store: Store, locks: tuple[str, ...]) -> Iterator[None]:
    """The PostgreSQL form of ``_block``: BEGIN + the writers' lock outermost, a SAVEPOINT
    inside; the named advisory locks at any depth (held until the outermost block ends)."""
    import psycopg

    from attendance_cli.db.postgres import describe_postgres_error, lock_key

    conn = store.connection
    outermost = not store.in_transaction
    try:
        if outermost:
            store.savepoints = 0
            conn.execute("BEGIN")
            own = bool(locks) and _own_locks_only(locks)
            store.without_writers_lock = own
            # the writers' lock always first, then the named ones in key order: a block waiting
            # for the writers' lock holds nothing another block could want
            named = sorted({lock_key(n) for n in locks} - {lock_key(LOCK_WRITERS)})
            keys = named if own else [lock_key(LOCK_WRITERS), *named]
        else:
            if store.without_writers_lock and not _own_locks_only(locks):
                # Every other block takes the writers' lock before any named one, so a lock taken
                # inside it cannot deadlock. A register import holds no writers' lock: a lock it
                # took inside could deadlock with an erasure. Name it outermost instead.
                raise RuntimeError(
                    f"lock {', '.join(locks)} taken inside a block that holds only "
                    f"{', '.join(sorted(_OWN_LOCKS))}: name it in the outermost writing()"
                )
            store.savepoints += 1
            conn.execute(f"SAVEPOINT att_{store.savepoints}")
            keys = sorted({lock_key(n) for n in locks})
        for key in keys:  # one order everywhere (above): no deadlock between two blocks
            conn.execute("SELECT pg_advisory_xact_lock(?)", (key,))
    except psycopg.Error as exc:
        if outermost:
            with contextlib.suppress(psycopg.Error):
                conn.execute("ROLLBACK")
        else:
            store.savepoints -= 1
        raise describe_postgres_error(exc, store.path) from exc
    name = f"att_{store.savepoints}"
    try:
        yield
    except BaseException as exc:
        with contextlib.suppress(psycopg.Error):
            if outermost:
                conn.execute("ROLLBACK")
            else:
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
        if outermost and isinstance(exc, psycopg.Error):
            raise describe_postgres_error(exc, store.path) from exc
        raise
    else:
        try:
            conn.execute("COMMIT" if outermost else f"RELEASE {name}")
        except psycopg.Error as exc:
            if outermost:
                with contextlib.suppress(psycopg.Error):
                    conn.execute("ROLLBACK")
            raise describe_postgres_error(exc, store.path) from exc
    finally:
        if not outermost:
            store.savepoints -= 1
