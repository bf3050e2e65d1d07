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
from attendance_cli.exports.render import OutputFormat, RecordFormat
from attendance_cli.text import plural, uk_date

app = typer.Typer(
    help="UK GDPR duties: subject access, retention periods and erasure.",
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
        table.add_row(
            item.description,
            f"{item.table}:{item.id}" + (f":{item.academic_year}" if item.academic_year else ""),
            item.upn,
            uk_date(item.runs_from) if item.runs_from else "case open",
            str(item.years),
            uk_date(item.ends_on) if item.ends_on else "while open",
            "yes" if item.past else "no",
        )
    common.stdout.print(table)
    past = sum(1 for i in items if i.past)
    common.echo_screen(f"{plural(past, 'record')} past retention on {uk_date(today)}.")


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
