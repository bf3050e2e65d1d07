"""A shared PostgreSQL database (issue 16): the URL, the connection, the schema upgrade.

``--db`` / ``ATT_DB`` name either an SQLite file or a server database by a SQLAlchemy URL,
``postgresql+psycopg://host/dbname`` (``postgresql://`` means the same). Credentials come from
libpq's usual places (``PGUSER``, ``PGPASSWORD``, ``~/.pgpass``, a Unix socket's peer
authentication), never from the URL: a password there would sit in shell history, ``ps`` and
the officer's profile, so it is refused.

:class:`PostgresConnection` is the raw connection the store's hot-path statements run on. It
gives a psycopg 3 connection the parts of the stdlib ``sqlite3`` interface the store uses
(``execute``/``executemany`` with ``?`` placeholders, ``lastrowid``, ``in_transaction``), and
rows in SQLite's forms: dates as ``YYYY-MM-DD`` text, timestamps as the text
``store.conversions`` writes, booleans as 0/1, so one record mapper reads rows from either engine
(SQLAlchemy Core statements see PostgreSQL's own types; the mappers accept both). The rewriting
is small and fixed — placeholders, ``instr`` (PostgreSQL's ``strpos``), ``CAST(.. AS BLOB)``,
``RETURNING id`` for an ``INSERT`` whose id is wanted — and tested in tests/postgres/test_connection.py.

The connection is in autocommit mode, as the SQLite one is (``isolation_level = None``): the
store's ``transaction``/``writing`` issue BEGIN and COMMIT themselves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attendance_cli.errors import AttError, DatabaseError, NotFoundError, UsageError

SCHEMES = ("postgresql+psycopg", "postgresql", "postgres")
# tables whose integer primary key is ``id`` (an INSERT into one can give ``lastrowid``)
_UPGRADE_LOCK = "att-schema-upgrade"


@dataclass(frozen=True)
class ServerDatabase:
    """A database on a PostgreSQL server, named by a SQLAlchemy URL without a password."""

    url: str  # as given (no password), for messages
    driver_url: str  # with the psycopg driver named (for SQLAlchemy: the upgrade)
    name: str  # the database name
    arguments: tuple[tuple[str, str], ...]  # psycopg.connect's keyword arguments

    def __str__(self) -> str:
        return self.url


def looks_like_url(value: str) -> bool:
    return "://" in value


def parse_database_url(value: str, *, source: str = "--db") -> ServerDatabase:
    """The server database ``value`` names; a clear UsageError for anything else. Parsed with
    urllib, not SQLAlchemy (whose PostgreSQL dialects cost ~0.6 s to import on every command)
    — the same rules as SQLAlchemy's ``make_url`` and psycopg dialect: ``user@host:port/dbname``,
    query parameters passed to libpq (``?host=/run/postgresql``, ``?sslmode=require``)."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    scheme = value.split("://", 1)[0]
    if scheme not in SCHEMES:
        raise UsageError(
            f"{source} names a {scheme}:// database; att works with an SQLite file or "
            "PostgreSQL (postgresql+psycopg://HOST/DBNAME)",
            hint="Give a file path, or a URL such as postgresql+psycopg://db.example.org/att.",
        )
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise UsageError(
            f"{source} is not a database URL att can read: {exc}",
            hint="Write it as postgresql+psycopg://HOST/DBNAME (or a file path).",
        ) from None
    if parts.password is not None:
        raise UsageError(
            f"{source} contains a password; att will not take one on the command line or in "
            "ATT_DB, where shell history and other users' process lists can see it",
            hint="Remove the password from the URL and put it in ~/.pgpass (chmod 600) or "
            "PGPASSWORD; see the README, 'For a team'.",
        )
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise UsageError(
            f"{source} names no database: {value}",
            hint="Add the database name: postgresql+psycopg://HOST/DBNAME.",
        )
    arguments: dict[str, str] = {"dbname": name}
    if parts.hostname:
        arguments["host"] = unquote(parts.hostname)
    if port is not None:
        arguments["port"] = str(port)
    if parts.username:
        arguments["user"] = unquote(parts.username)
    arguments.update(parse_qsl(parts.query))
    driver = "postgresql+psycopg://" + value.split("://", 1)[1]
    return ServerDatabase(
        url=value, driver_url=driver, name=name, arguments=tuple(sorted(arguments.items()))
    )


def connect_arguments(database: ServerDatabase) -> dict[str, Any]:
    """psycopg.connect's keyword arguments for the URL."""
    return dict(database.arguments)


