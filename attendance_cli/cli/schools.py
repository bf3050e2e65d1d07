"""``att schools``: every school with its headline figures for the year to date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import FormatOption, YearOption
from attendance_cli.cli.tables import add_plain_row, pct, pct_and_count
from attendance_cli.exports.render import OutputFormat
from attendance_cli.text import uk_date


def schools(
    ctx: typer.Context, year: YearOption = None, output: FormatOption = OutputFormat.table
) -> None:
    """List every school with attendance, absence, PA and SA for the year to date."""
    from attendance_cli.exports.render import to_jsonable
    from attendance_cli.views.schools import COLUMNS, list_schools

    store, _ = common.open_db(ctx)
    data = to_jsonable(list_schools(store, year=year))
    if common.render(data, output, rows=data["schools"], columns=COLUMNS):
        return
    print_schools(data)


def _short_date(value: str | None) -> str:
    return dt.date.fromisoformat(value).strftime("%d/%m/%y") if value else "no marks"


def print_schools(data: dict[str, Any]) -> None:
    from rich import box
    from rich.table import Table

    period, la = data["period"], data["la_summary"]
    table = Table(
        title=f"Schools: {period['label']} ({uk_date(period['from'])} to {uk_date(period['to'])})",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    table.add_column("school", min_width=18, overflow="fold")
    for column in ("on roll", "attend.", "unauth.", "PA", "SA"):
        table.add_column(column, justify="right", no_wrap=True)
    for s in data["schools"]:
        add_plain_row(
            table,
            f"{s['name']}\n{s['laestab']}",
            f"{s['on_roll']:,}",
            pct(s["attendance_pct"]),
            pct(s["unauthorised_pct"]),
            pct_and_count(s["persistent_pct"], s["persistent"]),
            pct_and_count(s["severe_pct"], s["severe"]),
        )
    table.add_section()
    table.add_row(
        f"LA: {len(data['schools'])} schools",
        f"{la['on_roll']:,}",
        pct(la["attendance_pct"]),
        pct(la["unauthorised_pct"]),
        pct_and_count(la["persistent_pct"], la["persistent"]),
        pct_and_count(la["severe_pct"], la["severe"]),
    )
    common.stdout.print(table)
    behind = [s for s in data["schools"] if s["last_marks"] != period["last_marks"]]
    if behind:
        common.stdout.print(
            f"Registers not up to date (the LA has marks to {_short_date(period['last_marks'])}): "
            + "; ".join(f"{s['name']} ({_short_date(s['last_marks'])})" for s in behind),
            highlight=False,
        )
    if not data["schools"]:
        common.stderr.print("No schools yet: import a roster or registers with att import.")
