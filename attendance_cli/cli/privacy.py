"""``att privacy``: UK GDPR duties — subject access, retention and erasure (``privacy/``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import (
    DATE_FORMATS,
    FormatOption,
    OfficerOption,
    RecordFormatOption,
    check_date,
)
from attendance_cli.cli.tables import add_plain_row
from attendance_cli.exports.render import OutputFormat, RecordFormat
from attendance_cli.text import plural, uk_date

app = typer.Typer(
    help="UK GDPR duties: subject access, rectification, retention periods, legal holds and "
    "erasure.",
    no_args_is_help=True,
)

RETENTION_KEYS = [
    "record_type",
    "table",
    "id",
    "academic_year",
    "upn",
    "runs_from",
    "years",
    "ends_on",
    "past",
    "description",
    "held",
    "hold_ids",
]
CORRECTION_KEYS = [
    "id",
    "upn",
    "contact_key",
    "field",
    "school_value",
    "value",
    "reason",
    "corrected_at",
    "officer",
    "retired_at",
    "retired_by",
]
HOLD_KEYS = [
    "id",
    "upn",
    "reason",
    "placed_at",
    "placed_by",
    "released_at",
    "released_by",
    "release_reason",
]


def _documents(path: Path) -> Path:
    from attendance_cli.config import document_store

    return document_store(path)


@app.command("access")
def access(
    ctx: typer.Context,
    upn: Annotated[
        str | None, typer.Option("--upn", help="A child's UPN (or name): their whole record.")
    ] = None,
    parent: Annotated[
        str | None,
        typer.Option("--parent", help="A parent or carer, by name or contact id."),
    ] = None,
    requester: Annotated[
        str | None,
        typer.Option(
            "--requester",
            help="With --upn: the parent (name or contact id) asking on the child's behalf; "
            "the child's other contacts are then redacted.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder to write subject-access.json and .pdf into."),
    ] = None,
    with_documents: Annotated[
        bool, typer.Option("--with-documents", help="Also copy the documents into --out.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace report files already in --out.")
    ] = False,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Everything att holds about a child or a parent (UK GDPR art. 15), third parties
    redacted; the disclosure is recorded in the audit log."""
    from attendance_cli.config import officer_name
    from attendance_cli.errors import UsageError
    from attendance_cli.privacy.access import child_access, parent_access, release_report

    if (upn is None) == (parent is None):
        raise UsageError("Give one of --upn or --parent", hint="e.g. --upn A899200218001.")
    if requester is not None and upn is None:
        raise UsageError("--requester goes with --upn", hint="A parent's own report is --parent.")
    store, path = common.open_db(ctx)
    with store:
        who = officer_name(officer)
        if upn is not None:
            report = child_access(
                store, upn=upn, documents=_documents(path), officer=who, requester=requester
            )
        else:
            assert parent is not None
            report = parent_access(store, parent=parent, documents=_documents(path), officer=who)
        files = release_report(store, report, out=out, force=force, with_documents=with_documents)
    if output == RecordFormat.json:
        common.render(report.as_json(), OutputFormat.json)
        return
    subject = report.subject
    common.echo_screen(
        f"Subject access report: {subject['name']}"
        + (f" ({subject['upn']})" if subject["upn"] else f" (contacts {subject['contact_ids']})")
    )
    for name, count in report.counts().items():
        if count:
            common.echo_screen(f"  {name.replace('_', ' ')}: {count}")
    common.echo_screen(f"  third-party names redacted: {report.redactions}")
    if files.json is not None:
        common.echo_screen(f"Wrote {files.json} and {files.pdf} (private to you).")
    if files.documents:
        common.echo_screen(f"Copied {plural(len(files.documents), 'document')}.")
    for doc_id in files.mismatched_documents:
        common.stderr.print(
            f"Warning: the stored copy of document {doc_id} does not match its SHA-256.",
            highlight=False,
        )
    common.echo_screen(f"Recorded in the audit log (entry {files.audit_id}).")


