"""``att team``: the officers of a team on one database, their schools and cases, their roles
(issue 16; the rules are in ``attendance_cli.team``)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import (
    FormatOption,
    OfficerOption,
    RecordFormatOption,
    YearOption,
)
from attendance_cli.exports.render import OutputFormat, RecordFormat

app = typer.Typer(
    help="The team: officers, the schools and cases allocated to them, database roles.",
    no_args_is_help=True,
)

TEAM_KEYS = ["role", "display_name", "schools", "open_cases"]
RoleArgument = Annotated[
    str, typer.Argument(help="The officer's database role (login name).", show_default=False)
]


@app.command("add")
def add(
    ctx: typer.Context,
    role: RoleArgument,
    name: Annotated[str, typer.Option("--name", help="The name listings show.")],
    officer: OfficerOption = None,
) -> None:
    """Add an officer to the team (or change the name shown for them)."""
    from attendance_cli import team
    from attendance_cli.config import officer_name

    store, _ = common.open_db(ctx)
    team.add_officer(store, role=role, name=name, officer=officer_name(officer))
    common.stderr.print(f"{role} is in the team as {' '.join(name.split())}", highlight=False)


@app.command("list")
def list_command(ctx: typer.Context, output: FormatOption = OutputFormat.table) -> None:
    """The team: each officer's role, name, allocated schools and open cases."""
    from attendance_cli import team

    store, _ = common.open_db(ctx)
    rows: list[dict[str, Any]] = [
        {
            "role": o.role,
            "display_name": o.display_name,
            "schools": list(o.schools),
            "open_cases": o.cases,
        }
        for o in team.list_officers(store)
    ]
    csv_rows = [{**r, "schools": " ".join(r["schools"])} for r in rows]
    if common.render(rows, output, rows=csv_rows, columns=TEAM_KEYS):
        return
    if not rows:
        common.stderr.print('No officers yet: att team add ROLE --name "NAME"', highlight=False)
        return
    from rich.table import Table

    table = Table("Role", "Name", "Schools", "Open cases")
    for r in csv_rows:
        table.add_row(r["role"], r["display_name"], r["schools"], str(r["open_cases"]))
    common.stdout.print(table)


def _print_allocation(result: Any, output: Any) -> None:
    from attendance_cli.exports.render import to_jsonable

    if common.render(to_jsonable(result), output):
        return
    before = f" (was {result.previous})" if result.previous else ""  # type: ignore[attr-defined]
    common.stdout.print(
        f"{result.what.capitalize()} {result.key} is allocated to "  # type: ignore[attr-defined]
        f"{result.officer}{before}",  # type: ignore[attr-defined]
        highlight=False,
    )


