"""Where the database lives: ``--db`` > ``ATT_DB`` > the user's data directory."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from attendance_cli.db.postgres import ServerDatabase

APP_NAME = "att"
DB_FILE = "att.sqlite"
DEMO_DB_FILE = "att-demo.sqlite"


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def database_location(
    cli_value: str | os.PathLike[str] | None = None,
) -> Path | ServerDatabase:
    """The database to use: the --db option, else $ATT_DB, else the default file in the data
    dir. A value with ``://`` is a PostgreSQL server database (``postgresql+psycopg://HOST/DB``,
    issue 16; ``db.postgres`` checks it, refusing a password in it); anything else a file."""
    for value, source in ((cli_value, "--db"), (os.environ.get("ATT_DB"), "ATT_DB")):
        if value is not None and str(value).strip():
            if "://" in str(value):  # db.postgres.looks_like_url, without importing it on SQLite
                from attendance_cli.db.postgres import parse_database_url

                return parse_database_url(str(value).strip(), source=source)
            break
    return database_path(cli_value)


def database_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """The database file to use: the --db option, else $ATT_DB, else the default in the data
    dir. An empty --db is a usage error (it used to mean the default database, silently). For
    commands that work on a file only; ``database_location`` also takes a server URL."""
    if cli_value is not None:
        if not str(cli_value).strip():
            from attendance_cli.errors import UsageError

            raise UsageError(
                "--db is empty",
                hint="Give the database file, e.g. --db att.sqlite, or leave --db out.",
            )
        return Path(cli_value).expanduser()
    env = os.environ.get("ATT_DB")
    if env:
        return Path(env).expanduser()
    return data_dir() / DB_FILE


def demo_database_path() -> Path:
    """The demo database: always separate from the officer's real one."""
    return data_dir() / DEMO_DB_FILE


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (containers): fall back to the uid
        return f"uid {os.getuid()}"


_server_role: str | None = None  # set by cli.common.open_db on a PostgreSQL database


def set_server_role(role: str | None) -> None:
    """The database role the command runs as on PostgreSQL (None on SQLite)."""
    global _server_role
    _server_role = role


def officer_name(cli_value: str | None = None) -> str:
    """Who is making a change: --officer, else $ATT_OFFICER, else the OS user. On a team's
    PostgreSQL database, the database role the officer connected as (issue 16: the audit log
    records the role, not a claimed name); an --officer naming someone else is refused."""
    if _server_role is not None:
        if cli_value and cli_value.strip() and cli_value.strip() != _server_role:
            from attendance_cli.errors import UsageError

            raise UsageError(
                f"On the team's database att records you as your database role "
                f"{_server_role}, not as {cli_value.strip()!r}",
                hint="Leave out --officer; att team list shows each role's name.",
            )
        return _server_role
    if cli_value and cli_value.strip():
        return cli_value.strip()
    env = os.environ.get("ATT_OFFICER", "").strip()
    return env or os_user()


def document_store(database: Path | ServerDatabase) -> Path:
    """The case document store: a private folder beside the database file. For a database on
    a PostgreSQL server, the folder ``ATT_DOCUMENTS`` names — the team's shared folder, which
    every officer's att must name the same (README, "For a team"); unset, a private folder
    ``DBNAME-documents`` in the officer's data dir (documents then stay on one machine)."""
    if isinstance(database, Path):
        return database.with_name(database.stem + "-documents")
    shared = os.environ.get("ATT_DOCUMENTS", "").strip()
    if shared:
        return Path(shared).expanduser()
    return data_dir() / f"{database.name}-documents"
