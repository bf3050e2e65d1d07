"""``att referral``: the readiness check for a legal route, the evidence bundle, its verification.

Thin commands over ``attendance_cli.referrals``; reportlab and openpyxl load only when a bundle
is built.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import (
    DATE_FORMATS,
    OfficerOption,
    RecordFormatOption,
    check_date,
)
from attendance_cli.errors import ExitCode
from attendance_cli.exports.render import RecordFormat
from attendance_cli.text import plural, uk_date

app = typer.Typer(
    help="Legal referrals: readiness check, evidence bundle (zip with PDF) and its verification.",
    no_args_is_help=True,
)

ROUTE_HELP = "penalty-notice, prosecution, eso or parenting-order."
UpnArgument = Annotated[str, typer.Argument(help="The pupil's UPN.", show_default=False)]
RouteOption = Annotated[str, typer.Option("--route", "-r", help=ROUTE_HELP, show_default=False)]
FromOption = Annotated[
    dt.datetime | None,
    typer.Option(
        "--from",
        formats=DATE_FORMATS,
        help="Period start (default: 1 August).",
        callback=check_date,
    ),
]
ToOption = Annotated[
    dt.datetime | None,
    typer.Option(
        "--to",
        formats=DATE_FORMATS,
        help="Period end (default: the last marks).",
        callback=check_date,
    ),
]

_STATUS = {"met": "met", "missing": "MISSING", "not_applicable": "n/a"}
_STYLE = {"met": "green", "missing": "bold red", "not_applicable": "dim"}


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


@app.command("check")
def check(
    ctx: typer.Context,
    upn: UpnArgument,
    route: RouteOption,
    start: FromOption = None,
    end: ToOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Readiness checklist for a legal route: each item met, missing or n/a, with its evidence.
    Exit 0 when ready, 1 when not."""
    from attendance_cli.exports.render import to_jsonable
    from attendance_cli.referrals.check import check_dict, check_referral

    store, _ = common.open_db(ctx)
    result = check_referral(store, upn=upn, route=route, start=_day(start), end=_day(end))
    data = to_jsonable(check_dict(result))
    if not common.render(data, output):
        _print_check(data)
    if not result.ready:
        raise typer.Exit(int(ExitCode.CHECK_FAILED))


def _print_check(data: dict[str, Any]) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    out = common.stdout
    name = " ".join(filter(None, [data["forename"], data["surname"]]))
    period = data["period"]
    out.print(Text(f"{name} ({data['upn']}): {data['route_label']} ({data['law']})", style="bold"))
    out.print(
        f"Period {uk_date(period['from'])} to {uk_date(period['to'])} ({period['label']})",
        highlight=False,
    )
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("Item", overflow="fold", ratio=3)
    table.add_column("Status", no_wrap=True)
    table.add_column("Finding and evidence", overflow="fold", ratio=5)
    for item in data["items"]:
        lines = [item["detail"]] + [
            f"• {e['date'] + ': ' if e['date'] else ''}{e['text']}" for e in item["evidence"]
        ]
        table.add_row(
            Text(item["title"]),
            Text(_STATUS[item["status"]], style=_STYLE[item["status"]]),
            Text("\n".join(lines)),
        )
    out.print(table)
    if data["ready"]:
        out.print(Text("Ready: every item is met or not applicable.", style="bold green"))
    else:
        out.print(
            Text(f"Not ready: {plural(len(data['missing']), 'item')} missing.", style="bold red"),
        )


