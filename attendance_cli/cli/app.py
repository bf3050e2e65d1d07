"""The ``att`` command: a thin Typer front end over the importable core.

Heavy libraries (SQLAlchemy, Alembic, openpyxl, pyarrow, numpy, questionary) are imported inside
commands only, so ``att --help`` starts fast (a test guards this).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperGroup

from attendance_cli import __version__
from attendance_cli.cli import common
from attendance_cli.errors import AttError, ExitCode


class AttGroup(TyperGroup):
    """Turns every AttError (and Ctrl-C, and locked databases) into a message and an exit code;
    anything else is an internal error, shown as a traceback only with --debug. Made once the
    whole command tree is built, it gives every command its examples and word metavars
    (``cli.help``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from attendance_cli.cli.help import polish_commands

        polish_commands(self)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except AttError as exc:
            common.report_error(exc)
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            common.stderr.print("Interrupted: nothing from the unfinished step was written.")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except OSError as exc:
            if common.state(ctx).debug:
                raise
            where = f" ({exc.filename})" if exc.filename else ""
            common.report_error(
                AttError(
                    f"{exc.strerror or exc}{where}",
                    hint="Check the path, disk space and permissions.",
                )
            )
            raise typer.Exit(int(ExitCode.FILE)) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:
            if common.state(ctx).debug or _click_exception(exc):
                raise
            from attendance_cli.store.errors import database_error

            described = database_error(exc)  # the driver's error, SQLite's or PostgreSQL's
            if described is not None:
                common.report_error(described)
                raise typer.Exit(int(ExitCode.DATABASE)) from None
            common.stderr.print(
                f"Internal error: {type(exc).__name__}. This is a bug in att; "
                "re-run with --debug for details to report.",
                highlight=False,
                markup=False,
            )
            raise typer.Exit(int(ExitCode.INTERNAL)) from None


def _click_exception(exc: Exception) -> bool:
    """Usage errors raised by Typer's own (vendored) click: let Typer print them."""
    return any(cls.__name__ == "ClickException" for cls in type(exc).__mro__)


def _make_app() -> typer.Typer:
    made = typer.Typer(
        cls=AttGroup,
        name="att",
        help="att: school attendance for local-authority attendance officers "
        "(registers, Targeting Support Meetings, casework, legal referrals).",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        rich_markup_mode=None,
        # help uses the terminal's full width (click stops at 80 columns unless told)
        context_settings={"max_content_width": 200},
    )
    made.callback()(root)
    return made


def _version(value: bool) -> None:
    if value:
        typer.echo(f"att {__version__}")
        raise typer.Exit()


def root(
    ctx: typer.Context,
    db: str = typer.Option(
        None,
        "--db",
        help="Database file (default: $ATT_DB, else att.sqlite in your user data folder).",
        show_default=False,
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for internal errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    ctx.obj = common.State(db=db, debug=debug)


# Each top-level command or group, in the order ``att --help`` lists them, with the function that
# registers it (importing only its own module). ``main`` registers only the one invoked: building
# all 57 commands and importing every command module cost ~0.06 s of every run
# (bench/bench_commands.py); ``app`` (tests, ``att --help``) has them all. A test checks this
# table names every command of the full tree.
def _import(into: typer.Typer) -> None:
    from attendance_cli.cli import importing

    importing.register(into)


def _codes(into: typer.Typer) -> None:
    from attendance_cli.cli import codes

    codes.register(into)


def _columns(into: typer.Typer) -> None:
    from attendance_cli.cli import columns

    into.add_typer(columns.app, name="columns")


def _tsm(into: typer.Typer) -> None:
    from attendance_cli.cli import team, tsm

    if not any(c.name == "status" for c in tsm.app.registered_commands):
        tsm.app.command("status")(team.tsm_status_command)  # issue 16, in cli/team.py
    into.add_typer(tsm.app, name="tsm")


def _case(into: typer.Typer) -> None:
    from attendance_cli.cli import cases

    into.add_typer(cases.app, name="case")


def _audit(into: typer.Typer) -> None:
    from attendance_cli.cli import audit

    audit.register(into)


def _referral(into: typer.Typer) -> None:
    import attendance_cli.cli.referral as referral

    into.add_typer(referral.app, name="referral")


def _db(into: typer.Typer) -> None:
    from attendance_cli.cli import database

    into.add_typer(database.app, name="db")


def _penalty(into: typer.Typer) -> None:
    from attendance_cli.cli import penalty
    from attendance_cli.cli import requests as requests_cli

    if not any(g.name == "request" for g in penalty.app.registered_groups):
        penalty.app.add_typer(requests_cli.app, name="request")  # att penalty request ...
    into.add_typer(penalty.app, name="penalty")


def _letter(into: typer.Typer) -> None:
    import attendance_cli.cli.letters as letters

    into.add_typer(letters.app, name="letter")


def _privacy(into: typer.Typer) -> None:
    from attendance_cli.cli import privacy

    into.add_typer(privacy.app, name="privacy")


def _team(into: typer.Typer) -> None:
    from attendance_cli.cli import team

    into.add_typer(team.app, name="team")


def _tasks(into: typer.Typer) -> None:
    from attendance_cli.cli import team

    into.command("tasks")(team.tasks_command)


def _demo(into: typer.Typer) -> None:
    from attendance_cli.cli import demo

    demo.register(into)


def _schools(into: typer.Typer) -> None:
    from attendance_cli.cli import schools

    into.command("schools")(schools.schools)


def _pupil(into: typer.Typer) -> None:
    from attendance_cli.cli import pupil

    into.add_typer(pupil.app, name="pupil")


def _report(into: typer.Typer) -> None:
    from attendance_cli.cli import report

    into.add_typer(report.app, name="report")


COMMANDS: dict[str, Callable[[typer.Typer], None]] = {
    "import": _import,
    "codes": _codes,
    "columns": _columns,
    "tsm": _tsm,
    "case": _case,
    "audit": _audit,
    "referral": _referral,
    "db": _db,
    "penalty": _penalty,
    "letter": _letter,
    "privacy": _privacy,
    "team": _team,
    "tasks": _tasks,
    "demo": _demo,
    "schools": _schools,
    "pupil": _pupil,
    "report": _report,
}


def build_app(command: str | None = None) -> typer.Typer:
    """The ``att`` app with every command, or with only the top-level ``command`` given."""
    made = _make_app()
    for name, register in COMMANDS.items():
        if command is None or name == command:
            register(made)
    return made


_ROOT_OPTIONS_WITH_VALUE = frozenset({"--db"})


def invoked_command(args: list[str]) -> str | None:
    """The top-level command named in ``args`` (after the root options), or None when there is
    none or it is not one of ``COMMANDS`` (then the whole app answers: help, a misspelling)."""
    at = 0
    while at < len(args):
        arg = args[at]
        if arg in _ROOT_OPTIONS_WITH_VALUE:
            at += 2
            continue
        if arg.startswith("-"):
            at += 1
            continue
        return arg if arg in COMMANDS else None
    return None


def __getattr__(name: str) -> Any:
    """``app``: the whole command tree, built on first use (tests and library callers)."""
    if name == "app":
        full = build_app()
        globals()["app"] = full
        return full
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """The ``att`` entry point: builds only the command group invoked (see ``COMMANDS``)."""
    try:
        build_app(invoked_command(sys.argv[1:]))()
    except KeyboardInterrupt:  # pragma: no cover - Ctrl-C outside a command
        sys.exit(int(ExitCode.INTERRUPTED))
