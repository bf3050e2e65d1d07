"""``att letter``: letters from Word templates, one per parent, filed in the case."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import (
    DATE_FORMATS,
    FormatOption,
    FromOption,
    OfficerOption,
    RecordFormatOption,
    TermOption,
    ToOption,
    YearOption,
)
from attendance_cli.exports.render import OutputFormat, RecordFormat

app = typer.Typer(
    help="Letters from Word templates: one per parent, filed in the case as they go out.",
    no_args_is_help=True,
)

UpnArgument = Annotated[str | None, typer.Argument(help="The pupil's UPN.", show_default=False)]
TemplateOption = Annotated[
    str, typer.Option("--template", "-t", help="Template name (att letter templates lists them).")
]
SchoolOption = Annotated[
    str | None,
    typer.Option(
        "--school",
        help="LAESTAB or part of the name: the pupil's school (when on roll at two), the "
        "school of a bulk run, or the school a school letter goes to.",
    ),
]
LetterDateOption = Annotated[
    dt.datetime | None,
    typer.Option("--date", formats=DATE_FORMATS, help="The letter's date (default today)."),
]
MeetingDateOption = Annotated[
    dt.datetime | None,
    typer.Option(
        "--meeting-date", formats=DATE_FORMATS, help="Date of the meeting a letter invites to."
    ),
]
MeetingTimeOption = Annotated[
    str | None, typer.Option("--meeting-time", help="Time of the meeting, e.g. 10:30am.")
]
MeetingPlaceOption = Annotated[
    str | None, typer.Option("--meeting-place", help="Where the meeting is.")
]
WeeksOption = Annotated[
    int | None,
    typer.Option(
        "--improvement-weeks",
        min=3,
        max=6,
        help="A notice to improve's improvement period, 3 to 6 weeks (default: "
        "letters.improvement_weeks in the settings, else 4).",
    ),
]
NoticeOption = Annotated[
    int | None,
    typer.Option("--notice", help="Penalty notice id (default: the parent's latest notice)."),
]

LETTER_KEYS = [
    "letter_id",
    "document_id",
    "upn",
    "pupil",
    "school_laestab",
    "school_name",
    "addressee",
    "template",
    "template_version",
    "letter_date",
    "path",
    "pdf_path",
    "sha256",
    "bytes",
]
LIST_KEYS = [
    "id",
    "letter_date",
    "template",
    "template_version",
    "addressee",
    "upn",
    "surname",
    "forename",
    "school_laestab",
    "school_name",
    "file_name",
    "sha256",
    "bytes",
    "document_id",
    "batch",
    "created_at",
    "officer",
]
TEMPLATE_KEYS = [
    "name",
    "title",
    "purpose",
    "addressee",
    "counts_as_warning",
    "version",
    "source",
    "path",
    "sha256",
]


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


def _options(
    template: str,
    *,
    school: str | None,
    date: dt.datetime | None,
    term: str | None,
    year: int | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
    meeting_date: dt.datetime | None,
    meeting_time: str | None,
    meeting_place: str | None,
    weeks: int | None,
    notice: int | None,
) -> Any:
    from attendance_cli.letters.generate import LetterOptions

    return LetterOptions(
        template=template,
        letter_date=_day(date),
        school=school,
        term=term,
        year=year,
        start=_day(start),
        end=_day(end),
        meeting_date=_day(meeting_date),
        meeting_time=meeting_time,
        meeting_place=meeting_place,
        improvement_weeks=weeks,
        notice_id=notice,
    )


@app.command("templates")
def templates(
    export: Annotated[
        Path | None,
        typer.Option("--export", help="Write the built-in templates into this folder to edit."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace files already there.")] = False,
    output: FormatOption = OutputFormat.table,
) -> None:
    """List the letter templates (built-in, and the LA's folder), or export the built-in ones."""
    from attendance_cli.letters.templates import export_templates, list_templates
    from attendance_cli.settings import load_settings

    if export is not None:
        written = export_templates(export, force=force)
        data: Any = {"exported": [str(p) for p in written]}
        if not common.render(data, output):
            common.stdout.print(
                f"Wrote {len(written)} templates into {export}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        return
    rows = [
        {key: getattr(t, key) for key in TEMPLATE_KEYS} for t in list_templates(load_settings())
    ]
    if common.render(rows, output, rows=rows, columns=TEMPLATE_KEYS):
        return
    _table(
        rows,
        [
            ("name", "Name"),
            ("title", "Title"),
            ("addressee", "To"),
            ("version", "Version"),
            ("source", "Source"),
        ],
    )


@app.command("preview")
def preview(
    ctx: typer.Context,
    upn: UpnArgument = None,
    template: TemplateOption = ...,  # type: ignore[assignment]
    school: SchoolOption = None,
    date: LetterDateOption = None,
    term: TermOption = None,
    year: YearOption = None,
    start: FromOption = None,
    end: ToOption = None,
    meeting_date: MeetingDateOption = None,
    meeting_time: MeetingTimeOption = None,
    meeting_place: MeetingPlaceOption = None,
    weeks: WeeksOption = None,
    notice: NoticeOption = None,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Show the letters a template would make for a pupil (or a school), writing nothing."""
    from attendance_cli.config import officer_name
    from attendance_cli.letters.generate import preview_letters
    from attendance_cli.settings import load_settings

    store, _ = common.open_db(ctx)
    previews = preview_letters(
        store,
        upn=upn,
        options=_options(
            template,
            school=school,
            date=date,
            term=term,
            year=year,
            start=start,
            end=end,
            meeting_date=meeting_date,
            meeting_time=meeting_time,
            meeting_place=meeting_place,
            weeks=weeks,
            notice=notice,
        ),
        settings=load_settings(),
        officer=officer_name(officer),
    )
    data = [{"addressee": p.addressee, "file_name": p.file_name, "text": p.text} for p in previews]
    if common.render(data, output):
        return
    for item in previews:
        common.stdout.rule(f"To {item.addressee} ({item.file_name})")
        common.stdout.print("\n".join(item.text), highlight=False, markup=False, soft_wrap=True)


@app.command("generate")
def generate(
    ctx: typer.Context,
    upn: UpnArgument = None,
    template: TemplateOption = ...,  # type: ignore[assignment]
    school: SchoolOption = None,
    persistent: Annotated[
        bool,
        typer.Option("--persistent", help="Bulk: every persistently absent pupil of --school."),
    ] = False,
    severe: Annotated[
        bool, typer.Option("--severe", help="Bulk: every severely absent pupil of --school.")
    ] = False,
    not_since_weeks: Annotated[
        int | None,
        typer.Option(
            "--not-since-weeks",
            min=1,
            max=520,
            help="Bulk: leave out pupils with a letter dated in the last N weeks.",
        ),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out", metavar="FOLDER", help="Folder for the letters (made private if new)."
        ),
    ] = Path("."),
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Make a letter again (same pupil, parent, template, date) and replace files.",
        ),
    ] = False,
    pdf: Annotated[
        bool, typer.Option("--pdf/--no-pdf", help="Also make PDFs with LibreOffice, if installed.")
    ] = True,
    date: LetterDateOption = None,
    term: TermOption = None,
    year: YearOption = None,
    start: FromOption = None,
    end: ToOption = None,
    meeting_date: MeetingDateOption = None,
    meeting_time: MeetingTimeOption = None,
    meeting_place: MeetingPlaceOption = None,
    weeks: WeeksOption = None,
    notice: NoticeOption = None,
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Make the letters (one per parent with parental responsibility) and file each in the case."""
    from attendance_cli.config import officer_name
    from attendance_cli.errors import UsageError
    from attendance_cli.letters import generate as letters
    from attendance_cli.settings import load_settings

    bulk = persistent or severe
    if bulk and upn:
        raise UsageError("Give a UPN or --persistent/--severe, not both")
    if bulk and not school:
        raise UsageError("--persistent and --severe need --school")
    if not_since_weeks is not None and not bulk:
        raise UsageError("--not-since-weeks is for bulk runs (with --persistent or --severe)")
    store, path = common.open_db(ctx)
    options = _options(
        template,
        school=school,
        date=date,
        term=term,
        year=year,
        start=start,
        end=end,
        meeting_date=meeting_date,
        meeting_time=meeting_time,
        meeting_place=meeting_place,
        weeks=weeks,
        notice=notice,
    )
    common_args: dict[str, Any] = {
        "database": path,
        "options": options,
        "settings": load_settings(),
        "out_dir": out,
        "officer": officer_name(officer),
        "force": force,
        "pdf": pdf,
    }
    if bulk:
        assert school is not None
        run = letters.generate_bulk(
            store,
            school=school,
            severe_only=severe and not persistent,
            not_since_weeks=not_since_weeks,
            **common_args,
        )
    else:
        if upn is None and not school:
            raise UsageError(
                "Give the pupil's UPN, or --school with --persistent/--severe (or for a letter to a school)"
            )
        run = letters.generate_letters(store, upn=upn, **common_args)
    if run.pdf_note and pdf:
        common.stderr.print(f"Note: {run.pdf_note}", highlight=False, markup=False, soft_wrap=True)
    made = [{key: getattr(m, key) for key in LETTER_KEYS} for m in run.letters]
    data = {
        "template": run.template,
        "template_version": run.template_version,
        "letter_date": run.letter_date,
        "out_dir": run.out_dir,
        "letters": made,
        "skipped": [{"upn": s.upn, "pupil": s.pupil, "reason": s.reason} for s in run.skipped],
        "combined": run.combined,
        "combined_pdf": run.combined_pdf,
        "list_csv": run.csv,
        "pdf_note": run.pdf_note,
        "batch": run.batch,
    }
    if common.render(data, output):
        return
    for m in run.letters:
        filed = f"document {m.document_id}" if m.document_id else "not in a case (school letter)"
        common.stdout.print(
            f"Letter {m.letter_id} to {m.addressee}: {m.path}"
            + (" (+ PDF)" if m.pdf_path else "")
            + f"; filed as {filed}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    for s in run.skipped:
        common.stdout.print(
            f"Skipped {s.pupil} ({s.upn}): {s.reason}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    if run.combined:
        common.stdout.print(
            f"For printing: {run.combined}", highlight=False, markup=False, soft_wrap=True
        )
    if run.csv:
        common.stdout.print(f"List: {run.csv}", highlight=False, markup=False, soft_wrap=True)
    if not run.letters:
        common.stdout.print("No letters made.", highlight=False, markup=False, soft_wrap=True)


@app.command("list")
def list_letters(
    ctx: typer.Context,
    upn: UpnArgument = None,
    school: Annotated[
        str | None, typer.Option("--school", help="Letters to or about pupils of this school.")
    ] = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """List the letters made (all, a pupil's, or a school's), oldest first."""
    from attendance_cli.letters.generate import letter_history

    store, _ = common.open_db(ctx)
    rows = [
        {key: getattr(r, key) for key in LIST_KEYS}
        for r in letter_history(store, upn=upn, school=school)
    ]
    if common.render(rows, output, rows=rows, columns=LIST_KEYS):
        return
    _table(
        rows,
        [
            ("id", "Id"),
            ("letter_date", "Date"),
            ("template", "Template"),
            ("addressee", "To"),
            ("upn", "UPN"),
            ("school_name", "School"),
            ("document_id", "Document"),
        ],
        empty="No letters.",
    )


def _table(
    rows: list[dict[str, Any]], columns: list[tuple[str, str]], empty: str = "None."
) -> None:
    from rich.table import Table

    from attendance_cli.exports.render import to_jsonable

    if not rows:
        common.stdout.print(empty, highlight=False)
        return
    table = Table(show_lines=False)
    for _, title in columns:
        table.add_column(title)
    for row in rows:
        table.add_row(*["" if row[k] is None else str(to_jsonable(row[k])) for k, _ in columns])
    common.stdout.print(table)