@app.command("retention")
def retention(
    ctx: typer.Context,
    show_all: Annotated[
        bool, typer.Option("--all", help="Every record with its period, not only those past it.")
    ] = False,
    on: Annotated[
        dt.datetime | None,
        typer.Option(
            "--on",
            formats=DATE_FORMATS,
            help="As on this date (default today).",
            callback=check_date,
        ),
    ] = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """What is past its retention period ([retention] in the settings file sets the periods)."""
    from attendance_cli.exports.render import to_jsonable
    from attendance_cli.privacy.retention import retention_items, retention_periods
    from attendance_cli.settings import load_settings

    periods = retention_periods(load_settings())
    today = on.date() if on else dt.date.today()
    store, _ = common.open_db(ctx)
    with store:
        items = retention_items(store, periods=periods, today=today, include_kept=show_all)
    rows = to_jsonable(items)
    if common.render(rows, output, rows=rows, columns=RETENTION_KEYS):
        return
    if not items:
        common.echo_screen(f"Nothing is past its retention period on {uk_date(today)}.")
        return
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD)
    for title in ("Record", "Row", "UPN", "Runs from", "Years", "Kept until", "Past"):
        table.add_column(title, no_wrap=title != "Record")
    for item in items:
        add_plain_row(
            table,
            item.description,
            f"{item.table}:{item.id}" + (f":{item.academic_year}" if item.academic_year else ""),
            item.upn or "",
            uk_date(item.runs_from) if item.runs_from else "case open",
            str(item.years),
            uk_date(item.ends_on) if item.ends_on else "while in use",
            "yes"
            if item.past
            else ("held (" + ", ".join(f"hold {h}" for h in item.hold_ids) + ")")
            if item.held
            else "no",
        )
    common.stdout.print(table)
    past = sum(1 for i in items if i.past)
    common.echo_screen(f"{plural(past, 'record')} past retention on {uk_date(today)}.")
    held = sum(1 for i in items if i.held)
    if held:
        common.echo_screen(
            f"{plural(held, 'more record')} past {'its' if held == 1 else 'their'} period but "
            "kept under a legal hold (att privacy holds)."
        )


