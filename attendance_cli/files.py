"""Writing output files without destroying work or leaving hidden copies behind.

Every file att writes for the officer (workbooks, bundles, backups, letters) goes through
``output_file``: the bytes are written to a private temporary file beside the target
(``.NAME.RANDOM.att-partial``, 0600, held under an advisory lock while it is written), synced,
and only then moved to the target name. An existing file at the target is never replaced
unless the caller was given ``--force`` (``OutputExistsError`` otherwise, exit 3: nothing
written), and the
check is made again at the moment of the move (a hard link, which fails if the name was taken
meanwhile), so a file that appeared while att was working is not lost either.

A temporary file is removed when writing fails; one left by a kill or a power cut (the
``.att-partial`` names in a folder) is removed the next time att writes in that folder
(``sweep_partials``), unless another att process still holds its lock.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from attendance_cli.errors import FileProblemError, InvalidInputError

PARTIAL_SUFFIX = ".att-partial"


class OutputExistsError(InvalidInputError):
    """The output file exists and the command was not told to replace it."""


def require_input_files(paths: list[Path]) -> None:
    """Every input file named on the command line exists and is a file: a mistyped path is a
    file problem (exit 7, "No such file"), said before anything is opened or created, never a
    rejected import."""
    for path in paths:
        if not path.exists():
            raise FileProblemError(
                f"No such file: {path}",
                hint="Check the file name and folder (ls shows what is there), then run the "
                "command again; nothing was imported.",
            )
        if path.is_dir():
            raise FileProblemError(
                f"{path} is a folder, not a file",
                hint="Give the register or roster files themselves, e.g. folder/*.csv.",
            )


def check_output_path(path: Path, *, force: bool, option: str = "--force") -> Path:
    """Refuse ``path`` when it is a folder, its folder is missing, or it exists without
    ``force``. ``option`` names the flag that allows replacing it."""
    path = Path(path)
    if path.is_dir():
        raise InvalidInputError(f"{path} is a folder", hint="Give the name of the file to write.")
    if not path.parent.is_dir():
        raise InvalidInputError(
            f"The folder {path.parent} does not exist",
            hint="Create the folder first, or give a path in an existing folder.",
        )
    if os.path.lexists(path) and not force:
        raise _exists(path, option)
    return path


def _exists(path: Path, option: str) -> OutputExistsError:
    return OutputExistsError(
        f"{path} already exists; att does not overwrite files (nothing was written)",
        hint=f"Choose another name, or add {option} to replace it.",
    )


class PartialFile:
    """A private temporary file beside ``target``; ``commit`` moves it there."""

    def __init__(self, target: Path, *, force: bool, option: str = "--force") -> None:
        self.target = Path(target)
        self.force = force
        self.option = option
        folder = self.target.parent
        sweep_partials(folder)
        while True:
            name = f".{self.target.name}.{secrets.token_hex(4)}{PARTIAL_SUFFIX}"
            try:
                self.fd = os.open(
                    folder / name, os.O_CREAT | os.O_EXCL | os.O_RDWR | os.O_NOFOLLOW, 0o600
                )
            except FileExistsError:
                continue
            break
        self.path = folder / name
        os.fchmod(self.fd, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)  # tells sweep_partials this file is in use
        self.committed = False

    def commit(self) -> Path:
        """Sync the temporary file and move it to the target: atomically, and (without
        ``force``) never over a file that exists by now."""
        os.fsync(self.fd)
        if self.force:
            os.replace(self.path, self.target)
        else:
            try:
                os.link(self.path, self.target)
            except FileExistsError:
                raise _exists(self.target, self.option) from None
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP):
                    raise
                if os.path.lexists(self.target):  # no hard links here (FAT, some shares)
                    raise _exists(self.target, self.option) from None
                os.replace(self.path, self.target)
            else:
                os.unlink(self.path)
        self.committed = True
        fsync_folder(self.target.parent)
        return self.target

    def discard(self) -> None:
        if not self.committed:
            remove_quietly(self.path)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


@contextlib.contextmanager
def output_file(target: Path, *, force: bool, option: str = "--force") -> Iterator[PartialFile]:
    """``with output_file(path, force=...) as partial:`` write ``partial.path`` (or
    ``partial.fd``), then call ``partial.commit()``. Leaving the block without committing, by an
    exception, Ctrl-C or return, removes the temporary file."""
    check_output_path(target, force=force, option=option)
    partial = PartialFile(target, force=force, option=option)
    try:
        yield partial
    finally:
        partial.discard()
        partial.close()


def sweep_partials(folder: Path) -> list[Path]:
    """Remove temporary files left in ``folder`` by an att process that was killed; files
    another att process is still writing (it holds their lock) are left alone."""
    removed: list[Path] = []
    try:
        candidates = [p for p in Path(folder).iterdir() if PARTIAL_SUFFIX in p.name]
    except OSError:
        return removed
    for path in candidates:
        if not path.name.startswith("."):
            continue
        main = path.name.endswith(PARTIAL_SUFFIX)
        if main and _in_use(path):
            continue
        if not main:  # an SQLite journal of a temporary database: goes with its file
            owner = path.with_name(
                path.name[: path.name.index(PARTIAL_SUFFIX) + len(PARTIAL_SUFFIX)]
            )
            if owner.exists() and _in_use(owner):
                continue
        if remove_quietly(path):
            removed.append(path)
    return removed


def _in_use(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def remove_quietly(path: Path) -> bool:
    try:
        os.unlink(path)
    except OSError:
        return False
    return True


def fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be synced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
