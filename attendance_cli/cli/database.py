"""``att db``: database information and upgrades."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import RecordFormatOption
from attendance_cli.exports.render import OutputFormat

app = typer.Typer(
    help="The database: where it is, what it holds, schema upgrades, backups.", no_args_is_help=True
)


@app.command("info")
def info(ctx: typer.Context, output: RecordFormatOption = OutputFormat.table) -> None:
    """Show the database path, schema revision and counts of schools, pupils, enrolments, marks."""
    from attendance_cli.db.info import database_info

    conn, path = common.open_connection(ctx)
    result = database_info(conn, path)
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
    from attendance_cli.db.migrate import SCHEMA_HEAD

    conn, path = common.open_connection(ctx, create=True)
    conn.close()
    common.stderr.print(f"{path} is at schema {SCHEMA_HEAD} (current).", highlight=False)


@app.command("backup")
def backup(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Backup file to write (default: NAME.backup-DATE-TIME.sqlite beside the database).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False,
) -> None:
    """Copy the database to a backup file: consistent even while att is writing, checked, private."""
    from attendance_cli.config import database_path
    from attendance_cli.db.backup import backup_database, default_backup_path

    database = database_path(common.state(ctx).db)
    result = backup_database(database, path or default_backup_path(database), overwrite=force)
    common.stdout.print(
        f"Backed up {result.database} (schema {result.schema_revision}, "
        f"{result.size_bytes:,} bytes, integrity ok) to {result.backup}",
        highlight=False,
        soft_wrap=True,
    )
    if result.audit_head:
        common.stdout.print(
            f"Audit chain head in the backup: {result.audit_head} (keep it: "
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
    from attendance_cli.config import database_path
    from attendance_cli.db.backup import restore_database

    result = restore_database(path, database_path(common.state(ctx).db))
    if result.replaced_copy:
        common.stderr.print(
            f"The database as it was is kept in {result.replaced_copy}", highlight=False
        )
    conn, _ = common.open_connection(ctx)  # upgrades a backup from an older release
    conn.close()
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
