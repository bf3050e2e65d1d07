"""``att tsm``: Targeting Support Meeting packs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import FormatOption, OfficerOption, RecordFormatOption
from attendance_cli.cli.tables import cohort_table, headline_table
from attendance_cli.cli.tables import pct as _pct
from attendance_cli.exports.render import OutputFormat

app = typer.Typer(
    help="Targeting Support Meetings: the termly pack for each school.", no_args_is_help=True
)

PUPIL_COLUMNS = [
    "upn",
    "surname",
    "forename",
    "year_group",
    "band",
    "possible",
    "attended",
    "present",
    "aea",
    "authorised",
    "unauthorised",
    "late",
    "missing",
    "attendance_pct",
    "absence_pct",
    "sessions_missed",
    "days_missed",
    "at_risk_reasons",
    "penalty_threshold_met",
    "penalty_threshold_date",
    "penalty_threshold_met_now",
    "longest_absence_days",
    "longest_unauthorised_days",
    "continuous_absence_running",
    "flags",
    "recovery_sessions_term",
    "recovery_sessions_year",
    "pa_unavoidable_this_year",
    "pattern",
    "top_reasons",
    "trend_change_points",
    "gender",
    "fsm",
    "sen",
    "social_worker",
    "looked_after",
    "lead_practitioner",
    "lead_agency",
    "open_actions",
    "next_review",
    "overdue_actions",
    "has_plan",
    "registration_group",
]


@app.command("prepare")
def prepare(
    ctx: typer.Context,
    school: Annotated[
        str,
        typer.Option("--school", "-s", help="LAESTAB or an unambiguous part of the school's name."),
    ],
    term: Annotated[
        str | None, typer.Option("--term", help="autumn, spring or summer (assumed term dates).")
    ] = None,
    year: Annotated[
        int | None,
        typer.Option("--year", help="Academic year by its first calendar year: 2025 = 2025/26."),
    ] = None,
    start: Annotated[
        dt.datetime | None,
        typer.Option("--from", formats=["%Y-%m-%d", "%d/%m/%Y"], help="First day of the period."),
    ] = None,
    end: Annotated[
        dt.datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d", "%d/%m/%Y"], help="Last day of the period."),
    ] = None,
    include_all: Annotated[
        bool,
        typer.Option(
            "--all", help="List every pupil on roll, not only severe, persistent and at risk."
        ),
    ] = False,
    output: FormatOption = OutputFormat.table,
    workbook: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Also write the pack as an Excel workbook (.xlsx)."),
    ] = None,
) -> None:
    """Prepare the TSM pack for a school: severe, persistent and at-risk pupils with figures and flags."""
    from attendance_cli.exports.render import to_jsonable
    from attendance_cli.tsm.pack import prepare_tsm_pack

    conn, _ = common.open_db(ctx)
    pack = prepare_tsm_pack(
        conn,
        school=school,
        term=term,
        year=year,
        start=start.date() if start else None,
        end=end.date() if end else None,
        include_all=include_all,
    )
    if workbook is not None:
        from attendance_cli.tsm.workbook import write_tsm_workbook

        written = write_tsm_workbook(pack, workbook)
        common.stderr.print(f"Wrote the TSM workbook to {written}", highlight=False)
    data = to_jsonable(pack)
    rows = data["pupils"]
    if common.render(data, output, rows=rows, columns=PUPIL_COLUMNS):
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
    school: Annotated[
        str,
        typer.Option("--school", "-s", help="LAESTAB or an unambiguous part of the school's name."),
    ],
    date: Annotated[
        dt.datetime,
        typer.Option("--date", formats=["%Y-%m-%d", "%d/%m/%Y"], help="The day of the meeting."),
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

    conn, _ = common.open_db(ctx)
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
        f"{result.date.isoformat()}",
        highlight=False,
        markup=False,
    )
    if from_workbook is not None:
        out.print(
            f"  {result.actions_recorded} action(s), {result.leads_set} lead practitioner(s), "
            f"{result.notes_added} barriers note(s); {result.cases_opened} new case(s); "
            f"{result.rows_without_agreement} pupil row(s) with nothing agreed",
            highlight=False,
        )
        if result.rows_already_recorded:
            out.print(
                f"  {len(result.rows_already_recorded)} row(s) already recorded for this meeting "
                "were left as they were",
                highlight=False,
            )
    if result.problems:
        common.stderr.print(
            f"Skipped {len(result.rows_skipped)} invalid row(s):", highlight=False, style="yellow"
        )
        common.print_problems(result.problems, len(result.problems))


def print_pack(data: dict[str, Any]) -> None:
    from rich import box
    from rich.panel import Panel
    from rich.table import Table

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
    subtitle = f"{period['label']}: {period['from']} to {period['to']}"
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
        table.add_column("pupil", min_width=14, ratio=2, overflow="fold")
        table.add_column("yr", no_wrap=True)
        for column in ("att %", "missed", "unauth"):
            table.add_column(column, justify="right", no_wrap=True)
        table.add_column("flags", ratio=3, overflow="fold")
        table.add_column("lead / review", max_width=12, overflow="fold")
        for p in listed:
            flags = _flags(p)
            lead = p["lead_practitioner"] or "no lead"
            if p["next_review"]:
                lead += f", review {p['next_review']}"
            table.add_row(
                f"{p['surname'] or ''}, {p['forename'] or ''}\n{p['upn']}",
                p["year_group"] or "",
                _pct(p["attendance_pct"]),
                f"{p['days_missed']:g}d",
                str(p["unauthorised"]),
                "; ".join(flags),
                lead,
            )
        out.print(table)
    missing = data["no_plan_or_lead"]
    if missing:
        out.print(
            f"Severe or persistent with no agreed plan or no lead practitioner: {len(missing)}",
            highlight=False,
        )
        out.print("  " + ", ".join(missing), highlight=False)
    out.print(cohort_table(data["cohorts"]))


SHORT_LABELS = {
    "period_absence": "7%+ absence",
    "recent_absence": "10%+ last 4 weeks",
    "previous_year_pa": "PA last year",
    "continuous_unauthorised_absence": "10+ days unauthorised: tell LA",
    "possible_missing_education": "20+ days: possible CME",
    "unexplained_absence_social_worker": "N/O: tell social worker",
    "unexplained_absence_looked_after": "N/O: tell virtual school",
}


def _flags(p: dict[str, Any]) -> list[str]:
    """Short labels for the table; the full texts are in the JSON."""
    flags = [SHORT_LABELS.get(code, code) for code in p["flag_codes"] + p["at_risk_codes"]]
    if p["penalty_threshold_met"]:
        flags.insert(
            0, f"penalty threshold {dt.date.fromisoformat(p['penalty_threshold_date']):%d/%m}"
        )
    if p["pa_unavoidable_this_year"]:
        flags.append("PA unavoidable this year")
    elif p["recovery_sessions_year"]:
        flags.append(f"{p['recovery_sessions_year']} sessions to leave PA")
    flags.extend(p["pattern"])
    return flags
