"""Asking for what a command was not given: questionary on a terminal, a clear error otherwise.

Every prompt has an option, so scripts never meet a prompt: when stdin is not a terminal the
command fails with exit code 2 listing the options it still needs. Tests drive the prompts
through prompt_toolkit's pipe input by setting ``PROMPT_IO`` (input, output) and ``FORCE_TTY``.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from typing import Any

from attendance_cli.errors import ExitCode, UsageError

# test seam: (prompt_toolkit input, output) for questionary, and whether to behave as a terminal
PROMPT_IO: tuple[Any, Any] | None = None
FORCE_TTY: bool | None = None


class Cancelled(UsageError):
    exit_code = ExitCode.INTERRUPTED


def interactive() -> bool:
    if FORCE_TTY is not None:
        return FORCE_TTY
    return sys.stdin.isatty()


def require(missing: Sequence[str], *, command: str) -> None:
    """Fail (exit 2) listing the options still needed, when no one can be asked."""
    if missing and not interactive():
        raise UsageError(
            f"Missing {', '.join(missing)}",
            hint=f"Give {'them' if len(missing) > 1 else 'it'} as options to `att {command}`, "
            "or run it in a terminal to be asked.",
        )


def _io() -> dict[str, Any]:
    """Questions go to stderr, so ``--format json > out.json`` stays pure JSON."""
    if PROMPT_IO is None:
        from prompt_toolkit.output import create_output

        return {"output": create_output(stdout=sys.stderr)}
    return {"input": PROMPT_IO[0], "output": PROMPT_IO[1]}


def _answer(question: Any) -> Any:
    answer = question.ask()
    if answer is None:  # Ctrl-C or Esc
        raise Cancelled("Cancelled: nothing was recorded.")
    return answer


def select(message: str, choices: Sequence[str], default: str | None = None) -> str:
    import questionary

    return str(
        _answer(questionary.select(message, choices=list(choices), default=default, **_io()))
    )


def text(message: str, *, default: str = "", required: bool = False) -> str | None:
    import questionary

    def validate(value: str) -> bool | str:
        return bool(value.strip()) or not required or "Please type something."

    value = str(_answer(questionary.text(message, default=default, validate=validate, **_io())))
    return value.strip() or None


DATE_HINT = "Use a date like 30/11/2025 or 2025-11-30."


def parse_date(value: str) -> dt.date:
    """ISO (2025-11-03) or UK (03/11/2025) dates, as registers are read (``registers.values``)."""
    from attendance_cli.registers.values import parse_date as parse_register_date

    found, _ = parse_register_date(value)
    if found is None:
        raise ValueError(f"{value.strip()!r} is not a date. {DATE_HINT}")
    return found


def date(message: str, *, default: dt.date | None = None, required: bool = False) -> dt.date | None:
    """Ask for a date. The default is shown in the question, not typed into the answer, so what
    the officer types replaces it rather than running on from it; Enter alone takes it."""
    import questionary

    if default is not None:
        message = f"{message} (Enter for {default:%d/%m/%Y})"

    def validate(value: str) -> bool | str:
        if not value.strip():
            return default is not None or not required or "Please give a date."
        try:
            parse_date(value)
        except ValueError as exc:
            return str(exc)
        return True

    value = str(_answer(questionary.text(message, validate=validate, **_io())))
    return parse_date(value) if value.strip() else default


def confirm(message: str, *, flag: str, command: str) -> None:
    """Ask yes/no on a terminal (no is ``Cancelled``); without one, fail (exit 2) naming the
    flag that answers yes."""
    if not interactive():
        raise UsageError(
            f"{message} needs confirming",
            hint=f"Add {flag} to `att {command}` to go ahead without being asked.",
        )
    import questionary

    if not _answer(questionary.confirm(message, default=False, **_io())):
        raise Cancelled("Cancelled: nothing was changed.")
