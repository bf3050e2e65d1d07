"""Options shared by several commands, defined once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from attendance_cli.exports.render import OutputFormat

FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="Output: table (for people), json or csv (for scripts).",
        case_sensitive=False,
    ),
]
RecordFormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="Output: table (for people) or json (for scripts).",
        case_sensitive=False,
    ),
]
OfficerOption = Annotated[
    str | None,
    typer.Option(
        "--officer",
        help="Who is making the change (default: $ATT_OFFICER, else your login name).",
        show_default=False,
    ),
]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
SchoolOption = Annotated[
    str,
    typer.Option("--school", "-s", help="LAESTAB or an unambiguous part of the school's name."),
]

# The period of a report (as ``att tsm prepare`` takes it; ``analysis.dataset.resolve_period``).
TermOption = Annotated[
    str | None, typer.Option("--term", help="autumn, spring or summer (assumed term dates).")
]
YearOption = Annotated[
    int | None,
    typer.Option("--year", help="Academic year by its first calendar year: 2025 = 2025/26."),
]
FromOption = Annotated[
    dt.datetime | None,
    typer.Option("--from", formats=["%Y-%m-%d", "%d/%m/%Y"], help="First day of the period."),
]
ToOption = Annotated[
    dt.datetime | None,
    typer.Option("--to", formats=["%Y-%m-%d", "%d/%m/%Y"], help="Last day of the period."),
]
WorkbookOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Also write the result as an Excel workbook (.xlsx)."),
]
