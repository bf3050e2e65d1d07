"""``att codes``: the register code table (both DfE code sets, and the LA's local codes)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import FormatOption
from attendance_cli.exports.render import OutputFormat


def register(app: typer.Typer) -> None:
    app.command("codes")(codes_command)


def codes_command(
    code_map: Annotated[
        Path | None,
        typer.Option(
            "--map",
            help="Also list the local codes of this LA code map CSV (default $ATT_CODE_MAP).",
            show_default=False,
        ),
    ] = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """List the register codes: both DfE code sets, meanings, categories (and local codes)."""
    from attendance_cli.codes import CODE_TABLE_COLUMNS, code_table

    local = None
    path = code_map or (
        Path(os.environ["ATT_CODE_MAP"]) if os.environ.get("ATT_CODE_MAP") else None
    )
    if path is not None:
        from attendance_cli.registers.code_map import read_code_map

        local = read_code_map(path).codes
    rows = code_table(local)
    if common.render({"codes": rows}, output, rows=rows, columns=CODE_TABLE_COLUMNS):
        return
    from rich import box
    from rich.table import Table

    table = Table(title="Register codes", title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("code", "set", "category", "possible", "meaning"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row["code"]),
            str(row["code_set"]),
            str(row["category"]),
            "yes" if row["possible"] else "no",
            str(row["meaning"]),
        )
    common.stdout.print(table)
