"""``att db``: database information and upgrades."""

from __future__ import annotations

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import FormatOption
from attendance_cli.exports.render import OutputFormat

app = typer.Typer(
    help="The database: where it is, what it holds, schema upgrades.", no_args_is_help=True
)


@app.command("info")
def info(ctx: typer.Context, output: FormatOption = OutputFormat.table) -> None:
    """Show the database path, schema revision and counts of schools, pupils, enrolments, marks."""
    from attendance_cli.db.info import database_info

    conn, path = common.open_db(ctx)
    result = database_info(conn, path)
    if common.render(result, output):
        return
    from rich.table import Table

    table = Table(show_header=False, box=None)
    for key, value in vars(result).items():
        table.add_row(
            key.replace("_", " "),
            "" if value is None else f"{value:,}" if isinstance(value, int) else str(value),
        )
    common.stdout.print(table)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Bring the database schema up to date (also done automatically on first use)."""
    from attendance_cli.db.migrate import SCHEMA_HEAD

    conn, path = common.open_db(ctx)
    conn.close()
    common.stderr.print(f"{path} is at schema {SCHEMA_HEAD} (current).", highlight=False)