def connect(database: ServerDatabase) -> PostgresConnection:
    """A raw connection (autocommit) to the server database; errors in an officer's words."""
    import psycopg

    try:
        raw = psycopg.connect(**connect_arguments(database), autocommit=True)
    except psycopg.Error as exc:
        raise describe_postgres_error(exc, database) from None
    return PostgresConnection(raw)


# ------------------------------------------------------------------------------ the adapter


_cache: dict[tuple[str, bool], str] = {}
_IS_NOT = re.compile(r"\bIS\s+NOT\s+\?", re.IGNORECASE)
_IS = re.compile(r"\bIS\s+\?", re.IGNORECASE)
_BLOB = re.compile(r"CAST\(([\w.]+) AS BLOB\)", re.IGNORECASE)


def translate(sql: str, *, parameters: bool = True) -> str:
    """An SQLite statement of the store as psycopg runs it on PostgreSQL: with parameters,
    each ``?`` becomes PostgreSQL's own numbered placeholder (``$1``, ``$2``…: the cursor is a
    ``RawCursor``, which sends the text as it is; psycopg's ``%s`` form cost the LA's grid import
    ~0.9 s of CPU parsing its long ``IN (…)`` lists, uncached above psycopg's length limit), ``IS ?``/``IS NOT ?`` (SQLite's
    null-safe comparison) ``IS [NOT] DISTINCT FROM``; ``instr(`` becomes ``strpos(``
    (same arguments); ``CAST(col AS BLOB)`` (text as bytes) becomes ``convert_to(col, 'UTF8')``.
    The store's statements hold no ``?`` or ``instr(`` in string literals."""
    done = _cache.get((sql, parameters))
    if done is None:
        done = sql
        if parameters:
            # SQLite's null-safe comparison with a parameter, in PostgreSQL's words
            done = _IS_NOT.sub("IS DISTINCT FROM ?", done)
            done = _IS.sub("IS NOT DISTINCT FROM ?", done)
            pieces = done.split("?")
            done = pieces[0] + "".join(f"${n}{rest}" for n, rest in enumerate(pieces[1:], 1))
        done = re.sub(r"\binstr\(", "strpos(", done, flags=re.IGNORECASE)
        done = _BLOB.sub(r"convert_to(\1, 'UTF8')", done)
        _cache[(sql, parameters)] = done
    return done


