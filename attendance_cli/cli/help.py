"""Help a newcomer can read: an example under every command, metavars that are words, the
terminal's full width, and date errors that show a date rather than strftime patterns.

Applied once to the whole command tree (``polish_commands``, called by the root group) so that
each command module only declares its options. ``EXAMPLES`` holds each command's examples,
keyed by its path; a test checks every command has one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

# typer 0.28 vendors click (pinned in pyproject.toml); its parameter types live here
from typer._click import types as click_types
from typer._types import TyperChoice

DATE_EXAMPLE = "Use a date like 30/11/2025 or 2025-11-30."

EXAMPLES: dict[str, tuple[str, ...]] = {
    "import": (
        "att import roster.csv castle_hill_marks.csv riverside_grid.csv",
        "att import week12.xlsx --school 8994001 --dry-run",
        'att import odd.csv --school 8994001 --columns "upn=Pupil No,mark=Code" --save-columns',
    ),
    "audit": (
        "att audit V899200116001",
        "att audit verify",
        "att audit verify --anchor 412:HASH   (a head a bundle or backup recorded)",
    ),
    "codes": ("att codes", "att codes --map local-codes.csv --format csv"),
    "columns": ("att columns list",),
    "columns list": ("att columns list", "att columns list --format json"),
    "columns save": (
        'att columns save --school 8994001 --columns "upn=Pupil No,date=Day,session=AM/PM,mark=Code"',
    ),
    "columns forget": ("att columns forget --school 8994001",),
    "demo": ("att demo",),
    "tsm status": ("att tsm status --term autumn", "att tsm status --term spring --format csv"),
    "tasks": ("att tasks", "att tasks --team --days 7 --format csv > due-this-week.csv"),
    "team add": ('att team add jo_smith --name "Jo Smith"',),
    "team list": ("att team list", "att team list --format csv > team.csv"),
    "team allocate-school": ("att team allocate-school 8994001 jo_smith",),
    "team allocate-case": ("att team allocate-case V899200116001 sam_patel",),
    "team grant": (
        "att team grant jo_smith --as officer",
        "att team grant vsh_head --as read-only --show-sql",
    ),
    "schools": ("att schools", "att schools --year 2024 --format csv > schools-2024-25.csv"),
    "tsm prepare": (
        'att tsm prepare --school "castle hill"',
        "att tsm prepare --school 8994001 --term autumn --output castle-hill-tsm.xlsx",
    ),
    "tsm record": (
        'att tsm record --school 8994001 --date 20/11/2025 --attendee "Head of Year 9"',
        "att tsm record --school 8994001 --date 20/11/2025 --from-workbook castle-hill-tsm.xlsx",
    ),
    "case add-action": (
        'att case add-action V899200116001 --kind "home visit" --action "Visit to discuss '
        'anxiety" --owner "EWO" --agency LA --due 10/10/2025',
    ),
    "case complete-action": ('att case complete-action 7 --outcome "Mum engaged; plan agreed"',),
    "case set-lead": (
        'att case set-lead V899200116001 --name "Mrs Patel" --agency school --role "Head of Year 9"',
    ),
    "case note": (
        'att case note V899200116001 "Mum reports anxiety about maths"',
        'att case note correct 12 --text "Mum reports anxiety about science" --reason "misheard"',
    ),
    "case document withdraw": (
        'att case document withdraw 4 --reason "Attached to the wrong pupil"',
    ),
    "case close": ('att case close V899200116001 --outcome "Attendance above 95% for a term"',),
    "case reopen": ("att case reopen V899200116001",),
    "case attach": (
        "att case attach V899200116001 letter.pdf --kind letter --date 05/10/2025 "
        '--description "Warning letter"',
    ),
    "case documents": ("att case documents V899200116001",),
    "case show": ("att case show V899200116001", "att case show V899200116001 --format json"),
    "case list": ("att case list --school castle --overdue", "att case list --no-lead"),
    "referral check": ("att referral check V899200116001 --route prosecution",),
    "referral export": (
        "att referral export A899200218001 --route penalty-notice --out harvey-pn.zip",
        "att referral export A899200218001 --route prosecution --copy court --out court.zip",
    ),
    "referral verify": ("att referral verify harvey-pn.zip",),
    "db info": ("att db info", "att db info --format json"),
    "db init": ("att db init",),
    "db upgrade": ("att db upgrade",),
    "db backup": ("att db backup", "att db backup ~/backups/att-2025-11-30.sqlite"),
    "db restore": ("att db restore ~/backups/att-2025-11-30.sqlite",),
    "penalty add": (
        'att penalty add B801200005001 --parent "Jo Smith" --issued 01/10/2025 --served-by post',
        "att penalty add B801200005001 --contact 12 --issued 01/10/2025 --served-by hand "
        "--from 06/10/2025 --to 10/10/2025",
        'att penalty add B801200005001 --contact 12 --issued 01/10/2025 --no-copy "issued from '
        'the enforcement system"',
    ),
    "penalty prosecute": (
        "att penalty prosecute 7 --on 01/12/2025",
        "att penalty prosecute 7 --outcome convicted --outcome-on 10/02/2026",
    ),
    "penalty correct": (
        'att penalty correct 7 --field served --to 02/10/2025 --reason "posted a day later"',
    ),
    "penalty report": (
        "att penalty report --year 2024",
        "att penalty report --year 2024 --output penalty-notices-2024-25.xlsx",
    ),
    "penalty update": (
        "att penalty update 7 --paid 20/10/2025",
        'att penalty update 7 --withdrawn 03/10/2025 --ground wrong-person --reason "wrong parent"',
        "att penalty update 7 --paid 20/10/2025 --part --amount 40",
    ),
    "penalty list": ('att penalty list --school "castle hill" --status overdue',),
    "penalty check": ('att penalty check B801200005001 --parent "jo smith"',),
    "penalty request add": (
        "att penalty request add B801200005001 --from 06/01/2026 --to 16/01/2026 "
        "--reason holiday --sessions 16 --received 20/01/2026 --evidence letter.pdf",
    ),
    "penalty request list": ("att penalty request list --status overdue",),
    "penalty request show": ("att penalty request show 3",),
    "penalty request decide": (
        'att penalty request decide 3 --decision issue --parent "Jo Smith"',
        'att penalty request decide 4 --decision refuse --reason "Threshold not met"',
    ),
    "pupil show": ("att pupil show A899200122002", 'att pupil show "Kieran Doyle"'),
    "pupil find": ('att pupil find "Kieran Doyle"', "att pupil find marsden --format json"),
    "report la": ("att report la", "att report la --output la.xlsx"),
    "letter templates": ("att letter templates", "att letter templates --export ~/att-letters"),
    "letter preview": ("att letter preview A899200218001 --template notice-to-improve",),
    "letter generate": (
        "att letter generate A899200218001 --template notice-to-improve --out letters/",
        'att letter generate --school "castle hill" --persistent --not-since-weeks 6 '
        "--template attendance-concern --out letters/",
    ),
    "letter list": ("att letter list A899200218001", "att letter list --school castle"),
    "privacy access": (
        "att privacy access --upn A899200218001 --out harvey-sar/ --with-documents",
        'att privacy access --parent "Claire Marsden" --out claire-sar/',
    ),
    "privacy retention": ("att privacy retention", "att privacy retention --all --format csv"),
    "privacy correct-contact": (
        'att privacy correct-contact --upn A899200218001 --contact "Claire Marsden" '
        '--address "12 New Road, Kestrelford KF2 1AA" --reason "mother phoned: moved"',
    ),
    "privacy corrections": (
        "att privacy corrections",
        "att privacy corrections --all --format csv",
    ),
    "privacy hold": ('att privacy hold --upn A899200218001 --reason "prosecution pending"',),
    "privacy release": ('att privacy release 3 --reason "case concluded"',),
    "privacy holds": ("att privacy holds", "att privacy holds --all --format json"),
    "privacy erase": (
        "att privacy erase --past-retention",
        "att privacy erase --row case_note:12 --yes",
        "att privacy erase --upn A899200218001",
    ),
}

# Metavars by parameter name; any other text parameter shows its name in capitals.
_METAVARS = {
    "upn": "UPN",
    "target": "UPN",
    "school": "SCHOOL",
    "term": "TERM",
    "year": "YEAR",
    "attendee": "NAME",
    "officer": "NAME",
    "owner": "NAME",
    "name": "NAME",
    "parent": "NAME",
    "action": "TEXT",
    "outcome": "TEXT",
    "text": "TEXT",
    "description": "TEXT",
    "reason": "TEXT",
    "meeting": "ID",
    "action_id": "ID",
    "notice_id": "ID",
    "issued": "DATE",
    "paid": "DATE",
    "withdrawn": "DATE",
    "on": "DATE",
    "amount": "POUNDS",
    "lead_agency": "AGENCY",
    "files": "FILE...",
    "file": "FILE",
    "path": "FILE",
    "output": "FILE",
    "out": "FILE",
    "bundle": "ZIP",
    "from_workbook": "WORKBOOK",
    "limit": "N",
    "export": "FOLDER",
    "meeting_time": "TIME",
    "meeting_place": "PLACE",
    "template": "TEMPLATE",
    "code_map": "FILE",
    "map_file": "FILE",
    "columns": "MAPPING",
    "sheet": "SHEET",
    "layout": "LAYOUT",
    "formats": "FORMAT",
    "requester": "NAME",
    "row": "TABLE:ID",
}


class UkDate(click_types.DateTime):
    """A date option: shown as DATE, and a mistyped one is told what a date looks like."""

    name = "date"

    def get_metavar(self, param: Any, ctx: Any = None) -> str:
        return "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value
        for date_format in self.formats:
            try:
                return dt.datetime.strptime(str(value).strip(), date_format)
            except ValueError:
                continue
        self.fail(f"{value!r} is not a date. {DATE_EXAMPLE}", param, ctx)


class WordsIntRange(click_types.IntRange):
    """An integer range described in words ("0 or more") rather than as ``[x>=0]``."""

    def _describe_range(self) -> str:
        if self.min is not None and self.max is not None:
            return f"{self.min} to {self.max}"
        if self.min is not None:
            return f"{self.min} or more"
        return f"{self.max} or less"


def command_paths(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Every command (not group) under ``command``, with its path ("tsm prepare")."""
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        yield " ".join(path), command
        return
    for name, sub in subcommands.items():
        yield from command_paths(sub, (*path, name))


