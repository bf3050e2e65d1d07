"""``att case``: casework for a pupil (actions, lead practitioner, notes, documents, chronology).

Commands parse options, ask for what is missing on a terminal (``cli.prompts``), call
``attendance_cli.cases`` and print. Every change is audited by the core.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from attendance_cli.cli import common, prompts
from attendance_cli.cli.case_records import document_app
from attendance_cli.cli.options import (
    DATE_FORMATS,
    ID_MAX,
    FormatOption,
    OfficerOption,
    RecordFormatOption,
    check_date,
    id_argument,
)
from attendance_cli.exports.render import OutputFormat, RecordFormat
from attendance_cli.text import uk_date, uk_dates_in

app = typer.Typer(
    help="Casework: actions, lead practitioners, notes, documents and the chronology.",
    no_args_is_help=True,
)

app.add_typer(document_app, name="document")  # att case document withdraw

UpnArgument = Annotated[str, typer.Argument(help="The pupil's UPN.", show_default=False)]
DateOption = Annotated[dt.datetime | None, typer.Option(formats=DATE_FORMATS, callback=check_date)]
OnOption = Annotated[
    dt.datetime | None,
    typer.Option(
        "--on",
        formats=DATE_FORMATS,
        help="The day it happened (default today; not in the future).",
        callback=check_date,
    ),
]

ACTION_KEYS = [
    "id",
    "upn",
    "tier",
    "kind",
    "action",
    "owner",
    "agency",
    "due",
    "status",
    "outcome",
    "meeting_id",
    "created_at",
    "completed_at",
    "officer",
    "agreed_on",
    "ended_on",
]
CASE_LIST_KEYS = [
    "case_id",
    "upn",
    "surname",
    "forename",
    "school_laestab",
    "school_name",
    "year_group",
    "status",
    "opened_at",
    "closed_at",
    "outcome",
    "lead_practitioner",
    "lead_agency",
    "open_actions",
    "overdue_actions",
    "next_review",
]
DOCUMENT_KEYS = [
    "id",
    "kind",
    "file_name",
    "date",
    "description",
    "sha256",
    "bytes",
    "created_at",
    "officer",
    "stored_path",
    "happened_on",
    "withdrawn_at",
    "withdrawn_reason",
]


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


def action_dict(action: Any) -> dict[str, Any]:
    from attendance_cli.exports.render import to_jsonable

    data = to_jsonable(action)
    return {key: data[key] for key in ACTION_KEYS}


def _print_action(data: dict[str, Any], verb: str) -> None:
    common.stdout.print(
        f"{verb} action {data['id']} for {data['upn']} ({data['kind']}, {data['status']}): "
        f"{data['action']}",
        highlight=False,
        markup=False,
    )
    details = [
        f"owner {data['owner']}" if data["owner"] else None,
        f"agency {data['agency']}" if data["agency"] else None,
        f"agreed {uk_date(data['agreed_on'])}" if data.get("agreed_on") else None,
        f"due {uk_date(data['due'])}" if data["due"] else None,
        f"meeting {data['meeting_id']}" if data["meeting_id"] else None,
        f"outcome ({uk_date(data['ended_on'])}): {data['outcome']}"
        if data["outcome"] and data.get("ended_on")
        else (f"outcome: {data['outcome']}" if data["outcome"] else None),
    ]
    shown = [d for d in details if d]
    if shown:
        common.stdout.print("  " + "; ".join(shown), highlight=False, markup=False)


# ------------------------------------------------------------------------------------ actions


@app.command("add-action")
def add_action(
    ctx: typer.Context,
    upn: UpnArgument,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="Kind of action, e.g. 'home visit', 'attendance contract'."),
    ] = None,
    action: Annotated[str | None, typer.Option("--action", help="What was agreed.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Who will do it.")] = None,
    agency: Annotated[
        str | None,
        typer.Option(
            "--agency", help="school, LA, early help, health, housing, social care, other."
        ),
    ] = None,
    due: Annotated[
        dt.datetime | None,
        typer.Option(
            "--due", formats=DATE_FORMATS, help="Due or review date.", callback=check_date
        ),
    ] = None,
    meeting: Annotated[
        int | None,
        typer.Option("--meeting", help="Id of the meeting that agreed it.", min=1, max=ID_MAX),
    ] = None,
    on: OnOption = None,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Record an agreed action, dated the day it was agreed (--on; with --meeting, the
    meeting's date). Opens a case when the pupil has none open."""
    from attendance_cli.cases import actions, kinds
    from attendance_cli.config import officer_name

    store, _ = common.open_db(ctx)
    missing = [name for name, value in (("--kind", kind), ("--action", action)) if not value]
    prompts.require(missing, command="case add-action")
    due_date = _day(due)
    if missing:  # on a terminal (else require() failed): ask for everything not given
        defaults = actions.action_defaults(store, upn=upn)
        if not kind:
            kind = prompts.select(
                "Kind of action (support first, then formal, then legal)", kinds.AGREEABLE_KINDS
            )
        if not action:
            action = prompts.text("What was agreed?", required=True)
        if owner is None:
            owner = prompts.text("Owner (who will do it)", default=defaults.owner)
        if agency is None:
            agency = prompts.select("Agency", kinds.AGENCIES, default=defaults.agency)
        if due is None:
            due_date = prompts.date("Due / review date", default=defaults.due)
    record = actions.add_action(
        store,
        upn=upn,
        kind=kind or "",
        action=action or "",
        owner=owner,
        agency=agency,
        due=due_date,
        meeting_id=meeting,
        officer=officer_name(officer),
        on=_day(on),
    )
    data = action_dict(record)
    if not common.render(data, output):
        _print_action(data, "Recorded")