@app.command("allocate-school")
def allocate_school(
    ctx: typer.Context,
    school: Annotated[str, typer.Argument(help="LAESTAB or part of the school's name.")],
    role: RoleArgument,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Make an officer the school's named LA contact (replacing any other; audited)."""
    from attendance_cli import team
    from attendance_cli.config import officer_name

    store, _ = common.open_db(ctx)
    result = team.allocate_school(store, school=school, role=role, officer=officer_name(officer))
    _print_allocation(result, output)


@app.command("allocate-case")
def allocate_case(
    ctx: typer.Context,
    upn: Annotated[str, typer.Argument(help="The pupil's UPN.", show_default=False)],
    role: RoleArgument,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Allocate the pupil's open case to an officer (replacing any other; audited)."""
    from attendance_cli import team
    from attendance_cli.config import officer_name

    store, _ = common.open_db(ctx)
    result = team.allocate_case(store, upn=upn, role=role, officer=officer_name(officer))
    _print_allocation(result, output)


@app.command("grant")
def grant(
    ctx: typer.Context,
    role: RoleArgument,
    level: Annotated[
        str,
        typer.Option(
            "--as", help="read-only, officer (also casework) or leader (also allocation)."
        ),
    ],
    show_sql: Annotated[
        bool, typer.Option("--show-sql", help="Print the SQL instead of running it.")
    ] = False,
) -> None:
    """Give a database role what a team member needs (PostgreSQL; run as the administrator)."""
    from attendance_cli import team

    if show_sql:
        for statement in team.grant_statements(role, level):
            common.emit(statement + ";")
        return
    store, _ = common.open_db(ctx)
    team.grant(store, role=role, level=level)
    common.stderr.print(f"{role} now has {level} access", highlight=False)


TASK_KEYS = [
    "due",
    "overdue",
    "upn",
    "pupil",
    "kind",
    "description",
    "owner",
    "officer",
    "item",
    "id",
]


def tasks_command(
    ctx: typer.Context,
    officer: Annotated[
        str,
        typer.Option(
            "--officer",
            help="Whose work: me (default) or an officer's role.",
            show_default=False,
        ),
    ] = "me",
    team_view: Annotated[
        bool, typer.Option("--team", help="Everyone's, allocated or not.")
    ] = False,
    days: Annotated[int, typer.Option("--days", help="Due within this many days.")] = 14,
    output: FormatOption = OutputFormat.table,
) -> None:
    """My work: actions, penalty-notice deadlines and requests to decide, overdue or due soon."""
    import datetime as dt

    from attendance_cli import team
    from attendance_cli.config import officer_name
    from attendance_cli.errors import NotFoundError
    from attendance_cli.exports.render import to_jsonable
    from attendance_cli.text import plural, uk_date

    store, _ = common.open_db(ctx)
    role = None
    if not team_view:
        role = officer_name() if officer == "me" else officer
        if officer == "me" and not team.is_role_name(role):
            raise NotFoundError(
                f"You ({role}) are not in the team",
                hint="att team add ROLE --name NAME adds you; --team shows every case's tasks.",
            )
    found = team.tasks(store, officer=role, today=dt.date.today(), days=days)
    rows = [{k: to_jsonable(getattr(t, k)) for k in TASK_KEYS} for t in found]
    if common.render(rows, output, rows=rows, columns=TASK_KEYS):
        return
    whose = "the team" if role is None else role
    if not found:
        common.stderr.print(
            f"Nothing due in the next {plural(days, 'day')} for {whose}", highlight=False
        )
        return
    from rich.table import Table

    table = Table("Due", "Pupil", "Action", "Owner", "Officer", title=f"Tasks for {whose}")
    for t in found:
        due = uk_date(t.due) + (" (overdue)" if t.overdue else "")  # type: ignore[arg-type]
        table.add_row(
            due,
            f"{t.pupil}\n{t.upn}",
            f"{t.kind}: {t.description}",  # a notice's or request's id is in the text
            t.owner or "",
            t.officer or "unallocated",
        )
    common.stdout.print(table)


TSM_STATUS_KEYS = [
    "laestab",
    "school",
    "officer",
    "tsm_held",
    "severe",
    "persistent",
    "without_plan",
    "without_lead",
]


def tsm_status_command(
    ctx: typer.Context,
    term: Annotated[
        str, typer.Option("--term", help="autumn, spring or summer (assumed term dates).")
    ],
    year: YearOption = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """The term's TSMs: each school, its officer, whether its TSM is held, pupils without a plan."""
    from attendance_cli.exports.render import to_jsonable
    from attendance_cli.text import uk_date
    from attendance_cli.tsm.status import tsm_status

    store, _ = common.open_db(ctx)
    status = tsm_status(store, term=term, year=year)
    rows = [{k: to_jsonable(getattr(s, k)) for k in TSM_STATUS_KEYS} for s in status.schools]
    if common.render(
        {"period": to_jsonable(status.period), "schools": rows},
        output,
        rows=rows,
        columns=TSM_STATUS_KEYS,
    ):
        return
    from rich.table import Table

    table = Table(
        "School",
        "Officer",
        "TSM held",
        "SA",
        "PA",
        "No plan",
        "No lead",
        title=f"Targeting Support Meetings, {status.period.label}",
    )
    for s in status.schools:
        table.add_row(
            f"{s.school}\n{s.laestab}",
            s.officer or "unallocated",
            uk_date(s.tsm_held) if s.tsm_held else "not yet",
            str(s.severe),
            str(s.persistent),
            str(s.without_plan),
            str(s.without_lead),
        )
    common.stdout.print(table)
