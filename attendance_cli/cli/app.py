"""The ``att`` command: a thin Typer front end over the importable core.

Heavy libraries (SQLAlchemy, Alembic, openpyxl, pyarrow, numpy, questionary) are imported inside
commands only, so ``att --help`` starts fast (a test guards this).
"""

from __future__ import annotations

import sys
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


app = typer.Typer(
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


def _version(value: bool) -> None:
    if value:
        typer.echo(f"att {__version__}")
        raise typer.Exit()


@app.callback()
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


def _register() -> None:
    import attendance_cli.cli.letters as letters_cli
    import attendance_cli.cli.referral as referral_cli
    from attendance_cli.cli import audit, cases, database, demo, importing, penalty, privacy, tsm
    from attendance_cli.cli import codes as codes_cli
    from attendance_cli.cli import columns as columns_cli
    from attendance_cli.cli import requests as requests_cli
    from attendance_cli.cli import team as team_cli
    from attendance_cli.cli import views as views_cli

    importing.register(app)
    codes_cli.register(app)
    app.add_typer(columns_cli.app, name="columns")
    app.add_typer(tsm.app, name="tsm")
    app.add_typer(cases.app, name="case")
    audit.register(app)
    app.add_typer(referral_cli.app, name="referral")
    app.add_typer(database.app, name="db")
    app.add_typer(penalty.app, name="penalty")
    penalty.app.add_typer(requests_cli.app, name="request")  # att penalty request ...
    app.add_typer(letters_cli.app, name="letter")
    app.add_typer(privacy.app, name="privacy")
    app.add_typer(team_cli.app, name="team")
    app.command("tasks")(team_cli.tasks_command)
    tsm.app.command("status")(team_cli.tsm_status_command)  # issue 16, in cli/team.py
    demo.register(app)
    views_cli.register(app)


_register()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - Ctrl-C outside a command
        sys.exit(int(ExitCode.INTERRUPTED))