@app.command("complete-action")
def complete_action(
    ctx: typer.Context,
    action_id: Annotated[int, id_argument("The action's id.")],
    outcome: Annotated[str | None, typer.Option("--outcome", help="What came of it.")] = None,
    status: Annotated[
        str, typer.Option("--status", help="done or cancelled.", case_sensitive=False)
    ] = "done",
    on: OnOption = None,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Mark an action done (or cancelled) with its outcome, on the day it ended (--on)."""
    from attendance_cli.cases import actions
    from attendance_cli.config import officer_name

    store, _ = common.open_db(ctx)
    prompts.require([] if outcome else ["--outcome"], command="case complete-action")
    if not outcome:
        actions.get_action(store, action_id)  # a clear error before asking
        outcome = prompts.text("Outcome (what came of the action)", required=True)
    record = actions.complete_action(
        store,
        action_id=action_id,
        outcome=outcome or "",
        status=status.lower(),
        officer=officer_name(officer),
        on=_day(on),
    )
    data = action_dict(record)
    if not common.render(data, output):
        _print_action(data, "Updated")


# ------------------------------------------------------------------------ lead, notes, status


@app.command("set-lead")
def set_lead(
    ctx: typer.Context,
    upn: UpnArgument,
    name: Annotated[str | None, typer.Option("--name", help="The lead practitioner.")] = None,
    agency: Annotated[
        str | None,
        typer.Option(
            "--agency", help="school, LA, early help, health, housing, social care, other."
        ),
    ] = None,
    role: Annotated[str | None, typer.Option("--role", help="e.g. Head of Year 9.")] = None,
    contact: Annotated[str | None, typer.Option("--contact", help="Phone or email.")] = None,
    on: OnOption = None,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Name the case's lead practitioner from the day they took the lead (--on); the previous
    lead stays in the history."""
    from attendance_cli.cases import case, kinds, leads
    from attendance_cli.config import officer_name

    store, _ = common.open_db(ctx)
    missing = [n for n, v in (("--name", name), ("--agency", agency)) if not v]
    prompts.require(missing, command="case set-lead")
    if missing:
        case.find_pupil(store, upn)
        if not name:
            name = prompts.text("Lead practitioner's name", required=True)
        if not agency:
            agency = prompts.select("Agency", kinds.AGENCIES, default="school")
        if role is None:
            role = prompts.text("Role (optional)")
        if contact is None:
            contact = prompts.text("Contact (optional)")
    lead = leads.set_lead(
        store,
        upn=upn,
        name=name or "",
        agency=agency or "",
        role=role,
        contact=contact,
        officer=officer_name(officer),
        on=_day(on),
    )
    data = {
        "upn": case.find_pupil(store, upn).upn,
        "name": lead.name,
        "agency": lead.agency,
        "role": lead.role,
        "contact": lead.contact,
        "set_on": lead.set_on,
        "set_at": lead.set_at,
        "officer": lead.officer,
    }
    if not common.render(data, output):
        role_text = f", {lead.role}" if lead.role else ""
        common.stdout.print(
            f"Lead practitioner for {data['upn']}: {lead.name} ({lead.agency}{role_text})",
            highlight=False,
            markup=False,
        )


@app.command("note")
def note(
    ctx: typer.Context,
    upn: UpnArgument,
    text: Annotated[str, typer.Argument(help="The note.", show_default=False)],
    on: OnOption = None,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
    corrected: Annotated[
        str | None,
        typer.Option(
            "--text",
            help="With `att case note correct NOTE_ID`: the corrected text (the original is kept).",
            show_default=False,
        ),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="With correct: why the note was wrong.", show_default=False),
    ] = None,
) -> None:
    """Add a note to the pupil's case, dated the day of what it records (--on);
    `att case note correct NOTE_ID --text TEXT` corrects one."""
    from attendance_cli.cases import case, notes
    from attendance_cli.config import officer_name

    if upn.lower() == "correct":  # att case note correct NOTE_ID --text TEXT (rectification)
        from attendance_cli.cli.case_records import correct_note_command

        correct_note_command(ctx, text, corrected, reason, officer, output)
        return
    if corrected is not None or reason is not None:
        from attendance_cli.errors import UsageError

        raise UsageError("--text and --reason go with `att case note correct NOTE_ID`")
    store, _ = common.open_db(ctx)
    record = notes.add_note(store, upn=upn, text=text, officer=officer_name(officer), on=_day(on))
    data = {
        "id": record.id,
        "upn": case.find_pupil(store, upn).upn,
        "text": record.text,
        "on": record.happened_on,
        "created_at": record.created_at,
    }
    if not common.render(data, output):
        common.stdout.print(f"Added note {record.id} for {data['upn']}.", highlight=False)


