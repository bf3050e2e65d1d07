"""``att columns``: a school's saved column map (list, save, forget)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import FormatOption
from attendance_cli.exports.render import OutputFormat
from attendance_cli.text import plural, uk_date

app = typer.Typer(
    help="A school's saved column map: which header of its export is which field.",
    no_args_is_help=True,
)

COLUMNS = ["laestab", "school_name", "columns", "saved_at", "officer"]

SchoolArgument = Annotated[
    str,
    typer.Option("--school", help="LAESTAB of the school (7 digits).", show_default=False),
]


def _row(saved: Any) -> dict[str, Any]:
    return {
        "laestab": saved.laestab,
        "school_name": saved.school_name,
        "columns": saved.text,
        "fields": dict(saved.columns),
        "saved_at": saved.saved_at.isoformat() if saved.saved_at else None,
        "officer": saved.officer,
    }


@app.command("list")
def list_command(ctx: typer.Context, output: FormatOption = OutputFormat.table) -> None:
    """List the schools with a saved column map, and each map."""
    from attendance_cli.registers.column_maps import list_saved_columns

    store, _ = common.open_db(ctx)
    rows = [_row(saved) for saved in list_saved_columns(store)]
    if common.render({"column_maps": rows}, output, rows=rows, columns=COLUMNS):
        return
    if not rows:
        common.stderr.print(
            'No saved column maps. Save one with: att columns save --school LAESTAB --columns "…"',
            highlight=False,
            markup=False,
        )
        return
    from rich import box
    from rich.table import Table

    table = Table(title="Saved column maps", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("school", overflow="fold")
    table.add_column("columns", overflow="fold")
    table.add_column("saved", no_wrap=True)
    for row in rows:
        table.add_row(
            f"{row['school_name']}\n{row['laestab']}",
            row["columns"],
            f"{uk_date(row['saved_at'][:10]) if row['saved_at'] else '-'}\n{row['officer']}",
        )
    common.stdout.print(table)


@app.command("save")
def save_command(
    ctx: typer.Context,
    school: SchoolArgument,
    columns: Annotated[
        str,
        typer.Option(
            "--columns",
            help='The map, as att import --columns takes it: "upn=Pupil No,mark=Code,…".',
            show_default=False,
        ),
    ],
) -> None:
    """Save a column map for a school; its later imports (att import --school) use it."""
    from attendance_cli.registers.column_maps import save_school_columns

    store, _ = common.open_db(ctx)
    saved = save_school_columns(store, laestab=school, columns=columns)
    common.stderr.print(
        f"Saved a column map of {plural(len(saved.columns), 'field')} for {saved.school_name} "
        f"({saved.laestab}): {saved.text}",
        highlight=False,
        markup=False,
    )


@app.command("forget")
def forget_command(ctx: typer.Context, school: SchoolArgument) -> None:
    """Delete a school's saved column map; its later files are read by their headers again."""
    from attendance_cli.registers.column_maps import forget_school_columns

    store, _ = common.open_db(ctx)
    removed = forget_school_columns(store, laestab=school)
    common.stderr.print(
        f"Forgot the column map of {plural(removed, 'field')} saved for {school}.",
        highlight=False,
        markup=False,
    )
