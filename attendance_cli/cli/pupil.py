"""``att pupil``: one pupil's attendance record."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import FormatOption, RecordFormatOption, YearOption
from attendance_cli.cli.tables import add_plain_row, pct
from attendance_cli.errors import ExitCode
from attendance_cli.exports.render import OutputFormat, RecordFormat
from attendance_cli.text import plural, uk_date

app = typer.Typer(help="One pupil: figures, flags and register marks.", no_args_is_help=True)

# On-screen colour of each mark category (none when the output is not a terminal or NO_COLOR).
CATEGORY_STYLES = {
    "present": "green",
    "aea": "cyan",
    "authorised": "yellow",
    "unauthorised": "bold red",
    "not_possible": "blue",
    "missing": "magenta",
}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")


@app.command("show")
def show(
    ctx: typer.Context,
    upn: Annotated[str, typer.Argument(help="The pupil's UPN (13 characters).")],
    year: YearOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Show a pupil's enrolments, figures per term, flags and week-by-week register marks."""
    from attendance_cli.exports.render import to_jsonable
    from attendance_cli.views.pupil import show_pupil

    store, _ = common.open_db(ctx)
    data = to_jsonable(show_pupil(store, upn=upn, year=year))
    if common.render(data, output):
        return
    print_pupil(data)


@app.command("find")
def find(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The pupil's name, or part of it, in any order.")],
    output: FormatOption = OutputFormat.table,
) -> None:
    """Find pupils by name (forename and surname in any order, case and accents ignored)."""
    from attendance_cli.store.registers import find_pupils_by_name

    store, _ = common.open_db(ctx)
    rows: list[dict[str, Any]] = [
        {
            "upn": m.pupil.upn,
            "surname": m.pupil.surname,
            "forename": m.pupil.forename,
            "year_group": m.year_group,
            "schools": list(m.schools),
        }
        for m in find_pupils_by_name(store, name)
    ]
    columns = ["upn", "surname", "forename", "year_group", "schools"]
    if common.render(rows, output, rows=rows, columns=columns):
        return
    if not rows:
        common.stderr.print(f"No pupil is called {name!r}.", highlight=False, markup=False)
        raise typer.Exit(int(ExitCode.NOT_FOUND))
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD)
    for header in ("UPN", "name", "year", "school"):
        table.add_column(header, no_wrap=header == "UPN")
    for r in rows:
        add_plain_row(
            table,
            r["upn"],
            f"{r['forename'] or ''} {r['surname'] or ''}".strip(),
            r["year_group"] or "",
            ", ".join(r["schools"]),
        )
    common.stdout.print(table)


def _yes(value: Any) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def print_pupil(data: dict[str, Any]) -> None:
    from rich.panel import Panel
    from rich.table import Table

    out = common.stdout
    about = Table.grid(padding=(0, 2))
    about.add_column(style="bold")
    about.add_column()
    sen = {"N": "none", "K": "SEN support", "E": "EHC plan"}.get(data["sen"] or "", "unknown")
    worker = {"SW": "has a social worker"}.get(data["social_worker"], data["social_worker"])
    care = "looked after" if data["looked_after"] else (worker or "none")
    born = uk_date(data["date_of_birth"]) if data["date_of_birth"] else "unknown"
    about.add_row("born", f"{born}, gender {data['gender'] or '?'}")
    about.add_row("FSM / SEN", f"{_yes(data['fsm'])} / {sen}")
    about.add_row("social care", care)
    case = data["casework"]
    if case:
        about.add_row(
            "open case",
            f"lead {case['lead_practitioner'] or 'none'}"
            + (f" ({case['lead_agency']})" if case["lead_agency"] else "")
            + f"; {case['open_actions']} open actions, {case['overdue_actions']} overdue"
            + (f"; next review {case['next_review']}" if case["next_review"] else ""),
        )
    name = f"{data['forename'] or ''} {data['surname'] or ''}".strip() or "(no name)"
    out.print(Panel(about, title=f"{name} ({data['upn']})", expand=False))
    if not data["enrolments"]:
        out.print("No enrolments held for this pupil.", highlight=False)
    for enrolment in data["enrolments"]:
        _print_enrolment(enrolment)