@app.command("erase")
def erase(
    ctx: typer.Context,
    upn: Annotated[
        list[str] | None, typer.Option("--upn", help="A pupil to erase with everything held.")
    ] = None,
    row: Annotated[
        list[str] | None,
        typer.Option("--row", help="TABLE:ID (e.g. case_note:12; mark_year:ENROLMENT:YEAR)."),
    ] = None,
    past_retention: Annotated[
        bool, typer.Option("--past-retention", help="Everything past its retention period.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Erase records (UK GDPR art. 17), leaving an audit tombstone for each row removed."""
    from attendance_cli.cli import prompts
    from attendance_cli.config import officer_name
    from attendance_cli.errors import UsageError
    from attendance_cli.privacy import erase as erasure
    from attendance_cli.privacy.retention import retention_periods
    from attendance_cli.settings import load_settings
    from attendance_cli.store.registers import find_pupil

    if not (upn or row or past_retention):
        raise UsageError(
            "Say what to erase", hint="Give --upn UPN, --row TABLE:ID or --past-retention."
        )
    if past_retention and (upn or row):
        raise UsageError(
            "--past-retention erases on its own",
            hint="Run it separately from --upn and --row.",
        )
    targets = [erasure.parse_target(text) for text in row or []]
    periods = retention_periods(load_settings()) if past_retention else None
    today = dt.date.today()
    store, path = common.open_db(ctx)
    with store:
        for text in upn or []:
            targets.append(erasure.ErasureTarget("pupil", find_pupil(store, text).id))
        if periods is not None:
            targets = erasure.past_retention_targets(store, periods=periods, today=today)
            held = erasure.held_past_retention(store, periods=periods, today=today)
            if held:
                holds = sorted({h for i in held for h in i.hold_ids})
                common.stderr.print(
                    f"Skipped {plural(len(held), 'record')} past retention under legal hold "
                    f"({', '.join(f'hold {h}' for h in holds)}: att privacy holds).",
                    highlight=False,
                    markup=False,
                )
            if not targets:
                common.echo_screen(f"Nothing is past its retention period on {uk_date(today)}.")
                return
        plan = erasure.erasure_plan(store, targets)
        summary = ", ".join(f"{table} {count}" for table, count in sorted(plan.items()))
        common.stderr.print(
            f"To erase: {plural(sum(plan.values()), 'row')} ({summary}).",
            highlight=False,
            markup=False,
        )
        if not yes:
            prompts.confirm(
                f"Erase {plural(sum(plan.values()), 'row')} for good?",
                flag="--yes",
                command="privacy erase",
            )
        confirmed = {t.label() for t in targets}
        chosen = (
            (
                lambda s: [
                    t
                    for t in erasure.past_retention_targets(s, periods=periods, today=today)
                    if t.label() in confirmed
                ]
            )
            if periods is not None
            else targets
        )
        result = erasure.erase_records(
            store,
            targets=chosen,
            reason=erasure.REASON_RETENTION if periods is not None else erasure.REASON_REQUEST,
            officer=officer_name(officer),
            documents=_documents(path),
        )
    if output == RecordFormat.json:
        from attendance_cli.exports.render import to_jsonable

        common.render(to_jsonable(result), OutputFormat.json)
        return
    common.echo_screen(
        f"Erased {plural(result.total, 'row')}; {plural(result.tombstones, 'tombstone')} "
        f"in the audit log; {plural(result.files_removed, 'document file')} removed; "
        f"detail erased from {plural(result.details_erased, 'earlier audit entry', 'earlier audit entries')}."
    )
    for sha256 in result.files_left:
        common.stderr.print(
            f"Warning: document file {sha256[:16]}… could not be removed; att removes it next "
            "time.",
            highlight=False,
        )


@app.command("correct-contact")
def correct_contact(
    ctx: typer.Context,
    upn: Annotated[str, typer.Option("--upn", help="The child whose contact it is.")],
    contact: Annotated[
        str, typer.Option("--contact", help="The contact: their name as held, or contact id.")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the correction).")],
    name: Annotated[str | None, typer.Option("--name", help="The corrected name.")] = None,
    relationship: Annotated[
        str | None, typer.Option("--relationship", help="e.g. Mother, Carer.")
    ] = None,
    parental_responsibility: Annotated[
        str | None, typer.Option("--parental-responsibility", help="Y or N.")
    ] = None,
    address: Annotated[str | None, typer.Option("--address", help='"" clears it.')] = None,
    phone: Annotated[str | None, typer.Option("--phone", help='"" clears it.')] = None,
    email: Annotated[str | None, typer.Option("--email", help='"" clears it.')] = None,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Correct a parent's or carer's details (UK GDPR art. 16): the school's value is kept,
    and later roster imports keep the correction until the school's file agrees."""
    from attendance_cli.config import officer_name
    from attendance_cli.privacy import rectify

    changes: dict[str, object] = {
        k: v
        for k, v in (
            ("name", name),
            ("relationship", relationship),
            ("address", address),
            ("phone", phone),
            ("email", email),
        )
        if v is not None
    }
    if parental_responsibility is not None:
        changes["parental_responsibility"] = rectify.parse_flag_value(parental_responsibility)
    store, _ = common.open_db(ctx)
    with store:
        contact_id = rectify.find_contact(store, upn=upn, contact=contact)
        result = rectify.correct_contact(
            store,
            contact_id=contact_id,
            changes=changes,
            reason=reason,
            officer=officer_name(officer),
        )
    if output == RecordFormat.json:
        from attendance_cli.exports.render import to_jsonable

        common.render(to_jsonable(result), OutputFormat.json)
        return
    common.echo_screen(
        f"Corrected {plural(len(result.fields), 'field')} of contact {result.contact_id} "
        f"({', '.join(f.replace('_', ' ') for f in result.fields)}); the school's value is kept "
        "and later roster imports keep the correction."
    )


@app.command("corrections")
def corrections(
    ctx: typer.Context,
    upn: Annotated[str | None, typer.Option("--upn", help="One child's only.")] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also those retired (the school's file agreed).")
    ] = False,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Contact corrections in force: what the school's file said and the corrected value."""
    from attendance_cli.exports.render import to_jsonable
    from attendance_cli.privacy.rectify import list_corrections

    store, _ = common.open_db(ctx)
    with store:
        found = list_corrections(store, upn=upn, include_retired=show_all)
    rows = [{k: v for k, v in r.items() if k in CORRECTION_KEYS} for r in to_jsonable(found)]
    if common.render(rows, output, rows=rows, columns=CORRECTION_KEYS):
        return
    if not found:
        common.echo_screen("No contact corrections" + (" in force." if not show_all else "."))
        return
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD)
    for title in ("Id", "UPN", "Field", "School's value", "Corrected to", "Corrected", "Retired"):
        table.add_column(title, no_wrap=title in ("Id", "UPN"))
    for c in found:
        add_plain_row(
            table,
            str(c.id),
            c.upn,
            c.field.replace("_", " "),
            c.school_value or "blank",
            c.value or "blank",
            uk_date(c.corrected_at.date()),
            uk_date(c.retired_at.date()) if c.retired_at else "",
        )
    common.stdout.print(table)


@app.command("hold")
def hold(
    ctx: typer.Context,
    upn: Annotated[str, typer.Option("--upn", help="The child whose records to hold.")],
    reason: Annotated[
        str, typer.Option("--reason", help="e.g. prosecution pending, subject access request.")
    ],
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Place a legal hold: nothing of the child is past retention or erased until released."""
    from attendance_cli.config import officer_name
    from attendance_cli.privacy.hold import place_hold

    store, _ = common.open_db(ctx)
    with store:
        placed = place_hold(store, upn=upn, reason=reason, officer=officer_name(officer))
    if output == RecordFormat.json:
        from attendance_cli.exports.render import to_jsonable

        common.render(to_jsonable(placed), OutputFormat.json)
        return
    common.echo_screen(
        f"Legal hold {placed.id} placed on {placed.upn}: nothing of the child is erased until "
        f"it is released (att privacy release {placed.id} --reason ...)."
    )


@app.command("release")
def release(
    ctx: typer.Context,
    hold_id: Annotated[
        int, typer.Argument(help="The hold's id (att privacy holds).", min=1, max=2**63 - 1)
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why the hold no longer applies.")],
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Release a legal hold (the hold is kept in the record, with who released it and why)."""
    from attendance_cli.config import officer_name
    from attendance_cli.privacy.hold import release_hold

    store, _ = common.open_db(ctx)
    with store:
        done = release_hold(store, hold_id=hold_id, reason=reason, officer=officer_name(officer))
    if output == RecordFormat.json:
        from attendance_cli.exports.render import to_jsonable

        common.render(to_jsonable(done), OutputFormat.json)
        return
    common.echo_screen(f"Legal hold {done.id} on {done.upn} released.")


@app.command("holds")
def holds(
    ctx: typer.Context,
    upn: Annotated[str | None, typer.Option("--upn", help="One child's only.")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also released holds.")] = False,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Legal holds in force (or all): the children whose records are kept past retention."""
    from attendance_cli.exports.render import to_jsonable
    from attendance_cli.privacy.hold import list_holds

    store, _ = common.open_db(ctx)
    with store:
        found = list_holds(store, upn=upn, include_released=show_all)
    rows = [{k: v for k, v in r.items() if k in HOLD_KEYS} for r in to_jsonable(found)]
    if common.render(rows, output, rows=rows, columns=HOLD_KEYS):
        return
    if not found:
        common.echo_screen("No legal holds" + (" in force." if not show_all else "."))
        return
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD)
    for title in ("Hold", "UPN", "Reason", "Placed", "By", "Released"):
        table.add_column(title, no_wrap=title in ("Hold", "UPN"))
    for h in found:
        add_plain_row(
            table,
            str(h.id),
            h.upn,
            h.reason,
            uk_date(h.placed_at.date()),
            h.placed_by,
            uk_date(h.released_at.date()) if h.released_at else "",
        )
    common.stdout.print(table)
