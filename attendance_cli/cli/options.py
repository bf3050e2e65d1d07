"""Options shared by several commands, defined once."""

from __future__ import annotations

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
