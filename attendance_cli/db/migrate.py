"""Finding the shipped migrations and bringing a database to the current schema.

``SCHEMA_HEAD`` names the newest migration; a test checks it equals Alembic's head, so opening an
up-to-date database never imports Alembic (~0.5 s). Any other revision is upgraded after a
backup (``db.open``); a revision this release does not know (a newer release's database) is
refused.

An upgrade is all or nothing. pysqlite's legacy transaction handling commits every CREATE TABLE
on its own (it only opens a transaction before INSERT/UPDATE/DELETE), so a kill between two
tables of a migration used to leave the tables without the revision. ``migration_engine`` takes
transactions away from pysqlite (``isolation_level = None``) and begins them itself with
``BEGIN IMMEDIATE``; every migration from the database's revision to the head then runs in that
one transaction (env.py keeps Alembic's default, one transaction for the whole run), which
SQLite commits or rolls back whole, DDL included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from attendance_cli.db.connection import current_revision
from attendance_cli.errors import DatabaseError

__all__ = [
    "EXPRESSION_INDEXES",
    "SCHEMA_HEAD",
    "alembic_head",
    "current_revision",
    "include_object",
    "known_revisions",
    "migration_engine",
    "migrations_dir",
    "upgrade_database",
]

SCHEMA_HEAD = "0014_sibling_index"

# Indexes on expressions that migrations create and ``db.models`` does not declare (SQLite
# cannot reflect them): the model/migration comparison skips exactly these (``include_object``).
EXPRESSION_INDEXES = frozenset({"ix_contact_address_folded", "ix_contact_email_folded"})


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic's ``include_object`` for comparing the models with a database: everything but
    :data:`EXPRESSION_INDEXES`."""
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


def migrations_dir() -> Path:
    """The Alembic script directory: inside the package when installed from a wheel, else the
    repository's top-level ``migrations/`` (editable installs and source checkouts)."""
    package_dir = Path(__file__).resolve().parent.parent
    for candidate in (package_dir / "migrations", package_dir.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise DatabaseError(
        "The database migrations are missing from this installation of att",
        hint="Reinstall att (pip install --force-reinstall attendance-cli).",
    )


def known_revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    script = _script_directory(ScriptDirectory)
    return [rev.revision for rev in script.walk_revisions()]


def alembic_head() -> str:
    from alembic.script import ScriptDirectory

    heads = _script_directory(ScriptDirectory).get_heads()
    if len(heads) != 1:  # pragma: no cover - guarded by a test
        raise DatabaseError(f"Migrations have {len(heads)} heads; expected one")
    return heads[0]


def _script_directory(script_cls):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return script_cls.from_config(config)


def migration_engine(url: str) -> Any:
    """A SQLAlchemy engine for running migrations whose transactions include DDL: pysqlite's
    own transaction handling is switched off and every SQLAlchemy ``begin()`` issues
    ``BEGIN IMMEDIATE`` (the write lock at once, so a concurrent writer waits rather than
    failing half-way). Used by ``upgrade_database`` and by env.py for the alembic CLI."""
    from sqlalchemy import create_engine, event

    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # pysqlite issues no BEGIN/COMMIT of its own
        dbapi_conn.execute("PRAGMA busy_timeout = 30000")

    @event.listens_for(engine, "begin")
    def _begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def upgrade_database(path: Path, *, revision: str = "head") -> None:
    """Run Alembic migrations on the database file at ``path`` up to ``revision``, in one
    transaction: afterwards the database is at ``revision``, or (after any error, Ctrl-C or a
    kill) exactly as it was."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy.exc import DBAPIError

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    engine = migration_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except DBAPIError as exc:  # disk full, read-only file...: the upgrade was rolled back
        raise DatabaseError(
            f"Could not bring the database {path} up to date: {exc.orig}",
            hint="Check disk space and that you can write to the database and its folder.",
        ) from None
    finally:
        engine.dispose()
