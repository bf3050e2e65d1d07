"""Finding the shipped migrations and bringing a database to the current schema.

``SCHEMA_HEAD`` names the newest migration; a test checks it equals Alembic's head, so opening an
up-to-date database never imports Alembic (~0.5 s). Any other revision is upgraded after a
backup; a revision this release does not know (a newer release's database) is refused.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from attendance_cli.errors import DatabaseError

SCHEMA_HEAD = "0003_register_details"


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


def current_revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


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


def upgrade_database(path: Path, *, revision: str = "head") -> None:
    """Run Alembic migrations on the database file at ``path`` up to ``revision``."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, event
    from sqlalchemy.exc import DBAPIError

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.execute("PRAGMA busy_timeout = 30000")

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


def backup_before_upgrade(path: Path, revision: str) -> Path:
    """Copy the database beside itself before a schema upgrade (``db.backup``: online backup,
    verified, 0600, a single file written under a temporary name then renamed)."""
    from attendance_cli.db.backup import backup_database

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.before-{revision}-{stamp}.bak")
    return backup_database(path, target).backup
