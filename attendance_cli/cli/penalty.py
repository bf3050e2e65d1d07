"""``att penalty``: penalty notices under the national framework (rules in ``cases.penalty``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import FormatOption, RecordFormatOption, check_day, id_argument
from attendance_cli.exports.render import OutputFormat

app = typer.Typer(
    help="Penalty notices: record, pay, withdraw and list them under the national framework "
    "(£80/£160; at most two per parent per child in 3 years).",
    no_args_is_help=True,
)

COLUMNS = [
    "id",
    "upn",
    "surname",
    "forename",
    "schools",
    "school_names",
    "parent_name",
    "issued",
    "notice_number",
    "counts_towards_limit",
    "framework",
    "amount_pence",
    "amount_due_pence",
    "reduced_amount_pence",
    "full_amount_pence",
    "reduced_rate_until",
    "pay_by",
    "status",
    "paid",
    "withdrawn",
    "withdrawn_reason",
    "case_id",
    "created_at",
    "officer",
]

UpnArgument = Annotated[str, typer.Argument(help="The pupil's UPN.", show_default=False)]
ParentOption = Annotated[
    str,
    typer.Option(
        "--parent",
        help="The parent the notice is to (matched ignoring case, spacing and a title).",
        show_default=False,
    ),
]
OfficerOption = Annotated[
    str | None,
    typer.Option("--officer", help="Who records this (default: $ATT_OFFICER, else your login)."),
]
AmountOption = Annotated[
    str | None,
    typer.Option(
        "--amount",
        help="Pounds paid or asked for (default: set by the framework; a contradiction is refused).",
    ),
]
DATE_HELP = "YYYY-MM-DD or DD/MM/YYYY"


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    from attendance_cli.errors import InvalidInputError
    from attendance_cli.registers.values import parse_date

    date, problem = parse_date(value)
    if date is None:
        raise InvalidInputError(f"{option}: {problem}", hint=f"Give {option} as {DATE_HELP}.")
    return check_day(date, option)


def _amount(value: str | None) -> int | None:
    if value is None:
        return None
    from attendance_cli.cases.penalty_rules import parse_amount

    return parse_amount(value)


def _show_result(result: Any, output: OutputFormat, verb: str) -> None:
    for warning in result.warnings:
        common.stderr.print(f"Warning: {warning}", highlight=False, markup=False, style="yellow")
    if common.render(result.notice, output):
        return
    common.stderr.print(f"{verb} penalty notice {result.notice.id}.", highlight=False)
    _print_notices([result.notice], title=None)


@app.command("add")
def add(
    ctx: typer.Context,
    upn: UpnArgument,
    parent: ParentOption,
    issued: Annotated[
        str, typer.Option("--issued", help=f"Date of issue ({DATE_HELP}).", show_default=False)
    ],
    amount: AmountOption = None,
    paid: Annotated[
        str | None, typer.Option("--paid", help=f"Already paid on this date ({DATE_HELP}).")
    ] = None,
    withdrawn: Annotated[
        str | None,
        typer.Option("--withdrawn", help=f"Already withdrawn on this date ({DATE_HELP})."),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why it was withdrawn (with --withdrawn).")
    ] = None,
    officer: OfficerOption = None,
    output: RecordFormatOption = OutputFormat.table,
) -> None:
    """Record a penalty notice: a second to the same parent for the same child within 3 years is
    £160 flat (warned), a third is refused with the date one becomes possible."""
    from attendance_cli.cases.penalty import add_penalty_notice
    from attendance_cli.config import officer_name

    issued_date = _date(issued, "--issued")
    assert issued_date is not None
    store, _ = common.open_db(ctx)
    result = add_penalty_notice(
        store,
        upn=upn,
        parent=parent,
        issued=issued_date,
        officer=officer_name(officer),
        amount_pence=_amount(amount),
        paid=_date(paid, "--paid"),
        withdrawn=_date(withdrawn, "--withdrawn"),
        reason=reason,
    )
    _show_result(result, output, "Recorded")


@app.command("update")
def update(
    ctx: typer.Context,
    notice_id: Annotated[int, id_argument("The notice's id (see att penalty list).")],
    paid: Annotated[
        str | None, typer.Option("--paid", help=f"Paid on this date ({DATE_HELP}).")
    ] = None,
    amount: AmountOption = None,
    withdrawn: Annotated[
        str | None, typer.Option("--withdrawn", help=f"Withdrawn on this date ({DATE_HELP}).")
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why it was withdrawn (with --withdrawn).")
    ] = None,
    officer: OfficerOption = None,
    output: RecordFormatOption = OutputFormat.table,
) -> None:
    """Record that a notice was paid or withdrawn (nothing is ever deleted or overwritten)."""
    from attendance_cli.cases.penalty import update_penalty_notice
    from attendance_cli.config import officer_name

    store, _ = common.open_db(ctx)
    result = update_penalty_notice(
        store,
        notice_id=notice_id,
        officer=officer_name(officer),
        paid=_date(paid, "--paid"),
        amount_pence=_amount(amount),
        withdrawn=_date(withdrawn, "--withdrawn"),
        reason=reason,
    )
    _show_result(result, output, "Updated")


@app.command("list")
def list_command(
    ctx: typer.Context,
    school: Annotated[
        str | None,
        typer.Option(
            "--school",
            "-s",
            help="Pupils on roll at this school on the issue date (LAESTAB or part of the name).",
        ),
    ] = None,
    upn: Annotated[str | None, typer.Option("--upn", help="One pupil's notices.")] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="outstanding, overdue (28 days passed), paid or withdrawn."),
    ] = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """List penalty notices with their amount, payment dates and status, oldest first."""
    from attendance_cli.cases.penalty import list_penalty_notices
    from attendance_cli.exports.render import to_jsonable

    store, _ = common.open_db(ctx)
    notices = list_penalty_notices(
        store, school=school, upn=upn, status=status.lower() if status else None
    )
    rows = to_jsonable(notices)
    if common.render(rows, output, rows=rows, columns=COLUMNS):
        return
    if not notices:
        common.stderr.print("No penalty notices match.", highlight=False)
        return
    _print_notices(notices, title=f"Penalty notices: {len(notices)}")


@app.command("check")
def check(
    ctx: typer.Context,
    upn: UpnArgument,
    parent: ParentOption,
    on: Annotated[
        str | None, typer.Option("--on", help=f"Date of the notice (default today; {DATE_HELP}).")
    ] = None,
    output: RecordFormatOption = OutputFormat.table,
) -> None:
    """Say whether a notice to this parent for this child is possible, and at what rate (writes
    nothing)."""
    from attendance_cli.cases.penalty import check_penalty_notice, describe_check

    store, _ = common.open_db(ctx)
    result = check_penalty_notice(store, upn=upn, parent=parent, on=_date(on, "--on"))
    for warning in result.warnings:
        common.stderr.print(f"Warning: {warning}", highlight=False, markup=False, style="yellow")
    if common.render(result, output):
        return
    common.echo_screen(describe_check(result))


def _print_notices(notices: list[Any], title: str | None) -> None:
    from rich import box
    from rich.table import Table

    from attendance_cli.cases.penalty import describe_status

    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, expand=True)
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("pupil", overflow="fold", width=13)  # a UPN's width: never broken
    table.add_column("school", overflow="fold", ratio=2)
    table.add_column("parent", overflow="fold", ratio=2)
    table.add_column("issued", no_wrap=True)
    table.add_column("no.", justify="right", no_wrap=True)
    table.add_column("amount and status", overflow="fold", ratio=3)
    for n in notices:
        table.add_row(
            str(n.id),
            f"{n.surname or ''}, {n.forename or ''}\n{n.upn}",
            ", ".join(n.school_names),
            n.parent_name,
            f"{n.issued:%d/%m/%Y}",
            "-" if n.notice_number is None else str(n.notice_number),
            describe_status(n),
        )
    common.stdout.print(table)
