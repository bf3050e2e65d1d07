"""Options shared by several commands, defined once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from attendance_cli.exports.render import OutputFormat, RecordFormat

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
    RecordFormat,
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

# Values att can work with; anything outside is a usage error (exit 2), never a crash deep
# inside (``--year 0``, ``--from 0001-01-01``, a document dated 9999-12-31, an id >= 2**63).
FIRST_YEAR, LAST_YEAR = 2000, 2099
ID_MAX = 2**63 - 1  # SQLite's largest integer


def check_date(value: dt.datetime | None) -> dt.datetime | None:
    """A typer callback: a date option must fall within FIRST_YEAR..LAST_YEAR."""
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise typer.BadParameter(
            f"{value.date().isoformat()} is outside the years att works with "
            f"({FIRST_YEAR} to {LAST_YEAR}); use a date like 30/11/2025 or 2025-11-30"
        )
    return value


def check_day(value: dt.date | None, option: str) -> dt.date | None:
    """The same rule for a date parsed by a command itself: a UsageError naming ``option``."""
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        from attendance_cli.errors import UsageError

        raise UsageError(
            f"{option}: {value.isoformat()} is outside the years att works with "
            f"({FIRST_YEAR} to {LAST_YEAR})",
            hint="Use a date like 30/11/2025 or 2025-11-30.",
        )
    return value


def id_argument(help_text: str, *, metavar: str = "ID") -> Any:
    """A record id argument: a whole number from 1 to 2**63 - 1."""
    return typer.Argument(help=help_text, show_default=False, metavar=metavar, min=1, max=ID_MAX)


# The period of a report (as ``att tsm prepare`` takes it; ``analysis.dataset.resolve_period``).
TermOption = Annotated[
    str | None, typer.Option("--term", help="autumn, spring or summer (assumed term dates).")
]
YearOption = Annotated[
    int | None,
    typer.Option(
        "--year",
        help="Academic year by its first calendar year: 2025 = 2025/26.",
        min=FIRST_YEAR,
        max=LAST_YEAR,
    ),
]
FromOption = Annotated[
    dt.datetime | None,
    typer.Option(
        "--from", formats=DATE_FORMATS, help="First day of the period.", callback=check_date
    ),
]
ToOption = Annotated[
    dt.datetime | None,
    typer.Option("--to", formats=DATE_FORMATS, help="Last day of the period.", callback=check_date),
]
ForceOption = Annotated[
    bool,
    typer.Option("--force", help="Replace the output file if it exists (never done without)."),
]
WorkbookOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Also write the result as an Excel workbook (.xlsx)."),
]
