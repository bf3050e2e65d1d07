"""One error tree for the whole tool, and the exit codes the CLI maps it to.

The core raises these; the CLI's error wrapper prints ``Error: message``, where it happened
(``in FILE, row N, column C``) and a ``Hint:``, then exits with the error's code. Messages must
never carry a whole register row or contact details: only the location and the offending value.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ExitCode(enum.IntEnum):
    OK = 0
    INTERNAL = 1
    USAGE = 2
    INVALID_INPUT = 3
    NOT_FOUND = 4
    REFUSED = 5
    DATABASE = 6
    FILE = 7  # a file or folder could not be read or written (permission, disk full, missing)
    # A check that ran and did not pass (att penalty check, att referral check/verify, att audit
    # verify): its own code, so a script tells "the answer is no" from a crash (1).
    CHECK_FAILED = 8
    INTERRUPTED = 130


@dataclass(frozen=True)
class Problem:
    """One bad cell or row in an input file."""

    file: str
    row: int | None
    column: str | None
    message: str
    hint: str = ""

    def location(self) -> str:
        parts = [f"in {self.file}"]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "hint": self.hint,
        }


class AttError(Exception):
    """Base of every error the core raises on purpose."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(
        self,
        message: str,
        *,
        hint: str = "",
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.file = file
        self.row = row
        self.column = column

    def location(self) -> str:
        if not self.file:
            return ""
        return Problem(self.file, self.row, self.column, self.message).location()


class UsageError(AttError):
    exit_code = ExitCode.USAGE


class InvalidInputError(AttError):
    """Input that cannot be accepted; nothing was written."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(
        self,
        message: str,
        *,
        problems: list[Problem] | None = None,
        total_problems: int | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.problems: list[Problem] = problems or []
        self.total_problems = total_problems if total_problems is not None else len(self.problems)


class NotFoundError(AttError):
    exit_code = ExitCode.NOT_FOUND


class RefusedError(AttError):
    """The request is valid but the rules forbid it."""

    exit_code = ExitCode.REFUSED


class DatabaseError(AttError):
    exit_code = ExitCode.DATABASE


class FileProblemError(AttError):
    """A file or folder could not be written or moved (exit 7, as an OSError would be)."""

    exit_code = ExitCode.FILE