def _case_dict(state: Any) -> dict[str, Any]:
    return {
        "case_id": state.id,
        "upn": state.upn,
        "status": state.status,
        "opened_on": state.opened_on,
        "closed_on": state.closed_on,
        "opened_at": state.opened_at,
        "closed_at": state.closed_at,
        "outcome": state.outcome,
    }


@app.command("close")
def close(
    ctx: typer.Context,
    upn: UpnArgument,
    outcome: Annotated[str | None, typer.Option("--outcome", help="How the case ended.")] = None,
    on: OnOption = None,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Close the pupil's open case with its outcome, on the day it closed (--on)."""
    from attendance_cli.cases import case
    from attendance_cli.config import officer_name

    store, _ = common.open_db(ctx)
    prompts.require([] if outcome else ["--outcome"], command="case close")
    if not outcome:
        case.find_pupil(store, upn)
        outcome = prompts.text("Outcome (how the case ended)", required=True)
    state = case.close_case(
        store, upn=upn, outcome=outcome or "", officer=officer_name(officer), on=_day(on)
    )
    data = _case_dict(state)
    if not common.render(data, output):
        common.stdout.print(
            f"Closed the case of {state.upn}: {state.outcome}", highlight=False, markup=False
        )


@app.command("reopen")
def reopen(
    ctx: typer.Context,
    upn: UpnArgument,
    on: OnOption = None,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Reopen the pupil's most recent case, on the day it was reopened (--on)."""
    from attendance_cli.cases import case
    from attendance_cli.config import officer_name

    store, _ = common.open_db(ctx)
    state = case.reopen_case(store, upn=upn, officer=officer_name(officer), on=_day(on))
    data = _case_dict(state)
    if not common.render(data, output):
        common.stdout.print(f"Reopened the case of {state.upn}.", highlight=False)


# ---------------------------------------------------------------------------------- documents


@app.command("attach")
def attach(
    ctx: typer.Context,
    upn: UpnArgument,
    file: Annotated[Path, typer.Argument(help="The document to attach.", show_default=False)],
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="letter, minutes, contract, medical or other."),
    ] = None,
    date: Annotated[
        dt.datetime | None,
        typer.Option(
            "--date", formats=DATE_FORMATS, help="The document's own date.", callback=check_date
        ),
    ] = None,
    description: Annotated[str | None, typer.Option("--description", help="What it is.")] = None,
    on: OnOption = None,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Copy a document into the private document store and record it on the case, as
    received or sent on the day given (--on; --date is the document's own date)."""
    from attendance_cli.cases import case, documents, kinds
    from attendance_cli.config import document_store, officer_name

    store, path = common.open_db(ctx)
    prompts.require([] if kind else ["--kind"], command="case attach")
    if not kind:
        case.find_pupil(store, upn)
        kind = prompts.select("Kind of document", kinds.DOCUMENT_KINDS)
    record = documents.attach_document(
        store,
        upn=upn,
        file=file,
        kind=kind,
        store=document_store(path),
        officer=officer_name(officer),
        document_date=_day(date),
        description=description,
        on=_day(on),
    )
    data = {**_document_dict(record), "repaired": record.repaired}
    if not common.render(data, output):
        common.stdout.print(
            f"Attached {record.file_name} ({record.kind}, {record.bytes} bytes) as document "
            f"{record.id}; SHA-256 {record.sha256}",
            highlight=False,
            markup=False,
        )
        if record.repaired:
            common.stdout.print(
                "The stored copy of these bytes was damaged and has been repaired (audited).",
                highlight=False,
            )


def _document_dict(record: Any) -> dict[str, Any]:
    from attendance_cli.exports.render import to_jsonable

    data = to_jsonable(record)
    data["date"] = data.pop("document_date")
    return {key: data[key] for key in DOCUMENT_KEYS}


@app.command("documents")
def documents(
    ctx: typer.Context, upn: UpnArgument, output: FormatOption = OutputFormat.table
) -> None:
    """List the documents attached to the pupil's cases."""
    from attendance_cli.cases import documents
    from attendance_cli.config import document_store

    store, path = common.open_db(ctx)
    rows = [
        _document_dict(d)
        for d in documents.list_documents(store, upn=upn, store=document_store(path))
    ]
    if common.render(rows, output, rows=rows, columns=DOCUMENT_KEYS):
        return
    for row in rows:
        row["sha256_short"] = row["sha256"][:16]
        if row["withdrawn_at"]:  # kept, in no new bundle
            from attendance_cli.text import uk_date

            row["description"] = (
                f"{row['description'] or ''} [withdrawn {uk_date(str(row['withdrawn_at'])[:10])}: "
                f"{row['withdrawn_reason']}]".strip()
            )
    _table(
        rows,
        [
            ("id", "Id"),
            ("date", "Date"),
            ("kind", "Kind"),
            ("file_name", "File"),
            ("description", "Description"),
            ("sha256_short", "SHA-256 (start)"),
        ],
        empty="No documents.",
    )


# ------------------------------------------------------------------------------ show and list


@app.command("show")
def show(
    ctx: typer.Context,
    upn: UpnArgument,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """The pupil's case: lead practitioner, actions with their impact, and the chronology."""
    from attendance_cli.cases.chronology import case_view, case_view_dict
    from attendance_cli.exports.render import to_jsonable

    store, _ = common.open_db(ctx)
    data = to_jsonable(case_view_dict(case_view(store, upn)))
    if common.render(data, output):
        return
    print_case(data)


@app.command("list")
def list_command(
    ctx: typer.Context,
    school: Annotated[
        str | None, typer.Option("--school", "-s", help="Pupils enrolled at this school.")
    ] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only cases with an overdue action.")
    ] = False,
    lead_agency: Annotated[
        str | None, typer.Option("--lead-agency", help="Only cases led by this agency.")
    ] = None,
    no_lead: Annotated[
        bool, typer.Option("--no-lead", help="Only cases with no lead practitioner.")
    ] = False,
    status: Annotated[
        str, typer.Option("--status", help="open, closed or all.", case_sensitive=False)
    ] = "open",
    mine: Annotated[
        bool, typer.Option("--mine", help="Only the cases allocated to me (att team).")
    ] = False,
    output: FormatOption = OutputFormat.table,
) -> None:
    """List cases (open ones by default) with lead, open and overdue actions, next review."""
    from attendance_cli.cases import lists
    from attendance_cli.exports.render import to_jsonable

    store, _ = common.open_db(ctx)
    rows = to_jsonable(
        lists.list_cases(
            store,
            school=school,
            status=status.lower(),
            overdue=overdue,
            lead_agency=lead_agency,
            no_lead=no_lead,
        )
    )
    if mine:  # issue 16: the cases allocated to the officer running the command
        from attendance_cli import team
        from attendance_cli.config import officer_name

        allocated = team.my_case_ids(store, role=officer_name())
        rows = [row for row in rows if row["case_id"] in allocated]
    if common.render(rows, output, rows=rows, columns=CASE_LIST_KEYS):
        return
    for row in rows:
        year = f" ({row['year_group']})" if row["year_group"] else ""
        row["name"] = ", ".join(filter(None, [row["surname"], row["forename"]])) + year
        row["lead"] = (
            f"{row['lead_practitioner']} ({row['lead_agency']})"
            if row["lead_practitioner"]
            else None
        )
        late = f", {row['overdue_actions']} overdue" if row["overdue_actions"] else ""
        row["actions"] = f"{row['open_actions']}{late}"
        row["next_review"] = uk_date(row["next_review"]) if row["next_review"] else None
        if row["status"] != "open":
            row["actions"] += f" (case {row['status']})"
    _table(
        rows,
        [
            ("upn", "UPN"),
            ("name", "Name (year)"),
            ("school_name", "School"),
            ("lead", "Lead"),
            ("actions", "Open actions"),
            ("next_review", "Review"),
        ],
        empty="No cases match.",
    )


_NO_WRAP = {"id", "upn", "date", "next_review"}


def _table(rows: list[dict[str, Any]], columns: list[tuple[str, str]], *, empty: str) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    if not rows:
        common.stdout.print(empty)
        return
    table = Table(box=box.SIMPLE_HEAD)
    for key, title in columns:  # words wrap whole; only a word longer than its column folds
        table.add_column(title, no_wrap=key in _NO_WRAP, min_width=len(title), overflow="fold")
    for row in rows:
        table.add_row(*(Text("" if row.get(key) is None else str(row[key])) for key, _ in columns))
    common.stdout.print(table)


def _pct(value: Any) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _window(window: dict[str, Any] | None) -> str:
    if window is None:
        return "-"
    weeks = f" ({window['weeks']} wk)" if window["weeks"] != 4 else ""
    return _pct(window["attendance_pct"]) + weeks


def print_case(data: dict[str, Any]) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    out = common.stdout
    name = " ".join(filter(None, [data["forename"], data["surname"]]))
    out.print(Text(f"{name} ({data['upn']}): case {data['status']}", style="bold"))
    if data["outcome"]:
        out.print(f"Outcome: {data['outcome']}", highlight=False, markup=False)
    lead = data["lead_practitioner"]
    if lead:
        role = f", {lead['role']}" if lead["role"] else ""
        contact = f"; {lead['contact']}" if lead.get("contact") else ""
        out.print(
            f"Lead practitioner: {lead['name']} ({lead['agency']}{role}){contact}",
            highlight=False,
            markup=False,
        )
    else:
        out.print("[yellow]No lead practitioner[/]")

    if data["actions"]:
        # five columns, so the table reads at 80 columns: what, when and status, impact
        table = Table(title="Actions", box=box.SIMPLE_HEAD, title_justify="left")
        table.add_column("Id", no_wrap=True)
        table.add_column("Kind", min_width=10, ratio=1, overflow="fold")
        table.add_column("Action", min_width=16, ratio=3, overflow="fold")
        table.add_column("Agreed / due", no_wrap=True)
        table.add_column("Before → after", no_wrap=True)
        for a in data["actions"]:
            impact = a["impact"]
            change = impact["change_points"]
            owner = f"\nowner: {a['owner']}" if a["owner"] else ""
            outcome = f"\n→ {a['outcome']}" if a["outcome"] else ""
            table.add_row(
                str(a["id"]),
                a["kind"],
                Text(uk_dates_in(a["action"] + owner + outcome)),
                f"{uk_date(a['agreed_on'])}\n{uk_date(a['due']) if a['due'] else 'no due date'}"
                f"\n{a['status']}",
                f"{_window(impact['before'])} → {_window(impact['after'])}"
                + ("" if change is None else f"\n{change:+.1f} points"),
                style="red" if a["status"] == "overdue" else None,
            )
        out.print(table)
        out.print(
            "Before/After: attendance in the 4 school weeks before and after the week the "
            "action was agreed.",
            style="dim",
        )
    if data["penalty_notices"]:
        out.print(f"Penalty notices: {len(data['penalty_notices'])}", highlight=False)

    table = Table(title="Chronology", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("Date", no_wrap=True)
    table.add_column("Event", no_wrap=True)
    table.add_column("Summary", overflow="fold")
    for entry in data["chronology"]:
        recorded = (entry.get("recorded_at") or "")[:10]
        late = f" (recorded {uk_date(recorded)})" if recorded and recorded != entry["date"] else ""
        table.add_row(
            uk_date(entry["date"]),
            entry["type"].replace("_", " "),
            Text(uk_dates_in(entry["summary"]) + late),
        )
    if data["chronology"]:
        out.print(table)
    else:
        out.print("Nothing recorded yet.")
