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
