"""``att demo``: the whole job on the bundled sample LA, in a separate demo database."""

from __future__ import annotations

import shlex

import typer

from attendance_cli.cli import common

DEMO_SCHOOL = "8994001"  # Castle Hill Academy: severe, persistent, at-risk and penalty cases


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(ctx: typer.Context) -> None:
    """Load the bundled fictional sample LA into a separate demo database and show a TSM pack."""
    from attendance_cli.cli.tsm import print_pack
    from attendance_cli.config import demo_database_path
    from attendance_cli.demo import run_demo
    from attendance_cli.exports.render import to_jsonable
    from attendance_cli.invocation import att_command
    from attendance_cli.store import open_store
    from attendance_cli.tsm.pack import prepare_tsm_pack

    path = demo_database_path()
    if common.state(ctx).db:
        common.stderr.print(
            "Note: the demo always uses its own database, not --db.", highlight=False
        )
    result = run_demo(path)
    common.stdout.print(f"Demo database (fictional data): {result.database}", highlight=False)
    for summary in result.imports.files:
        common.stdout.print(
            f"  imported {summary.file}: {summary.layout}, {summary.rows:,} rows, {summary.marks_added:,} marks",
            highlight=False,
        )
    store, _ = open_store(path)
    with store:
        pack = prepare_tsm_pack(store, school=DEMO_SCHOOL)
    common.stdout.print()
    print_pack(to_jsonable(pack))
    att = f"{att_command()} --db {shlex.quote(str(path))}"
    common.stdout.print(
        f"\nTry it yourself on the demo database:\n"
        f"  {att} tsm prepare --school riverside\n"
        f"  {att} tsm prepare --school 8997001 --format json\n"
        f"  {att} tsm prepare --school castle --output castle-hill-tsm.xlsx\n"
        f"  {att} db info",
        highlight=False,
        soft_wrap=True,
    )
