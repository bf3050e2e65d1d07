"""``att penalty``: penalty notices under the national framework (rules in ``cases.penalty``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import FormatOption, RecordFormatOption, check_day, id_argument
from attendance_cli.exports.render import OutputFormat, RecordFormat

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
    "kind",
    "reason",
    "contact_id",
    "service_method",
    "served_on",
    "received_on",
    "periods_from",
    "offence_from",
    "offence_to",
    "paid_so_far_pence",
    "force_reason",
    "withdrawn_ground",
    "prosecuted_on",
    "prosecution_outcome",
    "prosecution_outcome_on",
    "document_id",
]

UpnArgument = Annotated[str, typer.Argument(help="The pupil's UPN.", show_default=False)]
ParentOption = Annotated[
    str | None,
    typer.Option(
        "--parent",
        help="The parent the notice is to: a recorded parent (matched ignoring case, spacing "
        "and a title).",
        show_default=False,
    ),
]
ContactOption = Annotated[
    int | None,
    typer.Option(
        "--contact",
        help="The recorded parent by contact id (leave out --parent and --contact to list them).",
    ),
]
NewParentOption = Annotated[
    bool,
    typer.Option("--new-parent", help="The --parent named is a parent not yet on record."),
]
KindOption = Annotated[
    str,
    typer.Option(
        "--kind",
        help="attendance (EA 1996 s.444A) or exclusion (EIA 2006 s.105: not counted towards "
        "the limit).",
    ),
]
FromOption = Annotated[
    str | None,
    typer.Option(
        "--from",
        help="Offence period start (default: the 10 school weeks that met the threshold).",
    ),
]
ToOption = Annotated[str | None, typer.Option("--to", help="Offence period end.")]
GroundOption = Annotated[
    str | None,
    typer.Option(
        "--ground",
        help="Why withdrawn (SI 2007/1867 regs. 8-9): not-issued, wrong-person, "
        "material-error or not-prosecuted.",
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


def notice_copy(path: Path) -> Any:
    """What `cases.penalty` needs to make a notice's copy: the settings and the document
    store beside the database."""
    from attendance_cli.config import document_store
    from attendance_cli.letters.generate import NoticeCopy
    from attendance_cli.settings import load_settings

    return NoticeCopy(settings=load_settings(), store=document_store(path))


def _show_result(result: Any, output: RecordFormat, verb: str) -> None:
    common.print_warnings(result.warnings)
    if common.render(result.notice, output):
        return
    common.stderr.print(f"{verb} penalty notice {result.notice.id}.", highlight=False)
    _print_notices([result.notice], title=None)


@app.command("add")
def add(
    ctx: typer.Context,
    upn: UpnArgument,
    issued: Annotated[
        str, typer.Option("--issued", help=f"Date of issue ({DATE_HELP}).", show_default=False)
    ],
    parent: ParentOption = None,
    contact: ContactOption = None,
    new_parent: NewParentOption = False,
    kind: KindOption = "attendance",
    served_by: Annotated[
        str | None,
        typer.Option(
            "--served-by",
            help="hand (given to the parent or left at their address) or post (first class): "
            "the payment periods run from receipt.",
        ),
    ] = None,
    served: Annotated[
        str | None,
        typer.Option(
            "--served", help=f"Handed over or posted on (default: --issued; {DATE_HELP})."
        ),
    ] = None,
    offence_from: FromOption = None,
    offence_to: ToOption = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Record it although a check failed (with --reason: audited)."),
    ] = False,
    amount: AmountOption = None,
    paid: Annotated[
        str | None, typer.Option("--paid", help=f"Already paid on this date ({DATE_HELP}).")
    ] = None,
    withdrawn: Annotated[
        str | None,
        typer.Option("--withdrawn", help=f"Already withdrawn on this date ({DATE_HELP})."),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="With --force: why; with --withdrawn: why it was withdrawn."),
    ] = None,
    ground: GroundOption = None,
    no_copy: Annotated[
        str | None,
        typer.Option(
            "--no-copy",
            metavar="REASON",
            help="Make no copy of the notice, and say why (e.g. the LA issues its notices from "
            "another system); kept in the audit log. Without it the notice is made from the "
            "penalty-notice template and filed in the case.",
        ),
    ] = None,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Issue (record) a penalty notice to a recorded parent for the child's unauthorised
    sessions: refused below compulsory school age, under the threshold or for sessions already
    used, unless --force --reason; a second within 3 years is £160 flat, a third is refused."""
    from attendance_cli.cases.penalty import add_penalty_notice
    from attendance_cli.config import officer_name
    from attendance_cli.errors import UsageError

    issued_date = _date(issued, "--issued")
    assert issued_date is not None
    if force and withdrawn is not None:
        raise UsageError(
            "--force and --withdrawn cannot be combined: --reason would say two things",
            hint="Record the notice with --force --reason, then `att penalty update ID "
            "--withdrawn DATE --ground G --reason TEXT`.",
        )
    store, path = common.open_db(ctx)
    result = add_penalty_notice(
        store,
        upn=upn,
        parent=parent,
        contact_id=contact,
        new_parent=new_parent,
        kind=kind,
        issued=issued_date,
        served_by=served_by,
        served=_date(served, "--served"),
        offence_from=_date(offence_from, "--from"),
        offence_to=_date(offence_to, "--to"),
        force=force,
        force_reason=reason if force else None,
        officer=officer_name(officer),
        amount_pence=_amount(amount),
        paid=_date(paid, "--paid"),
        withdrawn=_date(withdrawn, "--withdrawn"),
        reason=None if force else reason,
        ground=ground,
        copy=None if no_copy is not None else notice_copy(path),
        no_copy_reason=no_copy,
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
    part: Annotated[
        bool, typer.Option("--part", help="A part payment of --amount (with --paid).")
    ] = False,
    withdrawn: Annotated[
        str | None, typer.Option("--withdrawn", help=f"Withdrawn on this date ({DATE_HELP}).")
    ] = None,
    ground: GroundOption = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why it was withdrawn (with --withdrawn).")
    ] = None,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Record that a notice was paid (in full or in part) or withdrawn on a ground (nothing is
    ever deleted or overwritten)."""
    from attendance_cli.cases.penalty import update_penalty_notice
    from attendance_cli.config import officer_name

    store, _ = common.open_db(ctx)
    result = update_penalty_notice(
        store,
        notice_id=notice_id,
        officer=officer_name(officer),
        paid=_date(paid, "--paid"),
        amount_pence=_amount(amount),
        part=part,
        withdrawn=_date(withdrawn, "--withdrawn"),
        ground=ground,
        reason=reason,
    )
    _show_result(result, output, "Updated")


@app.command("prosecute")
def prosecute(
    ctx: typer.Context,
    notice_id: Annotated[int, id_argument("The notice's id (see att penalty list).")],
    on: Annotated[
        str | None, typer.Option("--on", help=f"Proceedings began on ({DATE_HELP}).")
    ] = None,
    outcome: Annotated[
        str | None,
        typer.Option(
            "--outcome", help="convicted, acquitted, withdrawn or other (with --outcome-on)."
        ),
    ] = None,
    outcome_on: Annotated[
        str | None, typer.Option("--outcome-on", help=f"Decided on ({DATE_HELP}).")
    ] = None,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Record the prosecution of an unpaid notice (after its 28 days) and its outcome."""
    from attendance_cli.cases.penalty import record_prosecution
    from attendance_cli.config import officer_name

    store, _ = common.open_db(ctx)
    result = record_prosecution(
        store,
        notice_id=notice_id,
        officer=officer_name(officer),
        prosecuted_on=_date(on, "--on"),
        outcome=outcome,
        outcome_on=_date(outcome_on, "--outcome-on"),
    )
    _show_result(result, output, "Updated")