def _print_enrolment(e: dict[str, Any]) -> None:
    out = common.stdout
    dates = f"from {e['entry_date'] or '?'}" + (
        f" to {e['leaving_date']}" if e["leaving_date"] else ""
    )
    group = f", reg {e['registration_group']}" if e.get("registration_group") else ""
    out.rule(f"{e['school']} ({e['laestab']}), year {e['year_group'] or '?'}{group}, {dates}")
    f, period = e["figures"], e["period"]
    if f is None or period is None:
        out.print("No register marks for this enrolment in that year.", highlight=False)
        return
    out.print(
        f"{period['label']} ({uk_date(period['from'])} to {uk_date(period['to'])}): attendance "
        f"{pct(f['attendance_pct'])} ({f['attended']} of "
        f"{plural(f['possible'], 'possible session')}); "
        f"missed {plural(f['sessions_missed'], 'session')} = {plural(f['days_missed'], 'day')} "
        f"({f['authorised']} authorised, {f['unauthorised']} unauthorised); late {f['late']}; "
        f"band: {f['band'].replace('_', ' ')}",
        highlight=False,
    )
    if f.get("missing"):
        out.print(
            f"  - figures incomplete: {plural(f['missing'], 'session')} with no mark yet (-); ask the "
            "school for those marks",
            highlight=False,
        )
    for line in _flag_lines(f):
        out.print(f"  - {line}", highlight=False)
    _print_terms(e)
    _print_register(e["register"])


def _flag_lines(f: dict[str, Any]) -> list[str]:
    lines = list(f["flags"]) + list(f["at_risk_reasons"])
    if f["penalty_threshold_met"]:
        lines.append(
            f"penalty-notice threshold met on {f['penalty_threshold_date']}"
            + (
                " and still met in the last 10 school weeks"
                if f["penalty_threshold_met_now"]
                else ""
            )
        )
    elif f["penalty_threshold_met_now"]:
        lines.append("penalty-notice threshold met in the last 10 school weeks")
    if f["pa_unavoidable_this_year"]:
        lines.append("PA unavoidable this year")
    elif f["recovery_sessions_year"]:
        lines.append(
            f"{plural(f['recovery_sessions_year'], 'session')} in a row to leave PA this year"
        )
    lines += f["pattern"]
    if f["top_reasons"]:
        lines.append("reasons: " + ", ".join(f["top_reasons"]))
    return lines


def _print_terms(e: dict[str, Any]) -> None:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("term", no_wrap=True)
    for column in ("possible", "attend.", "absence", "days", "unauth.", "late", "band"):
        table.add_column(column, justify="right")
    rows = list(e["terms"]) + ([e["previous_year"]] if e["previous_year"] else [])
    for t in rows:
        table.add_row(
            t["term"],
            str(t["possible"]),
            pct(t["attendance_pct"]),
            pct(t["absence_pct"]),
            f"{t['days_missed']:g}",
            str(t["unauthorised"]),
            str(t["late"]),
            "SA" if t["severe"] else "PA" if t["persistent"] else "",
        )
    common.stdout.print(table)


def _print_register(weeks: list[dict[str, Any]]) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from attendance_cli.views.pupil import register_category

    table = Table(title="Register (AM PM)", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("week of", no_wrap=True)
    for day in WEEKDAYS:
        table.add_column(day, no_wrap=True)
    table.add_column("possible", justify="right")
    table.add_column("absent", justify="right")
    for week in weeks:
        monday = dt.date.fromisoformat(week["week_beginning"])
        cells = []
        for offset in range(5):
            cell = Text()
            for session in range(2):
                code = week["marks"][offset * 2 + session]
                category = register_category(code, monday + dt.timedelta(days=offset))
                cell.append(f"{code or '.':<2}", style=CATEGORY_STYLES.get(category or "", ""))
                if session == 0:
                    cell.append(" ")
            cells.append(cell)
        add_plain_row(
            table, f"{monday:%d/%m/%y}", *cells, str(week["possible"]), str(week["absent"])
        )
    common.stdout.print(table)
    legend = Text("key: ")
    for category, example in (
        ("present", "/ \\ L present"),
        ("aea", "K V P W B approved activity"),
        ("authorised", "I M C ... authorised"),
        ("unauthorised", "G N O U unauthorised"),
        ("not_possible", "D X Y # ... not possible"),
        ("missing", "- not yet marked"),
    ):
        legend.append(example, style=CATEGORY_STYLES[category])
        legend.append("  ")
    legend.append(". no mark")
    common.stdout.print(legend)
