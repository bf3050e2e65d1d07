"""``att audit``: who changed what in casework, and a check that the log is intact."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from attendance_cli.cli import common
from attendance_cli.cli.options import FormatOption
from attendance_cli.errors import ExitCode
from attendance_cli.exports.render import OutputFormat
from attendance_cli.text import plural

AUDIT_KEYS = ["id", "at", "officer", "action", "entity", "entity_id", "upn", "detail", "erased"]


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
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor",
            help="With verify: an earlier chain head (ID:HASH as verify printed it, or HASH, "
            "e.g. from a bundle's manifest or a backup); fails if it is not in the chain.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """The audit log of casework changes (att audit [UPN]); `att audit verify` checks it is intact."""
    from attendance_cli.cases.audit import list_audit, parse_anchor, verify_audit
    from attendance_cli.errors import UsageError
    from attendance_cli.exports.render import to_jsonable

    is_verify = target is not None and target.lower() == "verify"
    if anchor is not None and not is_verify:
        raise UsageError("--anchor goes with `att audit verify`")
    parsed = parse_anchor(anchor) if anchor is not None else None
    store, _ = common.open_db(ctx)
    if is_verify:
        check = verify_audit(store, anchor=parsed)
        data = {**to_jsonable(check), "head": check.head}
        if not common.render(data, output if output != OutputFormat.csv else OutputFormat.json):
            _print_check(check)
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
    if not rows:
        common.stdout.print("No audit entries.")
        return
    import textwrap

    from attendance_cli.cases.audit import ERASED
    from attendance_cli.text import uk_date, uk_dates_in

    # a line per entry (id, time, officer, action, entity, UPN: none of them broken), its
    # detail wrapped under it at word boundaries: readable at 80 columns
    width = max(40, common.stdout.width)
    header = f"{'Id':>4}  {'At (UTC)':<16}  Officer, action, entity, UPN"
    lines = [header, "-" * min(width, 78)]
    for row in rows:
        entity = f"{row['entity']} {row['entity_id'] or ''}".strip()
        lines += textwrap.wrap(  # a long action or entity name goes on under the time
            f"{row['id']:>4}  {uk_date(row['at'])[:16]:<16}  {row['officer']}  {row['action']}  "
            f"{entity}  {row['upn'] or ''}".rstrip(),
            width,
            subsequent_indent=" " * 24,
            break_long_words=False,
            break_on_hyphens=False,
        )
        detail = (
            ERASED
            if row["erased"]
            else "; ".join(
                f"{k}={str(v)[:16] + '…' if k.endswith('sha256') else uk_dates_in(str(v))}"
                for k, v in row["detail"].items()
                if v not in (None, "")
            )
        )
        lines += textwrap.wrap(
            detail,
            width,
            initial_indent=" " * 6,
            subsequent_indent=" " * 8,
            break_long_words=False,
            break_on_hyphens=False,
        )
    common.stdout.print("\n".join(lines), highlight=False, markup=False, soft_wrap=True)


def _print_check(check: Any) -> None:
    from rich.text import Text

    if check.first_broken_id is None:
        common.stdout.print(
            f"Hash chain intact: {plural(check.entries, 'entry')}; "
            f"{plural(check.rows_checked, 'casework row')} checked against the log.",
            highlight=False,
        )
        if check.erased_details:
            common.stdout.print(
                f"Detail erased from {plural(check.erased_details, 'entry')} (each "
                "covered by an erasure entry).",
                highlight=False,
            )
    else:
        common.stderr.print(
            f"Audit log BROKEN at entry {check.first_broken_id}: {check.problem}.",
            highlight=False,
            markup=False,
            style="red",
        )
    for found in check.detail_problems:
        common.stderr.print(Text(f"{found.message}.", style="red"))
    if check.detail_problem_count > len(check.detail_problems):
        common.stderr.print(
            f"… and {check.detail_problem_count - len(check.detail_problems)} more entries.",
            highlight=False,
        )
    for problem in check.row_problems:
        pupil = f" (pupil {problem.upn})" if problem.upn else ""
        common.stderr.print(
            Text(f"{problem.table} {problem.row_id}{pupil} {problem.message}.", style="red")
        )
    if check.row_problem_count > len(check.row_problems):
        common.stderr.print(
            f"… and {check.row_problem_count - len(check.row_problems)} more casework rows.",
            highlight=False,
        )
    if check.anchor is not None:
        if check.anchor_found:
            common.stdout.print(f"Anchor {check.anchor} found in the chain.", highlight=False)
        else:
            common.stderr.print(
                f"Anchor {check.anchor} is NOT in the chain at its place: the log was "
                "truncated or rebuilt since that head was taken.",
                highlight=False,
                style="red",
            )
    common.stdout.print(f"Chain head: {check.head}", highlight=False, soft_wrap=True)
    if check.ok:
        common.stdout.print("Audit log and casework verified.", highlight=False)