@app.command("correct")
def correct(
    ctx: typer.Context,
    notice_id: Annotated[int, id_argument("The notice's id (see att penalty list).")],
    field_name: Annotated[
        str,
        typer.Option(
            "--field",
            help="issued, served, paid, withdrawn, prosecuted or outcome.",
            show_default=False,
        ),
    ],
    to: Annotated[
        str, typer.Option("--to", help=f"The right date ({DATE_HELP}).", show_default=False)
    ],
    reason: Annotated[
        str, typer.Option("--reason", help="Why it is corrected (audited).", show_default=False)
    ],
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Correct a mistyped date of a notice; the old and new dates are kept in the audit log."""
    from attendance_cli.cases.penalty import correct_penalty_date
    from attendance_cli.config import officer_name

    to_date = _date(to, "--to")
    assert to_date is not None
    store, path = common.open_db(ctx)
    result = correct_penalty_date(
        store,
        notice_id=notice_id,
        field_name=field_name,
        to=to_date,
        reason=reason,
        officer=officer_name(officer),
        copy=notice_copy(path),
    )
    _show_result(result, output, "Corrected")


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
    parent: ParentOption = None,
    contact: ContactOption = None,
    new_parent: NewParentOption = False,
    on: Annotated[
        str | None, typer.Option("--on", help=f"Date of the notice (default today; {DATE_HELP}).")
    ] = None,
    kind: KindOption = "attendance",
    offence_from: FromOption = None,
    offence_to: ToOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Say whether a notice to this parent for this child is possible (the limit, compulsory
    school age, the threshold, sessions already used) and at what rate; exit 8 when it is not
    (writes nothing)."""
    from attendance_cli.cases.penalty import check_penalty_notice, describe_check
    from attendance_cli.errors import ExitCode

    store, _ = common.open_db(ctx)
    result = check_penalty_notice(
        store,
        upn=upn,
        parent=parent,
        contact_id=contact,
        new_parent=new_parent,
        on=_date(on, "--on"),
        kind=kind,
        offence_from=_date(offence_from, "--from"),
        offence_to=_date(offence_to, "--to"),
    )
    common.print_warnings(result.warnings)
    if not common.render(result, output):
        from attendance_cli.text import uk_dates_in

        common.echo_screen(uk_dates_in(describe_check(result)))
    if not result.passed:
        raise typer.Exit(int(ExitCode.CHECK_FAILED))


@app.command("report")
def report(
    ctx: typer.Context,
    year: Annotated[
        int,
        typer.Option(
            "--year",
            help="The academic year beginning 1 September of this year (2024: 2024/25).",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Also write the figures as a workbook (.xlsx)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing --output file.")
    ] = False,
    output: FormatOption = OutputFormat.table,
) -> None:
    """The annual penalty-notice figures the DfE collects: issued by reason, paid within 21 and
    28 days, withdrawn, prosecuted and outcomes."""
    from attendance_cli.cases.penalty_report import penalty_report, write_report_workbook
    from attendance_cli.exports.render import to_jsonable

    store, _ = common.open_db(ctx)
    result = penalty_report(store, year=year)
    if out is not None:
        written = write_report_workbook(result, out, force=force)
        common.stderr.print(f"Wrote {written}", highlight=False, markup=False)
    rows = to_jsonable(result.rows())
    if common.render(result, output, rows=rows, columns=["figure", "label", "count"]):
        return
    from rich import box
    from rich.table import Table

    table = Table(
        title=f"Penalty notices issued in {result.label} ({result.start:%d/%m/%Y} to "
        f"{result.end:%d/%m/%Y})",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("figure", overflow="fold")
    table.add_column("count", justify="right", no_wrap=True)
    for row in result.rows():
        table.add_row(str(row["label"]), str(row["count"]))
    common.stdout.print(table)


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
