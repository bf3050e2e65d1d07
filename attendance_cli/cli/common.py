"""Shared CLI plumbing: global state, consoles, opening the database, printing errors."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.segment import Segment

from attendance_cli.errors import AttError, InvalidInputError, Problem

if TYPE_CHECKING:
    from attendance_cli.exports.render import OutputFormat, RecordFormat
    from attendance_cli.store import Store


class ScreenConsole(Console):
    """A rich Console that removes terminal control characters from the text it shows
    (``exports.safety.screen_text``): every table, record, message and error on screen goes
    through one, whatever the data holds. rich's own control segments (and its styles, added
    after this point) are left alone; JSON and CSV are written with ``emit``, unchanged."""

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        from attendance_cli.exports.safety import screen_text

        return super()._render_buffer(
            segment if segment.control else Segment(screen_text(segment.text), segment.style)
            for segment in buffer
        )


stdout = ScreenConsole(soft_wrap=False)
stderr = ScreenConsole(stderr=True, soft_wrap=True)

PROBLEMS_SHOWN = 50


@dataclass
class State:
    db: str | None = None
    debug: bool = False


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


def open_db(ctx: typer.Context, *, create: bool = False) -> tuple[Store, Path]:
    """Open the database named by --db / ATT_DB / the default as a store, upgrading it if
    needed; what happened (created, upgraded, exposed) is reported on stderr. Only the
    commands that write a database from nothing (import, db init, db upgrade) pass ``create``;
    for every other command a missing database is an error saying how to make one."""
    from attendance_cli.config import database_location
    from attendance_cli.store import open_store

    path = database_location(state(ctx).db)
    store, result = open_store(path, create=create)
    ctx.call_on_close(store.close)  # a server connection is closed, not left to the GC
    from attendance_cli.config import set_server_role
    from attendance_cli.store.team import current_role

    set_server_role(current_role(store))  # the officer on PostgreSQL (team.py)
    for warning in result.warnings:
        stderr.print(f"[yellow]Warning:[/] {warning}", highlight=False)
    if result.created:
        stderr.print(f"Created a new database at {path}", highlight=False)
    if result.upgraded_from:
        kept = f"; the old file was kept as {result.backup}" if result.backup else ""
        stderr.print(
            f"Upgraded the database from schema {result.upgraded_from}{kept}",
            highlight=False,
        )
    return store, path  # type: ignore[return-value]  # a ServerDatabase on PostgreSQL


def print_problem(problem: Problem) -> None:
    stderr.print(f"  {problem.location()}: {problem.message}", highlight=False, markup=False)
    if problem.hint:
        stderr.print(f"    Hint: {problem.hint}", highlight=False, markup=False)


def print_problems(problems: list[Problem], total: int) -> None:
    for problem in problems[:PROBLEMS_SHOWN]:
        print_problem(problem)
    if total > min(len(problems), PROBLEMS_SHOWN):
        stderr.print(
            f"  ... and {total - min(len(problems), PROBLEMS_SHOWN)} more", highlight=False
        )


def report_error(exc: AttError) -> None:
    stderr.print(f"Error: {exc.message}", highlight=False, markup=False, style="red")
    where = exc.location()
    if where:
        stderr.print(f"  {where}", highlight=False, markup=False)
    if isinstance(exc, InvalidInputError) and exc.problems:
        print_problems(exc.problems, exc.total_problems)
    if exc.hint:
        stderr.print(f"Hint: {exc.hint}", highlight=False, markup=False)


def echo_screen(text: str) -> None:
    """A plain line for people (not data) on stdout, control characters removed."""
    from attendance_cli.exports.safety import screen_text

    typer.echo(screen_text(text))


def print_warnings(warnings: Iterable[str]) -> None:
    """A core result's warnings on stderr, its ISO dates in the screen's UK style."""
    from attendance_cli.text import uk_dates_in

    for warning in warnings:
        stderr.print(
            f"Warning: {uk_dates_in(warning)}", highlight=False, markup=False, style="yellow"
        )


def emit(text: str) -> None:
    """Print a result (JSON/CSV) to stdout exactly as given."""
    typer.echo(text, nl=not text.endswith("\n"))


def render(
    value: Any,
    output: OutputFormat | RecordFormat,
    *,
    rows: list[dict[str, Any]] | None = None,
    columns: list[str] | None = None,
) -> bool:
    """Print ``value`` as JSON or ``rows`` as CSV; returns False when the caller must draw the
    table itself (output is ``table``)."""
    from attendance_cli.exports.render import OutputFormat, csv_text, json_text

    if output == OutputFormat.json:
        emit(json_text(value))
        return True
    if output == OutputFormat.csv:
        if rows is None or columns is None:
            raise typer.BadParameter(
                "csv output is for lists; use --format json", param_hint="--format"
            )
        emit(csv_text(rows, columns))
        return True
    return False


def no_color() -> bool:
    return bool(os.environ.get("NO_COLOR"))
