"""``att import``: load school registers and rosters."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from attendance_cli.cli import common
from attendance_cli.errors import ExitCode
from attendance_cli.text import plural

INPUT_LAYOUTS = ("auto", "marks", "grid", "weekly", "roster")
OUTPUTS = ("table", "json")
SUMMARY_KEYS = [
    "file",
    "layout",
    "status",
    "rows",
    "marks_added",
    "marks_changed",
    "marks_unchanged",
    "missing_marks",
    "duplicate_rows",
    "rows_rejected",
    "problems_total",
    "schools",
    "schools_added",
    "pupils_added",
    "pupils_updated",
    "enrolments_added",
    "contacts_written",
    "date_from",
    "date_to",
    "sha256",
    "import_id",
    "rejected_file",
    "sheets",
    "sheets_skipped",
    "footer_rows",
    "marks_kept_as_missing",
    "marks_kept_over_missing",
    "notes",
    "problems",
]


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)


def _split_formats(values: list[str], layout: str | None) -> tuple[str, str]:
    """``--format`` is the output (table|json). It once also took the file layout: that still
    works, with a note to use ``--layout``."""
    output = "table"
    old_layout = None
    for value in values:
        value = value.lower()
        if value in OUTPUTS:
            output = value
        elif value in INPUT_LAYOUTS:
            old_layout = value
        else:
            raise typer.BadParameter(
                f"{value!r} is not an output; use table or json (the file layout is --layout)",
                param_hint="--format",
            )
    if layout is not None and layout.lower() not in INPUT_LAYOUTS:
        raise typer.BadParameter(
            f"{layout!r} is not a layout; use auto, marks, grid, weekly or roster",
            param_hint="--layout",
        )
    if old_layout is not None:
        common.stderr.print(
            f"Note: --format {old_layout} is deprecated for the file layout; use --layout "
            f"{old_layout} (--format is the output: table or json).",
            highlight=False,
            markup=False,
        )
    return (layout or old_layout or "auto").lower(), output


def import_command(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(help="Register or roster files (CSV or XLSX).", show_default=False),
    ],
    school: Annotated[
        str | None,
        typer.Option(
            "--school",
            help="LAESTAB of the school the files are for (when they have no LAESTAB column).",
        ),
    ] = None,
    formats: Annotated[
        list[str],
        typer.Option(
            "--format",
            "-f",
            help="Output: table|json. (A layout given here still works but is deprecated: use --layout.)",
        ),
    ] = [],  # noqa: B006
    layout: Annotated[
        str | None,
        typer.Option(
            "--layout",
            help="File layout: auto|marks|grid|weekly|roster (default: detected from the headers).",
            show_default=False,
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet",
            help="Read only this sheet of a workbook (default: every sheet that holds a register).",
            show_default=False,
        ),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            help='Say which header is which field, e.g. "upn=Pupil No,date=Day,session=AM/PM,mark=Code".',
            show_default=False,
        ),
    ] = None,
    save_columns: Annotated[
        bool,
        typer.Option(
            "--save-columns",
            help="Save --columns for the --school once the import succeeds; its later files use it.",
        ),
    ] = False,
    code_map: Annotated[
        Path | None,
        typer.Option(
            "--code-map",
            help="CSV of the LA's local codes (local_code,statutory_code); default $ATT_CODE_MAP.",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and report without writing anything.")
    ] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Import the valid rows; write rejected rows with reasons to FILE.rejected.csv.",
        ),
    ] = False,
) -> None:
    """Import school registers (marks, grid) and rosters into the database, validated."""
    import os

    from attendance_cli.files import require_input_files
    from attendance_cli.registers.code_map import read_code_map
    from attendance_cli.registers.importer import import_registers
    from attendance_cli.registers.layouts import parse_column_map

    require_input_files(files)
    chosen_layout, output = _split_formats(formats, layout)
    column_map = parse_column_map(columns)
    if save_columns and (not column_map or school is None):
        raise typer.BadParameter(
            "--save-columns saves the --columns map for the --school: give both",
            param_hint="--save-columns",
        )
    map_path = code_map or (
        Path(os.environ["ATT_CODE_MAP"]) if os.environ.get("ATT_CODE_MAP") else None
    )
    local_codes = read_code_map(map_path) if map_path else None
    store, _ = common.open_db(ctx, create=True)
    with _progress(files) as progress:
        result = import_registers(
            store,
            paths=files,
            school=school,
            layout=chosen_layout,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            progress=progress,
            sheet=sheet,
            column_map=column_map,
            code_map=local_codes,
        )
    if save_columns and result.ok and not dry_run:
        from attendance_cli.registers.column_maps import save_school_columns

        saved = save_school_columns(store, laestab=str(school), columns=str(columns))
        for summary in result.files:
            summary.notes.append(
                f"column map saved for {saved.laestab}: {saved.text} (used for its later files; "
                "att columns forget --school to drop it)"
            )
    elif save_columns:
        common.stderr.print(
            "Note: the column map was not saved (dry run, or a file was rejected).",
            highlight=False,
            markup=False,
        )
    rows = [_summary_row(f) for f in result.files]
    if output == "json":
        common.render({"dry_run": dry_run, "ok": result.ok, "files": rows}, _json())
    else:
        _print_table(rows, dry_run)
    for summary in result.files:
        for note in summary.notes:
            common.stderr.print(f"Note: {note}", highlight=False, markup=False)
        if summary.status == "rejected":
            common.stderr.print(
                f"Error: {summary.file} was rejected ({plural(summary.problems_total, 'problem')}); "
                "nothing from it was written.",
                style="red",
                highlight=False,
                markup=False,
            )
            common.print_problems(summary.problems, summary.problems_total)
            if summary.skippable and summary.problems_total:
                common.stderr.print(
                    "Hint: fix the file (or re-export it) and import it again, or use "
                    "--skip-invalid to import the valid rows.",
                    highlight=False,
                    markup=False,
                )
        elif summary.rejected_file:
            common.stderr.print(
                f"{plural(summary.rows_rejected, 'row')} of {summary.file} skipped; reasons in "
                f"{summary.rejected_file}",
                highlight=False,
                markup=False,
            )
    if not result.ok:
        raise typer.Exit(int(ExitCode.INVALID_INPUT))


def _json() -> Any:
    from attendance_cli.exports.render import OutputFormat

    return OutputFormat.json


def _summary_row(summary: Any) -> dict[str, Any]:
    from attendance_cli.exports.render import to_jsonable

    data = to_jsonable(summary)
    return {key: data.get(key) for key in SUMMARY_KEYS}


def _print_table(rows: list[dict[str, Any]], dry_run: bool) -> None:
    import datetime as dt

    from rich import box
    from rich.table import Table

    title = "Import (dry run: nothing written)" if dry_run else "Import"
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("file", overflow="fold", min_width=16)
    table.add_column("layout", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("added", justify="right", no_wrap=True)
    table.add_column("changed", justify="right", no_wrap=True)
    table.add_column("dates", no_wrap=True)
    for row in rows:
        dates = ""
        if row["date_from"]:
            first, last = (
                dt.date.fromisoformat(row["date_from"]),
                dt.date.fromisoformat(row["date_to"]),
            )
            dates = f"{first:%d/%m}-{last:%d/%m/%Y}"
        status = "REJECTED" if row["status"] == "rejected" else row["status"]
        table.add_row(
            row["file"],
            row["layout"],
            status,
            f"{row['marks_added']:,}",
            f"{row['marks_changed']:,}",
            dates,
        )
    common.stdout.print(table)


class _progress:
    """A progress bar on stderr for imports big enough to take a moment (> 5 MB)."""

    def __init__(self, files: list[Path]) -> None:
        self.total = sum(p.stat().st_size for p in files if p.is_file())
        self.bar: Any = None

    def __enter__(self) -> Any:
        if self.total < 5_000_000 or not common.stderr.is_terminal:
            return None
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=common.stderr,
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task("Importing", total=self.total)

        def advance(name: str, nbytes: int) -> None:
            self.bar.update(task, advance=nbytes, description=f"Importing {name}")

        return advance

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
