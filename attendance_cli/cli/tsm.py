"""``att tsm``: Targeting Support Meeting packs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import (
    DATE_FORMATS,
    ForceOption,
    FormatOption,
    FromOption,
    OfficerOption,
    RecordFormatOption,
    SchoolOption,
    TermOption,
    ToOption,
    WorkbookOption,
    YearOption,
    check_date,
)
from attendance_cli.cli.tables import add_plain_row, cohort_table, headline_table
from attendance_cli.cli.tables import pct as _pct
from attendance_cli.exports.render import OutputFormat
from attendance_cli.text import plural, uk_date

UPN_COLUMN = 15  # a column holding UPNs: 13 characters and its padding

app = typer.Typer(
    help="Targeting Support Meetings: the termly pack for each school.", no_args_is_help=True
)


@app.command("prepare")
def prepare(
    ctx: typer.Context,
    school: SchoolOption,
    term: TermOption = None,
    year: YearOption = None,
    start: FromOption = None,
    end: ToOption = None,
    include_all: Annotated[
        bool,
        typer.Option(
            "--all", help="List every pupil on roll, not only severe, persistent and at risk."
        ),
    ] = False,
    output: FormatOption = OutputFormat.table,
    workbook: WorkbookOption = None,
    force: ForceOption = False,
) -> None:
    """Prepare the TSM pack for a school: severe, persistent and at-risk pupils with figures and flags."""
    from attendance_cli.exports.render import to_jsonable
    from attendance_cli.files import check_output_path
    from attendance_cli.tsm.pack import CSV_COLUMNS, prepare_tsm_pack

    if workbook is not None:  # before any work: never over a filled-in meeting workbook
        check_output_path(workbook, force=force)
    store, _ = common.open_db(ctx)
    pack = prepare_tsm_pack(
        store,
        school=school,
        term=term,
        year=year,
        start=start.date() if start else None,
        end=end.date() if end else None,
        include_all=include_all,
    )
    if workbook is not None:
        from attendance_cli.tsm.workbook import write_tsm_workbook

        written = write_tsm_workbook(pack, workbook, force=force)
        common.stderr.print(f"Wrote the TSM workbook to {written}", highlight=False)
    data = to_jsonable(pack)
    rows = data["pupils"]
    if common.render(data, output, rows=rows, columns=CSV_COLUMNS):
        return
    print_pack(data)


RECORD_KEYS = [
    "meeting_id",
    "school",
    "date",
    "attendees",
    "actions_recorded",
    "action_ids",
    "leads_set",
    "notes_added",
    "cases_opened",
    "rows_without_agreement",
    "rows_skipped",
    "rows_already_recorded",
    "meeting_reused",
    "problems",
    "workbook_sha256",
]


@app.command("record")
def record(
    ctx: typer.Context,
    school: SchoolOption,
    date: Annotated[
        dt.datetime,
        typer.Option(
            "--date", formats=DATE_FORMATS, help="The day of the meeting.", callback=check_date
        ),
    ],
    attendees: Annotated[
        list[str] | None,
        typer.Option("--attendee", help="Someone at the meeting (repeat for each)."),
    ] = None,
    from_workbook: Annotated[
        Path | None,
        typer.Option(
            "--from-workbook",
            help="The TSM pack filled in at the meeting: record its Actions sheet.",
        ),
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Record the readable rows even if some are invalid."),
    ] = False,
    officer: OfficerOption = None,
    output: RecordFormatOption = OutputFormat.table,
) -> None:
    """Record a TSM (and, from the filled-in pack, every action and lead agreed) in one go."""
    from attendance_cli.config import officer_name
    from attendance_cli.exports.render import to_jsonable
    from attendance_cli.tsm.record import record_tsm

    conn, _ = common.open_connection(ctx)
    result = record_tsm(
        conn,
        school=school,
        date=date.date(),
        officer=officer_name(officer),
        attendees=attendees or [],
        workbook=from_workbook,
        skip_invalid=skip_invalid,
    )
    data = to_jsonable(result)
    data["problems"] = [p.as_dict() for p in result.problems]
    data = {key: data[key] for key in RECORD_KEYS}
    if common.render(data, output):
        return
    out = common.stdout
    out.print(
        f"{'Added to' if result.meeting_reused else 'Recorded'} meeting {result.meeting_id}: "
        f"TSM with {result.school['name']} on "
        f"{uk_date(result.date)}",
        highlight=False,
        markup=False,
    )
    if from_workbook is not None:
        out.print(
            f"  {plural(result.actions_recorded, 'action')}, "
            f"{plural(result.leads_set, 'lead practitioner')}, "
            f"{plural(result.notes_added, 'barriers note')}; "
            f"{plural(result.cases_opened, 'new case')}; "
            f"{plural(result.rows_without_agreement, 'pupil row')} with nothing agreed",
            highlight=False,
        )
        if result.rows_already_recorded:
            out.print(
                f"  {plural(len(result.rows_already_recorded), 'row')} already recorded for this meeting "
                "were left as they were",
                highlight=False,
            )
    if result.problems:
        common.stderr.print(
            f"Skipped {plural(len(result.rows_skipped), 'invalid row')}:",
            highlight=False,
            style="yellow",
        )
        common.print_problems(result.problems, len(result.problems))


def print_pack(data: dict[str, Any]) -> None:
    from rich import box
    from rich.panel import Panel
    from rich.table import Table

    from attendance_cli.tsm.pack import short_flags

    out = common.stdout
    school, period, s, la, nat = (
        data["school"],
        data["period"],
        data["summary"],
        data["la_summary"],
        data["national"],
    )
    head = headline_table([("school", s), ("LA", la)], nat)
    title = f"TSM pack: {school['name']} ({school['laestab']})"
    subtitle = f"{period['label']}: {uk_date(period['from'])} to {uk_date(period['to'])}"
    out.print(Panel(head, title=title, subtitle=subtitle, expand=False))

    pupils = data["pupils"]
    for band, heading in (
        ("severe", "Severe absence (50% or more)"),
        ("persistent", "Persistent absence (10% or more)"),
        ("at_risk", "At risk of persistent absence"),
        ("none", "Other pupils"),
    ):
        listed = [p for p in pupils if p["band"] == band]
        if not listed:
            continue
        table = Table(
            title=f"{heading}: {len(listed)}",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            expand=True,
        )
        # wide enough for a UPN (13) plus padding: a UPN is never broken across lines
        table.add_column("pupil", min_width=UPN_COLUMN, max_width=UPN_COLUMN, overflow="fold")
        table.add_column("yr", no_wrap=True)
        for column in ("att %", "missed", "unauth"):
            table.add_column(column, justify="right", no_wrap=True)
        table.add_column("flags", ratio=3, overflow="fold")
        table.add_column("lead / review", max_width=11, overflow="fold")
        for p in listed:
            flags = short_flags(p)
            lead = p["lead_practitioner"] or "no lead"
            if p["next_review"]:
                lead += f", review {uk_date(p['next_review'])}"
            cells = (
                f"{p['surname'] or ''}, {p['forename'] or ''}\n{p['upn']}",
                p["year_group"] or "",
                _pct(p["attendance_pct"]),
                f"{p['days_missed']:g}d",
                str(p["unauthorised"]),
                "; ".join(flags),
                lead,
            )
            add_plain_row(table, *cells)
        out.print(table)
    missing = data["no_plan_or_lead"]
    if missing:
        out.print(
            f"Severe or persistent with no agreed plan or no lead practitioner: {len(missing)}",
            highlight=False,
        )
        names = {p["upn"]: f"{p['forename'] or ''} {p['surname'] or ''}".strip() for p in pupils}
        out.print(
            "  " + "; ".join(f"{names.get(upn) or '?'} ({upn})" for upn in missing),
            highlight=False,
        )
    out.print(cohort_table(data["cohorts"]))