def polish_commands(group: Any) -> None:
    """Give every command under ``group`` its examples, word metavars and friendly types."""
    for path, command in command_paths(group):
        examples = EXAMPLES.get(path)
        if examples and not command.epilog:
            heading = "Example:" if len(examples) == 1 else "Examples:"
            command.epilog = "\b\n" + "\n".join([heading, *(f"  {e}" for e in examples)])
        for param in command.params:
            _polish_param(param)


def _polish_param(param: Any) -> None:
    kind = param.type
    if isinstance(kind, click_types.DateTime) and not isinstance(kind, UkDate):
        param.type = UkDate(kind.formats)
    elif isinstance(kind, click_types.IntRange) and not isinstance(kind, WordsIntRange):
        param.type = WordsIntRange(kind.min, kind.max, kind.min_open, kind.max_open, kind.clamp)
    if param.metavar is not None or getattr(param, "is_flag", False):
        return
    if isinstance(param.type, TyperChoice):
        return  # shown as its choices: table|json|csv
    name = param.name or ""
    if name in _METAVARS:
        param.metavar = _METAVARS[name]
    elif isinstance(param.type, UkDate):
        param.metavar = "DATE"
    elif isinstance(param.type, click_types.IntParamType):
        param.metavar = "N"
    else:
        param.metavar = name.upper()