_INSERT = re.compile(r"\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)


# att's tables whose rows have no integer ``id`` (composite or other keys), and Alembic's: an
# INSERT into any other table gets ``RETURNING id`` (``lastrowid``). Written out, not read from
# the models: importing them (SQLAlchemy and sqlmodel) cost the first INSERT of a command 0.47 s
# (the TSM pack's LA benchmark cache on PostgreSQL, cProfile); a test checks the list against
# the models (tests/postgres/test_engine.py).
TABLES_WITHOUT_ID = frozenset(
    {
        "alembic_version",
        "audit_detail",
        "case_allocation",
        "la_benchmark",
        "mark_year",
        "penalty_request_document",
        "school_allocation",
    }
)


def _wants_id(sql: str) -> bool:
    match = _INSERT.match(sql)
    if match is None:
        return False
    return match.group(1).lower() not in TABLES_WITHOUT_ID and "returning" not in sql.lower()


class PostgresCursor:
    """A psycopg cursor with ``lastrowid`` (an ``INSERT``'s new id, from ``RETURNING id``)."""

    def __init__(self, cursor: Any, lastrowid: int | None = None) -> None:
        self._cursor = cursor
        self.lastrowid = lastrowid

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    def __iter__(self) -> Any:
        # the whole result is on the client already; fetchall converts it in one go (psycopg's
        # C code), ~2x faster than row by row for the LA's 48,000 mark strings
        return iter(self._cursor.fetchall())


class PostgresConnection:
    """A psycopg connection speaking the store's SQLite dialect (see the module docstring)."""

    dialect = "postgresql"

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self._cursor_class, self._adapters = _sqlite_forms(raw)

    def _cursor(self) -> Any:
        # a cursor of the raw connection with the SQLite forms (one adapters map, made once)
        return self._cursor_class(self.raw, self._adapters)

    def execute(self, sql: str, parameters: Any = ()) -> PostgresCursor:
        text = sql.strip()
        if text.upper().startswith("PRAGMA"):  # SQLite's own settings: nothing to do here
            return PostgresCursor(self.raw.cursor())
        cursor = self._cursor()
        params = tuple(parameters) if parameters else None
        if params is not None and _wants_id(text):
            cursor.execute(translate(text) + " RETURNING id", params)
            row = cursor.fetchone()  # None when ON CONFLICT DO NOTHING inserted nothing
            return PostgresCursor(cursor, None if row is None else int(row[0]))
        statement = translate(text, parameters=params is not None)
        # mark strings as bytes: in binary, not hex text twice their size (tsm prepare's LA
        # figures read every enrolment's; see translate)
        cursor.execute(statement, params, binary="convert_to(" in statement)
        return PostgresCursor(cursor)

    def executemany(self, sql: str, rows: Any) -> PostgresCursor:
        cursor = self._cursor()
        rows = [tuple(r) for r in rows]
        if rows:
            cursor.executemany(translate(sql.strip()), rows)
        return PostgresCursor(cursor)

    def copy_rows(self, table: str, columns: tuple[str, ...], rows: Any) -> int:
        """Append rows with COPY ... FROM STDIN (PostgreSQL's bulk load: the import's new mark
        strings), inside the current transaction; returns how many."""
        count = 0
        cursor = self.raw.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def commit(self) -> None:
        self.raw.commit()

    def rollback(self) -> None:
        self.raw.rollback()

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> PostgresConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sqlite_forms(raw: Any) -> tuple[type, Any]:
    """A cursor class and the adapters map its cursors share: dates, timestamps and booleans
    come back in SQLite's text/int forms; Python ints and bools go out untyped, so PostgreSQL
    takes ``1`` for a boolean column as SQLite does (and ``'2026-01-05'``, a str, for a date
    one). One map for every cursor: registering adapters per cursor cost ~40 us a statement."""
    import psycopg
    from psycopg.adapt import AdaptersMap, Dumper, Loader

    class _UntypedDumper(Dumper):
        oid = 0  # "unknown": the server infers the type from where the value goes

        def dump(self, obj: Any) -> bytes:
            return str(int(obj) if isinstance(obj, bool) else obj).encode()

    class _TextLoader(Loader):
        def load(self, data: Any) -> str:
            return bytes(data).decode()

    class _TimestampLoader(Loader):
        def load(self, data: Any) -> str:
            from attendance_cli.store.conversions import TIMESTAMP_FORMAT

            value = dt.datetime.fromisoformat(bytes(data).decode())
            return value.strftime(TIMESTAMP_FORMAT)

    class _BoolLoader(Loader):
        def load(self, data: Any) -> int:
            return 1 if bytes(data) == b"t" else 0

    class _Cursor(psycopg.RawCursor):  # type: ignore[type-arg]  # $1 placeholders (translate)
        def __init__(self, connection: Any, adapters: AdaptersMap) -> None:
            super().__init__(connection)
            self._adapters = adapters

    adapters = AdaptersMap(raw.adapters)
    adapters.register_dumper(int, _UntypedDumper)
    adapters.register_dumper(bool, _UntypedDumper)
    adapters.register_loader("date", _TextLoader)
    adapters.register_loader("timestamp", _TimestampLoader)
    adapters.register_loader("bool", _BoolLoader)
    return _Cursor, adapters


# ---------------------------------------------------------------------- schema and errors


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a lock name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def current_revision(conn: PostgresConnection) -> str | None:
    row = conn.execute("SELECT to_regclass('alembic_version')").fetchone()
    if row is None or row[0] is None:
        return None
    found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return found[0] if found else None


def has_tables(conn: PostgresConnection) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
    ).fetchone()
    return bool(row[0])


