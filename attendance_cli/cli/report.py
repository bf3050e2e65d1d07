"""``att report``: LA-wide reports."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import (
    ForceOption,
    FormatOption,
    FromOption,
    TermOption,
    ToOption,
    WorkbookOption,
    YearOption,
)
from attendance_cli.cli.tables import (
    add_plain_row,
    cohort_table,
    headline_table,
    pct,
    pct_and_count,
)
from attendance_cli.exports.render import OutputFormat
from attendance_cli.text import uk_date

app = typer.Typer(help="LA-wide reports.", no_args_is_help=True)


@app.command("la")
def la(
    ctx: typer.Context,
    term: TermOption = None,
    year: YearOption = None,
    start: FromOption = None,
    end: ToOption = None,
    limit: Annotated[
        int,
        typer.Option("--limit", min=0, help="Pupils shown per list on screen (0: all)."),
    ] = 20,
    output: FormatOption = OutputFormat.table,
    workbook: WorkbookOption = None,
    force: ForceOption = False,
) -> None:
    """The LA report: headline, schools ranked by PA rate, cohorts, social care, penalty threshold, continuous absence."""
    from attendance_cli.exports.render import to_jsonable
    from attendance_cli.files import check_output_path
    from attendance_cli.views.la_report import prepare_la_report
    from attendance_cli.views.schools import COLUMNS

    if workbook is not None:
        check_output_path(workbook, force=force)
    store, _ = common.open_db(ctx)
    report = prepare_la_report(
        store,
        term=term,
        year=year,
        start=start.date() if start else None,
        end=end.date() if end else None,
    )
    if workbook is not None:
        from attendance_cli.views.la_workbook import write_la_workbook

        written = write_la_workbook(report, workbook, force=force)
        common.stderr.print(f"Wrote the LA report workbook to {written}", highlight=False)
    data = to_jsonable(report)
    if common.render(data, output, rows=data["schools"], columns=COLUMNS):
        return
    print_report(data, limit)


def _name(p: dict[str, Any]) -> str:
    return f"{p['surname'] or ''}, {p['forename'] or ''}\n{p['upn']}"


def print_report(data: dict[str, Any], limit: int) -> None:
    from rich import box
    from rich.panel import Panel
    from rich.table import Table

    from attendance_cli.analysis.thresholds import short_label

    out = common.stdout
    period = data["period"]
    out.print(
        Panel(
            headline_table([("LA", data["summary"])], data["national"]),
            title="LA attendance report",
            subtitle=f"{period['label']}: {uk_date(period['from'])} to {uk_date(period['to'])}",
            expand=False,
        )
    )
    schools = Table(
        title="Schools by persistent absence rate",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    schools.add_column("rank", justify="right")
    schools.add_column("school", min_width=18, overflow="fold")
    for column in ("on roll", "attend.", "PA", "SA", "marks to"):
        schools.add_column(column, justify="right", no_wrap=True)
    for s in data["schools"]:
        add_plain_row(
            schools,
            str(s["pa_rank"] or "-"),
            f"{s['name']} ({s['laestab']})",
            f"{s['on_roll']:,}",
            pct(s["attendance_pct"]),
            pct_and_count(s["persistent_pct"], s["persistent"]),
            pct_and_count(s["severe_pct"], s["severe"]),
            uk_date(s["last_marks"]) if s["last_marks"] else "no marks",
        )
    out.print(schools)
    out.print(cohort_table(data["cohorts"], title="Cohorts (LA)"))

    def pupils(key: str, title: str, columns: list[str], row: Any) -> None:
        listed = data[key]
        shown = listed if limit == 0 else listed[:limit]
        table = Table(
            title=f"{title}: {len(listed):,}",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            padding=(0, 1),
        )
        for column in columns:
            wide = {"school": 12, "pupil": 15}.get(column)
            table.add_column(column, overflow="fold", min_width=wide)
        for p in shown:
            add_plain_row(table, *row(p))
        out.print(table)
        if len(shown) < len(listed):
            out.print(
                f"  ... and {len(listed) - len(shown):,} more (--limit 0, --format json or "
                "--output la.xlsx for all)",
                highlight=False,
            )

    def care(p: dict[str, Any]) -> list[str]:
        status = "looked after" if p["looked_after"] else p["social_worker"]
        band = "SA" if p["severe"] else "PA" if p["persistent"] else ""
        return [
            p["school"],
            _name(p),
            p["year_group"] or "",
            status,
            f"{pct(p['attendance_pct'])} {band}".strip(),
            str(p["unexplained_sessions"]),
            "; ".join(short_label(code) for code in p["flag_codes"]),
        ]

    pupils(
        "social_care",
        "Children with a social worker or looked after (virtual school)",
        ["school", "pupil", "yr", "status", "attend.", "N/O", "flags"],
        care,
    )
    thresholds = data["thresholds"]

    def penalty(p: dict[str, Any]) -> list[str]:
        return [
            p["school"],
            _name(p),
            p["year_group"] or "",
            str(p["unauthorised"]),
            uk_date(p["penalty_threshold_date"]),
            "yes" if p["penalty_threshold_met_now"] else "no",
            str(p["unauthorised_last_10_weeks"]),
        ]

    pupils(
        "penalty_threshold",
        f"Penalty-notice threshold ({thresholds['penalty_sessions']}+ unauthorised sessions in "
        f"{thresholds['penalty_weeks']} school weeks)",
        ["school", "pupil", "yr", "unauth.", "first met", "met now", "10 wks"],
        penalty,
    )

    def continuous(p: dict[str, Any]) -> list[str]:
        return [
            p["school"],
            _name(p),
            p["year_group"] or "",
            str(p["longest_unauthorised_days"]),
            uk_date(p["longest_unauthorised_from"]) if p["longest_unauthorised_from"] else "",
            "yes" if p["longest_unauthorised_running"] else "no",
            "; ".join(short_label(code) for code in p["flag_codes"]),
        ]

    pupils(
        "continuous_absence",
        f"Continuous unauthorised absence ({thresholds['notify_la_days']}+ school days)",
        ["school", "pupil", "yr", "days", "from", "running", "flags"],
        continuous,
    )
