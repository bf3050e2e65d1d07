"""``att audit``: who changed what in casework, and a check that the log is intact."""

from __future__ import annotations

from typing import Annotated

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import FormatOption
from attendance_cli.errors import ExitCode
from attendance_cli.exports.render import OutputFormat
from attendance_cli.text import plural

AUDIT_KEYS = ["id", "at", "officer", "action", "entity", "entity_id", "upn", "detail"]


def register(app: typer.Typer) -> None:
    app.command("audit")(audit_command)


def audit_command(
    ctx: typer.Context,
    target: Annotated[
        str | None,
        typer.Argument(
            help="A UPN to show only that pupil's entries, or `verify` to check the chain.",
            show_default=False,
        ),
    ] = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """The audit log of casework changes (att audit [UPN]); `att audit verify` checks it is intact."""
    from attendance_cli.cases.audit import list_audit, verify_audit
    from attendance_cli.exports.render import to_jsonable

    store, _ = common.open_db(ctx)
    if target is not None and target.lower() == "verify":
        check = verify_audit(store)
        data = to_jsonable(check)
        if not common.render(data, output if output != OutputFormat.csv else OutputFormat.json):
            if check.ok:
                common.stdout.print(
                    f"Audit log intact: {plural(check.entries, 'entry')}, hash chain verified.",
                    highlight=False,
                )
            else:
                common.stderr.print(
                    f"Audit log BROKEN at entry {check.first_broken_id}: {check.problem}.",
                    highlight=False,
                    markup=False,
                    style="red",
                )
        if not check.ok:
            raise typer.Exit(int(ExitCode.CHECK_FAILED))
        return
    upn = None
    if target is not None:
        from attendance_cli.cases.case import find_pupil

        upn = find_pupil(store, target).upn
    rows = to_jsonable(list_audit(store, upn=upn))
    if output == OutputFormat.csv:
        import json

        rows = [{**row, "detail": json.dumps(row["detail"], ensure_ascii=False)} for row in rows]
    if common.render(rows, output, rows=rows, columns=AUDIT_KEYS):
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    if not rows:
        common.stdout.print("No audit entries.")
        return
    table = Table(box=box.SIMPLE_HEAD)
    for title in ("Id", "At (UTC)", "Officer", "Action", "Entity", "UPN", "Detail"):
        table.add_column(title, overflow="fold", no_wrap=title in ("Id", "At (UTC)", "UPN"))
    for row in rows:
        detail = "; ".join(
            f"{k}={str(v)[:16] + '…' if k.endswith('sha256') else v}"
            for k, v in row["detail"].items()
            if v not in (None, "")
        )
        table.add_row(
            str(row["id"]),
            row["at"][:16],
            Text(row["officer"]),
            row["action"],
            f"{row['entity']} {row['entity_id'] or ''}".strip(),
            row["upn"] or "",
            Text(detail),
        )
    common.stdout.print(table)
