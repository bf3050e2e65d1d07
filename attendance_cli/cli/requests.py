"""``att penalty request``: schools' requests for a penalty notice and the LA's decisions
(rules in ``cases.requests``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import (
    DATE_FORMATS,
    FormatOption,
    OfficerOption,
    RecordFormatOption,
    check_date,
    id_argument,
)
from attendance_cli.exports.render import OutputFormat, RecordFormat
from attendance_cli.text import plural, uk_date

app = typer.Typer(
    help="Schools' requests for a penalty notice: record, list, show and decide them "
    "(issue, a notice to improve first, or refuse with the reason).",
    no_args_is_help=True,
)

COLUMNS = [
    "id",
    "upn",
    "surname",
    "forename",
    "school_laestab",
    "school_name",
    "received_on",
    "decide_by",
    "status",
    "period_from",
    "period_to",
    "sessions",
    "registers_unauthorised_sessions",
    "reason",
    "requested_by",
    "details",
    "evidence_document_ids",
    "decision",
    "decision_reason",
    "decided_on",
    "decided_by",
    "penalty_notice_id",
    "outcome_text",
    "created_at",
    "officer",
]


def _date_option(name: str, text: str) -> Any:
    return typer.Option(name, formats=DATE_FORMATS, help=text, callback=check_date)


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


def _print_request(data: dict[str, Any]) -> None:
    out = common.stdout
    name = " ".join(filter(None, [data["forename"], data["surname"]])) or data["upn"]
    sessions = plural(data["sessions"], "session") if data["sessions"] is not None else "sessions"
    out.print(
        f"Request {data['id']}: {name} ({data['upn']}) from {data['school_name']}: {sessions} "
        f"({data['reason']}) {uk_date(data['period_from'])} to {uk_date(data['period_to'])}",
        highlight=False,
        markup=False,
    )
    out.print(
        f"  received {uk_date(data['received_on'])}; decide by {uk_date(data['decide_by'])}; "
        f"{data['status']}"
        + (
            f"; evidence: documents {data['evidence_document_ids']}"
            if data["evidence_document_ids"]
            else ""
        ),
        highlight=False,
        markup=False,
    )
    counted = data["registers_unauthorised_sessions"]
    out.print(
        "  registers: "
        + (
            f"{plural(counted, 'unauthorised session')} in the period at that school"
            if counted is not None
            else "no marks of that school for the period"
        ),
        highlight=False,
        markup=False,
    )
    if data["decision"]:
        notice = f" (notice {data['penalty_notice_id']})" if data["penalty_notice_id"] else ""
        out.print(
            f"  decision {uk_date(data['decided_on'])}: {data['decision']}{notice}"
            + (f": {data['decision_reason']}" if data["decision_reason"] else ""),
            highlight=False,
            markup=False,
        )


@app.command("add")
def add(
    ctx: typer.Context,
    upn: Annotated[str, typer.Argument(help="The pupil's UPN.", show_default=False)],
    start: Annotated[
        dt.datetime, _date_option("--from", "First day of the sessions the notice would be for.")
    ],
    end: Annotated[dt.datetime, _date_option("--to", "Last day of those sessions.")],
    reason: Annotated[
        str, typer.Option("--reason", help="holiday, unauthorised absence or lateness.")
    ],
    received: Annotated[
        dt.datetime | None,
        _date_option("--received", "The day the request came in (default today)."),
    ] = None,
    sessions: Annotated[
        int | None,
        typer.Option("--sessions", help="Unauthorised sessions the school counts.", min=1),
    ] = None,
    school: Annotated[
        str | None,
        typer.Option("--school", "-s", help="The school asking (default: the pupil's current)."),
    ] = None,
    requested_by: Annotated[
        str | None, typer.Option("--requested-by", help="Who at the school asked.")
    ] = None,
    details: Annotated[str | None, typer.Option("--details", help="What the school says.")] = None,
    evidence: Annotated[
        list[Path] | None,
        typer.Option("--evidence", help="A file of evidence (repeat for each); filed in the case."),
    ] = None,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Record a school's request for a penalty notice, with the LA's date to decide by."""
    from attendance_cli.cases import requests
    from attendance_cli.config import document_store, officer_name
    from attendance_cli.settings import load_settings

    days = requests.decision_days(load_settings())
    store, path = common.open_db(ctx)
    record = requests.add_request(
        store,
        upn=upn,
        received_on=_day(received) or dt.date.today(),
        period_from=start.date(),
        period_to=end.date(),
        reason=reason,
        officer=officer_name(officer),
        days_to_decide=days,
        school=school,
        sessions=sessions,
        requested_by=requested_by,
        details=details,
        evidence=evidence,
        document_store=document_store(path),
    )
    data = record.as_dict()
    if not common.render(data, output):
        _print_request(data)