def upgrade_server_database(database: ServerDatabase) -> None:
    """Run the migrations on the server database in one transaction, holding a transaction
    advisory lock: a second officer's first run waits for the first one's upgrade, then finds
    the schema at the head and runs nothing (Alembic reads the revision after the lock)."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    from attendance_cli.db.migrate import migrations_dir

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    engine = create_engine(database.driver_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(_UPGRADE_LOCK)}
            )
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except DBAPIError as exc:
        raise describe_postgres_error(
            exc.orig, database, doing="bring the schema up to date"
        ) from None
    finally:
        engine.dispose()


def describe_postgres_error(
    exc: BaseException | None, database: object = None, *, doing: str = ""
) -> AttError:
    """A DatabaseError (NotFoundError for a missing database) in an officer's words for a psycopg error (the counterpart of
    ``db.connection.describe_sqlite_error``)."""
    import psycopg
    from psycopg import errors

    where = f" {database}" if database else ""
    text = str(exc).strip().splitlines()[0] if exc is not None and str(exc).strip() else ""
    if isinstance(exc, errors.InsufficientPrivilege):
        return DatabaseError(
            f"You have read-only access to the database{where}: {text}",
            hint="Ask your team leader to grant you the officer role (att team grant).",
        )
    if isinstance(exc, errors.ReadOnlySqlTransaction):
        return DatabaseError(
            f"You have read-only access to the database{where} (the server is read-only)",
            hint="Use the team's primary server, or ask its administrator.",
        )
    if isinstance(exc, errors.InvalidCatalogName):
        return NotFoundError(
            f"No database{where} on the server",
            hint="Ask the administrator to create it (README, 'For a team'), or check ATT_DB.",
        )
    if isinstance(exc, (errors.DeadlockDetected, errors.LockNotAvailable)):
        return DatabaseError(
            f"The database{where} is busy: another officer's command holds what this one needs",
            hint="Try again in a moment.",
        )
    if isinstance(exc, errors.DiskFull):
        return DatabaseError(
            f"The database server{where} is out of disk space; nothing was saved",
            hint="Tell the server's administrator.",
        )
    if isinstance(exc, psycopg.OperationalError):
        return DatabaseError(
            f"Cannot connect to the database{where}: {text}",
            hint="Check the host and database in ATT_DB, that the server is running, and your "
            "credentials (PGUSER, ~/.pgpass).",
        )
    what = f"Could not {doing}" if doing else "Database problem"
    return DatabaseError(
        f"{what}{' on' if doing else ' in'}{where or ' the database'}: {text}",
        hint="If another officer's att command is running, wait for it; otherwise tell the "
        "server's administrator.",
    )


# ------------------------------------------------------------------------------ backups


@dataclass(frozen=True)
class ServerBackup:
    database: str
    backup: Path
    size_bytes: int
    tables: int  # tables whose data the dump holds (checked with pg_restore --list)
    audit_head: str | None = None  # the dump's audit chain head, ID:HASH (an anchor to keep)


def dump_server_database(database: ServerDatabase, target: Path, *, force: bool) -> ServerBackup:
    """``att db backup`` on a server: drive ``pg_dump --format=custom`` (the server's own
    backup tool; att will not copy a server's data any other way) into ``target``, private
    (0600) and written under a temporary name, checked with ``pg_restore --list``. Credentials
    as for att (``~/.pgpass``, ``PGPASSWORD``). Without pg_dump installed, a UsageError says how
    the server's backups are made instead.

    The audit chain head is read in a REPEATABLE READ transaction whose snapshot pg_dump dumps
    (``pg_export_snapshot`` / ``--snapshot``): the head printed is the dump's own, even while
    officers write, as an SQLite backup's head is its snapshot's."""
    import shutil
    import subprocess

    from psycopg.conninfo import make_conninfo

    from attendance_cli.files import output_file

    pg_dump, pg_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    if pg_dump is None or pg_restore is None:
        raise UsageError(
            f"att db backup of {database} needs pg_dump, which is not installed here; a "
            "PostgreSQL server's backups are the server's",
            hint="Install the PostgreSQL client tools (e.g. apt install postgresql-client), or "
            "ask the server's administrator; see the README, 'For a team'.",
        )
    conninfo = make_conninfo(**connect_arguments(database))
    with output_file(target, force=force) as partial, connect(database) as snapshot:
        snapshot.raw.autocommit = False
        snapshot.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        exported = snapshot.execute("SELECT pg_export_snapshot()").fetchone()[0]
        last = snapshot.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        row = last.fetchone()  # as db.info.audit_head (a layer above this one) reads it
        head = f"{row[0]}:{row[1]}" if row else None
        done = subprocess.run(
            [
                pg_dump,
                "--format=custom",
                "--no-password",
                f"--snapshot={exported}",
                f"--file={partial.path}",
                f"--dbname={conninfo}",
            ],
            capture_output=True,
            text=True,
        )
        snapshot.rollback()
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or ["pg_dump failed"])[-1]
            raise DatabaseError(
                f"Could not back up {database}: {why}",
                hint="Check the server and your credentials (~/.pgpass); nothing was written.",
            )
        listed = subprocess.run(
            [pg_restore, "--list", str(partial.path)], capture_output=True, text=True
        )
        tables = sum(" TABLE DATA " in line for line in listed.stdout.splitlines())
        if listed.returncode != 0 or tables == 0:
            raise DatabaseError(
                f"The backup of {database} could not be read back with pg_restore",
                hint="Nothing was written; try again, or ask the server's administrator.",
            )
        size = os.path.getsize(partial.path)
        partial.commit()
    return ServerBackup(str(database), target, size, tables, head)
