"""A :class:`Store`: one open att database, for raw sqlite3 and SQLAlchemy Core statements alike.

On PostgreSQL (issue 16) ``connection`` is a ``db.postgres.PostgresConnection``: the same
``execute``/``executemany`` with ``?`` placeholders and rows in SQLite's forms, so the store's raw
statements run unchanged on both; the Core connection runs over its psycopg connection.

``db.engine.open_database`` opens the file (private mode, WAL, busy timeout, schema brought to
the head) and returns a stdlib connection in autocommit mode; a ``Store`` wraps it. SQLAlchemy
is imported only when the first Core statement runs (~0.14 s, plus ~0.13 s for the models), so
commands whose hot path is raw sqlite3 do not pay for it.

The Core connection runs over the very same DBAPI connection, so both kinds of statement see
the same transaction. Transactions belong to the store (``store.transactions``): SQLAlchemy's
commit and rollback are no-ops on this connection, so a Core statement can never end a
transaction that ``transaction``/``writing`` began.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, CursorResult, Engine

    from attendance_cli.db.engine import OpenResult
    from attendance_cli.db.postgres import PostgresConnection, ServerDatabase


class Store:
    """One open att database. ``connection`` is the stdlib connection (autocommit mode)."""

    def __init__(
        self,
        connection: sqlite3.Connection | PostgresConnection,
        path: Path | ServerDatabase | None = None,
    ) -> None:
        self.connection: Any = connection
        self.path = path
        # "sqlite" or "postgresql": store modules that must differ (few) ask this
        self.dialect: str = getattr(connection, "dialect", "sqlite")
        self._engine: Engine | None = None
        self._core: Connection | None = None
        self.savepoints = 0  # nesting depth of transaction()/writing() blocks (see transactions)
        # PostgreSQL: the outermost block took no writers' lock (a register import, transactions)
        self.without_writers_lock = False

    # ----------------------------------------------------------------------------- Core
    @property
    def core(self) -> Connection:
        """The SQLAlchemy Core connection over ``connection`` (made on first use)."""
        if self._core is None:
            from sqlalchemy import create_engine
            from sqlalchemy.pool import StaticPool

            if self.dialect == "postgresql":
                shared = _StoreOwnsTransactions(self.connection.raw)
                url = "postgresql+psycopg://"
            else:
                shared = _StoreOwnsTransactions(self.connection)
                url = "sqlite://"
            options = {"use_native_hstore": False} if self.dialect == "postgresql" else {}
            self._engine = create_engine(
                url, creator=lambda: shared, poolclass=StaticPool, **options
            )
            self._core = self._engine.connect()
        return self._core

    def execute(self, statement: Any, parameters: Any = None) -> CursorResult[Any]:
        """Run a Core statement. A database error comes out as the driver's own exception
        (``sqlite3.Error``, ``psycopg.Error``), as it would from a raw statement."""
        from sqlalchemy.exc import DBAPIError

        try:
            return self.core.execute(statement, parameters)
        except DBAPIError as exc:
            if exc.orig is not None and type(exc.orig).__module__.startswith(
                ("sqlite3", "psycopg")
            ):
                raise exc.orig from None
            raise

    # ------------------------------------------------------------------------ lifecycle
    @property
    def in_transaction(self) -> bool:
        return self.connection.in_transaction

    def close(self) -> None:
        if self._core is not None:
            self._core.close()
            self._core = None
        if self._engine is not None:
            self._engine.dispose(close=False)
            self._engine = None
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _StoreOwnsTransactions:
    """The DBAPI connection as SQLAlchemy sees it: everything passes through except
    ``commit``/``rollback``/``close``, which belong to the store (SQLAlchemy calls them when its
    own autobegun transaction ends or the pooled connection is reset)."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "_connection":
            object.__setattr__(self, name, value)
        else:
            setattr(self._connection, name, value)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass


def open_store(
    path: Path | ServerDatabase, *, upgrade: bool = True, create: bool = True
) -> tuple[Store, OpenResult]:
    """Open (upgrading as needed, and creating it unless ``create`` is false) the database at
    ``path`` (a file, or a PostgreSQL ``ServerDatabase``) as a store; the ``OpenResult`` says what happened (created, upgraded, warnings)
    for the CLI to report."""
    from attendance_cli.db.engine import open_database

    connection, result = open_database(path, upgrade=upgrade, create=create)
    return Store(connection, path), result
