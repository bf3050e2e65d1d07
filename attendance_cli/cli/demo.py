"""``att demo``: the whole job on the bundled sample LA, in a separate demo database."""

from __future__ import annotations

import typer

from attendance_cli.cli import common


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(ctx: typer.Context) -> None:
    """Load the bundled fictional sample LA into a separate demo database and show what att does."""
    from attendance_cli.config import demo_database_path
    from attendance_cli.demo import run_demo

    path = demo_database_path()
    if common.state(ctx).db:
        common.stderr.print(
            "Note: the demo always uses its own database, not --db.", highlight=False
        )
    result = run_demo(path)
    common.stdout.print(f"Demo database: {result.database}", highlight=False)
    for summary in result.imports.files:
        common.stdout.print(
            f"  imported {summary.file}: {summary.layout}, {summary.rows:,} rows, "
            f"{summary.marks_added:,} marks",
            highlight=False,
        )