@app.command("list")
def list_command(
    ctx: typer.Context,
    status: Annotated[
        str,
        typer.Option("--status", help="pending, overdue, decided or all.", case_sensitive=False),
    ] = "all",
    school: Annotated[
        str | None, typer.Option("--school", "-s", help="Requests of this school.")
    ] = None,
    upn: Annotated[str | None, typer.Option("--upn", help="Requests for this pupil.")] = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """List requests by the day received, with their deadline and decision."""
    from attendance_cli.cases import requests

    store, _ = common.open_db(ctx)
    rows = [
        r.as_dict()
        for r in requests.list_requests(store, status=status.lower(), school=school, upn=upn)
    ]
    if common.render(rows, output, rows=rows, columns=COLUMNS):
        return
    if not rows:
        common.stdout.print("No requests match.")
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD)
    for title in ("Id", "Pupil", "School", "Received", "Decide by", "Status", "Decision"):
        table.add_column(title, no_wrap=title in ("Id", "Received", "Decide by"), overflow="fold")
    for row in rows:
        name = ", ".join(filter(None, [row["surname"], row["forename"]])) or row["upn"]
        table.add_row(
            str(row["id"]),
            Text(f"{name}\n{row['upn']}"),
            Text(row["school_name"]),
            uk_date(row["received_on"]),
            uk_date(row["decide_by"]),
            row["status"],
            Text(row["decision"] or "-"),
            style="red" if row["status"] == "overdue" else None,
        )
    common.stdout.print(table)


@app.command("show")
def show(
    ctx: typer.Context,
    request_id: Annotated[int, id_argument("The request's id.")],
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """One request: what the school asked for, its evidence, the decision and the outcome sent."""
    from attendance_cli.cases import requests

    store, _ = common.open_db(ctx)
    data = requests.get_request(store, request_id).as_dict()
    if common.render(data, output):
        return
    _print_request(data)
    if data["outcome_text"]:
        common.stdout.print(
            "\nOutcome sent to the school:\n" + data["outcome_text"], highlight=False, markup=False
        )


@app.command("decide")
def decide(
    ctx: typer.Context,
    request_id: Annotated[int, id_argument("The request's id.")],
    decision: Annotated[
        str, typer.Option("--decision", help="issue, nti (notice to improve first) or refuse.")
    ],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why (required to refuse); told to the school.")
    ] = None,
    parent: Annotated[
        str | None,
        typer.Option(
            "--parent", help="With issue: the parent the notice is to (a recorded contact)."
        ),
    ] = None,
    contact: Annotated[
        int | None,
        typer.Option("--contact", help="With issue: the recorded parent by contact id."),
    ] = None,
    served_by: Annotated[
        str | None,
        typer.Option(
            "--served-by",
            help="With issue: hand or post (the payment periods run from receipt).",
        ),
    ] = None,
    on: Annotated[
        dt.datetime | None, _date_option("--on", "The day decided (default today).")
    ] = None,
    letter: Annotated[
        Path | None,
        typer.Option(
            "--letter",
            help="Also write the outcome for the school to this file (.docx, else text).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the --letter file if it exists.")
    ] = False,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Decide a request: issue a penalty notice (its rules apply), a notice to improve first, or
    refuse with the reason; prints the outcome to send to the school."""
    from attendance_cli.cases import requests
    from attendance_cli.cli.penalty import notice_copy
    from attendance_cli.config import officer_name
    from attendance_cli.files import check_output_path, output_file
    from attendance_cli.settings import load_settings

    settings = load_settings()
    target = check_output_path(letter, force=force) if letter else None
    store, path = common.open_db(ctx)
    who = officer_name(officer)
    result = requests.decide_request(
        store,
        request_id=request_id,
        decision=decision,
        reason=reason,
        parent=parent,
        contact_id=contact,
        served_by=served_by,
        on=_day(on),
        officer=who,
        signatory=settings.text("officer", "name") or who,
        officer_title=settings.text("officer", "job_title"),
        la_name=settings.text("la", "name"),
        copy=notice_copy(path),  # used when the decision is to issue
    )
    common.print_warnings(result.warnings)
    data = result.record.as_dict()
    if target is not None:  # private (0600), written whole or not at all; .docx or text
        text = data["outcome_text"] or ""
        body = (
            requests.outcome_docx(text)
            if target.suffix.lower() == ".docx"
            else (text + "\n").encode("utf-8")
        )
        with output_file(target, force=force) as partial:
            with open(partial.fd, "wb", closefd=False) as handle:
                handle.write(body)
            partial.commit()
    if common.render(data, output):
        return
    _print_request(data)
    common.stdout.print(
        "\nOutcome for the school:\n" + (data["outcome_text"] or ""), highlight=False, markup=False
    )