@app.command("export")
def export(
    ctx: typer.Context,
    upn: UpnArgument,
    route: RouteOption,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The bundle to write (.zip).", show_default=False)
    ],
    start: FromOption = None,
    end: ToOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Export although the check is not met (needs --reason).")
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace the --out file if it exists.")
    ] = False,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason", help="Why the override: printed on the cover, kept in the audit log."
        ),
    ] = None,
    copy: Annotated[
        str,
        typer.Option(
            "--copy",
            help="legal (the LA's copy, with the readiness checklist) or court (without it).",
            case_sensitive=False,
        ),
    ] = "legal",
    officer: OfficerOption = None,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Write the evidence bundle (PDF, register extract, chronology, attachments, manifest) to a
    zip; for a prosecution, with the officer's draft witness statement (CJA 1967 s.9)."""
    from attendance_cli.config import document_store, officer_name
    from attendance_cli.exports.render import to_jsonable
    from attendance_cli.referrals.bundle import build_referral_bundle
    from attendance_cli.settings import load_settings

    settings = load_settings()
    store, path = common.open_db(ctx)
    result = build_referral_bundle(
        store,
        upn=upn,
        route=route,
        out=out,
        store=document_store(path),
        officer=officer_name(officer),
        start=_day(start),
        end=_day(end),
        force=force,
        reason=reason,
        overwrite=overwrite,
        copy=copy.lower(),
        witness=settings.text("officer", "name"),
        witness_title=settings.text("officer", "job_title"),
        la_name=settings.text("la", "name"),
    )
    data = to_jsonable(result)
    if common.render(data, output):
        return
    common.stdout.print(
        f"Wrote {result.path}: {len(result.files)} files, bundle.pdf {result.pages} pages.\n"
        f"SHA-256 {result.zip_sha256}",
        highlight=False,
        markup=False,
    )
    if result.forced:
        common.stderr.print(
            f"Exported with an override (missing: {', '.join(result.missing_items)}); the reason "
            "is on the cover and in the audit log.",
            highlight=False,
            markup=False,
            style="yellow",
        )
    if result.transliterated:
        common.stderr.print(
            "Some characters were transliterated in the PDF: " + "; ".join(result.transliterated),
            highlight=False,
            markup=False,
        )


@app.command("verify")
def verify(
    ctx: typer.Context,
    bundle: Annotated[Path, typer.Argument(help="The bundle (.zip).", show_default=False)],
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """Recompute every file's SHA-256 against the bundle's manifest; exit 8 on any change."""
    from attendance_cli.config import database_location
    from attendance_cli.exports.render import to_jsonable
    from attendance_cli.referrals.bundle import verify_referral_bundle

    # look the export up in the configured database (a file or the team's server); never create
    # a database file: without one only the bundle's own consistency is checked
    location = database_location(common.state(ctx).db)
    store = None
    if not isinstance(location, Path) or location.exists():
        store, _ = common.open_db(ctx)
    result = verify_referral_bundle(bundle, conn=store)
    data = to_jsonable(result)
    if not common.render(data, output):
        if result.ok:
            common.stdout.print(
                f"Bundle intact: {result.files_checked} files match the manifest "
                f"({result.upn}, {result.route}, generated {result.generated_at}).",
                highlight=False,
                markup=False,
            )
        else:
            problems = [result.problem] if result.problem else []
            problems += [f"changed: {p}" for p in result.changed]
            problems += [f"missing: {p}" for p in result.missing]
            problems += [f"not in the manifest: {p}" for p in result.unexpected]
            problems += [f"duplicated name: {p}" for p in result.duplicates]
            problems += [f"unsafe name: {p}" for p in result.unsafe_names]
            common.stderr.print(
                "Bundle CHANGED since export:\n  " + "\n  ".join(problems),
                highlight=False,
                markup=False,
                style="red",
            )
        found = result.recorded_export
        if found:
            common.stderr.print(
                f"Export recorded in the audit log (entry {found['audit_id']}, {found['at'][:16]} "
                f"UTC, {found['officer']})"
                + ("" if found["zip_identical"] else "; the zip was re-packed since"),
                highlight=False,
                markup=False,
            )
        elif not result.audit_checked and result.problem is None:
            common.stderr.print(
                "No database: only the bundle's internal consistency was checked (its files "
                "against its own manifest). A manifest rewritten to match a replaced file is "
                "caught only against the audit log: run with the database that exported it.",
                highlight=False,
                markup=False,
            )
    if not result.ok:
        raise typer.Exit(int(ExitCode.CHECK_FAILED))
