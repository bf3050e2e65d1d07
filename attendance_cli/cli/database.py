"""``att db``: database information and upgrades."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import RecordFormatOption
from attendance_cli.exports.render import RecordFormat

app = typer.Typer(
    help="The database: where it is, what it holds, schema upgrades, backups.", no_args_is_help=True
)


@app.command("info")
def info(ctx: typer.Context, output: RecordFormatOption = RecordFormat.table) -> None:
    """Show the database path, schema revision and counts of schools, pupils, enrolments, marks."""
    from attendance_cli.store.info import database_info

    store, path = common.open_db(ctx)
    result = database_info(store, path)
    if common.render(result, output):
        return
    from rich.table import Table

    from attendance_cli.text import uk_date

    table = Table(show_header=False, box=None)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")  # a long path or the audit head (ID:HASH) folds, whole
    for key, value in vars(result).items():
        table.add_row(
            key.replace("_", " "),
            ""
            if value is None
            else f"{value:,}"
            if isinstance(value, int)
            else uk_date(value)
            if key.endswith("date")
            else str(value),
        )
    common.stdout.print(table)


@app.command("init")
def init(ctx: typer.Context) -> None:
    """Create a new, empty database (att import also creates one); an existing one is left as it is."""
    from attendance_cli.db.migrate import SCHEMA_HEAD

    conn, path = common.open_db(ctx, create=True)
    conn.close()
    common.stderr.print(f"{path} is at schema {SCHEMA_HEAD} (current).", highlight=False)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Bring the database schema up to date (also done automatically on first use)."""
    from attendance_cli import team
    from attendance_cli.db.migrate import SCHEMA_HEAD

    store, path = common.open_db(ctx, create=True)
    if team.refresh_grants(store):  # PostgreSQL: the team's roles on any table just added
        common.stderr.print("The team's roles are granted on every table.", highlight=False)
    store.close()
    common.stderr.print(f"{path} is at schema {SCHEMA_HEAD} (current).", highlight=False)


@app.command("backup")
def backup(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Backup file to write (default: NAME.backup-DATE-TIME.sqlite beside the database; "
            "on PostgreSQL a pg_dump file DBNAME.backup-DATE-TIME.dump in your data folder).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False,
) -> None:
    """Copy the database to a backup file: consistent even while att is writing, checked, private."""
    from attendance_cli.config import database_location
    from attendance_cli.db.backup import backup_database, default_backup_path

    database = database_location(common.state(ctx).db)
    if not isinstance(database, Path):  # PostgreSQL: pg_dump's custom format (issue 16)
        from attendance_cli.config import data_dir
        from attendance_cli.db.engine import make_private_folders
        from attendance_cli.db.postgres import dump_server_database

        if path is None:
            make_private_folders(data_dir())
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            path = data_dir() / f"{database.name}.backup-{stamp}.dump"
        dumped = dump_server_database(database, path, force=force)
        common.stdout.print(
            f"Backed up {dumped.database} with pg_dump ({dumped.tables} tables, "
            f"{dumped.size_bytes:,} bytes, read back with pg_restore) to {dumped.backup}",
            highlight=False,
            soft_wrap=True,
        )
        _print_audit_head(dumped.audit_head)
        return
    result = backup_database(database, path or default_backup_path(database), overwrite=force)
    common.stdout.print(
        f"Backed up {result.database} (schema {result.schema_revision}, "
        f"{result.size_bytes:,} bytes, integrity ok) to {result.backup}",
        highlight=False,
        soft_wrap=True,
    )
    _print_audit_head(result.audit_head)


def _print_audit_head(head: str | None) -> None:
    if head:
        common.stdout.print(
            f"Audit chain head in the backup: {head} (keep it: "
            "`att audit verify --anchor` checks the log still holds it)",
            highlight=False,
            soft_wrap=True,
        )


@app.command("restore")
def restore(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Backup file to restore.", show_default=False)],
) -> None:
    """Replace the database with a backup, after checking it; the replaced database is kept."""
    from attendance_cli.config import database_location
    from attendance_cli.db.backup import restore_database

    database = database_location(common.state(ctx).db)
    if not isinstance(database, Path):
        _server_backups(database, "restore")
    result = restore_database(path, database)
    if result.replaced_copy:
        common.stderr.print(
            f"The database as it was is kept in {result.replaced_copy}", highlight=False
        )
    store, _ = common.open_db(ctx)  # upgrades a backup from an older release
    store.close()
    common.stdout.print(
        f"Restored {result.database} from {result.restored_from} "
        f"(schema {result.schema_revision}, integrity ok)",
        highlight=False,
        soft_wrap=True,
    )
    if result.audit_head:
        common.stdout.print(
            f"Audit chain head restored: {result.audit_head}", highlight=False, soft_wrap=True
        )


def _server_backups(database: object, verb: str) -> NoReturn:
    """A PostgreSQL database's backups are the server's: say how (README, 'For a team')."""
    from attendance_cli.errors import UsageError

    name = getattr(database, "name", "DBNAME")
    how = (
        f"pg_dump --format=custom --file=att.dump {name}"
        if verb == "backup"
        else f"pg_restore --clean --if-exists --dbname={name} att.dump"
    )
    raise UsageError(
        f"att db {verb} works on an SQLite file; {database} is on a PostgreSQL server, whose "
        f"backups are the server's ({'pg_dump' if verb == 'backup' else 'pg_restore'})",
        hint=f"Ask the server's administrator, or run: {how} (with the same PGHOST/PGUSER as "
        "att); see the README, 'For a team'.",
    )
