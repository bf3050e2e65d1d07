"""Helpers for the reliability tests: register files big enough to take a while to import,
running the installed ``att`` in a subprocess, and reading what a database holds."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from attendance_cli.identifiers import make_upn
from tests.helpers import SCHOOL, weekdays

CODES = "////////\\\\\\\\NLIMGU"  # mostly present, some absence, one in ten a code


def write_big_marks_csv(
    path: Path, *, pupils: int, days: int, school: str = SCHOOL, first: int = 0
) -> int:
    """A marks-layout CSV (one row per pupil per session) for ``pupils`` pupils over ``days``
    school days from 1 September 2025; returns the number of marks (rows) written."""
    dates = weekdays(dt.date(2025, 9, 1), days)
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["UPN", "Surname", "Forename", "Year", "LAESTAB", "Date", "Session", "Mark"]
        )
        for number in range(first, first + pupils):
            upn = make_upn(899, 2001, 10 + number // 1000, number % 1000)
            for day_number, day in enumerate(dates):
                iso = day.isoformat()
                for session in ("AM", "PM"):
                    code = CODES[(number * 7 + day_number * 3 + len(session)) % len(CODES)]
                    writer.writerow(
                        [upn, f"Pupil{number}", "Test", "9", school, iso, session, code]
                    )
                    rows += 1
    return rows


NOBODY = 65534


def att_command(
    *args: str, db: Path, file_size_limit: int | None = None, python: str = sys.executable
) -> list[str]:
    """The command line running ``att``; with ``file_size_limit`` no file it writes may grow
    past that many bytes (RLIMIT_FSIZE, with SIGXFSZ ignored so writes fail with EFBIG): a full
    disk, as far as the program can tell, without root or a tiny file system."""
    att_args = ["--db", str(db), *args]
    if file_size_limit is None:
        return [python, "-m", "attendance_cli", *att_args]
    launcher = (
        "import resource, runpy, signal, sys; "
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({file_size_limit}, {file_size_limit})); "
        "sys.argv = ['att', *sys.argv[1:]]; "
        "runpy.run_module('attendance_cli', run_name='__main__')"
    )
    return [python, "-c", launcher, *att_args]


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "120"})
    env.update(extra)
    return env


@functools.cache
def unprivileged_python() -> tuple[str, str] | None:
    """(interpreter, PYTHONPATH) with which nobody can run this checkout's att, when the tests
    run as root: root ignores file modes, so permission tests must drop to another user. The
    virtualenv's interpreter may be a link into root's home, which nobody cannot follow, so
    interpreters of the same Python version are tried with this process's import path."""
    import attendance_cli

    expected = str(Path(attendance_cli.__file__).resolve())
    path = os.pathsep.join([str(Path(expected).parents[1]), *(p for p in sys.path if p)])
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [sys.executable, os.path.realpath(sys.executable)]
    candidates += [found for found in (shutil.which(version), f"/usr/bin/{version}") if found]
    probe = (
        "import attendance_cli, pyarrow, python_calamine, typer, pathlib; "
        "print(pathlib.Path(attendance_cli.__file__).resolve())"
    )
    for python in dict.fromkeys(candidates):
        try:
            result = subprocess.run(
                [python, "-c", probe],
                user=NOBODY,
                group=NOBODY,
                extra_groups=[],
                capture_output=True,
                text=True,
                cwd="/",
                env=child_env(PYTHONPATH=path),
                timeout=60,
            )
        except OSError:
            continue
        if result.returncode == 0 and result.stdout.strip() == expected:
            return python, path
    return None


def run_att(
    *args: str,
    db: Path,
    file_size_limit: int | None = None,
    unprivileged: bool = False,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``att`` in a subprocess; ``unprivileged`` runs it as nobody when the tests run as
    root (see unprivileged_python)."""
    user: dict[str, object] = {}
    python, env = sys.executable, child_env()
    if unprivileged and os.geteuid() == 0:
        found = unprivileged_python()
        assert found is not None, "use the user_folder fixture: it skips when nobody cannot run att"
        python, env = found[0], child_env(PYTHONPATH=found[1])
        user = {"user": NOBODY, "group": NOBODY, "extra_groups": [], "cwd": "/"}
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        att_command(*args, db=db, file_size_limit=file_size_limit, python=python),
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        **user,
    )


def hand_over(folder: Path) -> None:
    """When running as root, give ``folder`` and everything in it to nobody (see run_att)."""
    if os.geteuid() != 0:
        return
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, NOBODY, NOBODY)


def _reader(database: Any) -> Any:
    """A plain connection: sqlite3's to a file (no att settings: a backup stays as it is), or
    the server database's."""
    if isinstance(database, Path):
        return sqlite3.connect(database)
    from tests.helpers import connect_to

    return connect_to(database)


def integrity(path: Any) -> list[str]:
    """SQLite's integrity check of the file; on PostgreSQL (the server keeps its own pages
    whole) that every one of att's tables can be read through."""
    conn = _reader(path)
    try:
        if isinstance(path, Path):
            return [row[0] for row in conn.execute("PRAGMA integrity_check")]
        from attendance_cli.db.models import metadata

        for table in metadata.tables:
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        return ["ok"]
    finally:
        conn.close()


def marks_held(path: Any) -> int:
    """How many marks the database holds (characters other than the no-mark filler)."""
    from attendance_cli.codes import NO_MARK

    conn = _reader(path)
    try:
        return sum(
            len(text) - text.count(NO_MARK)
            for (text,) in conn.execute("SELECT marks FROM mark_year")
        )
    finally:
        conn.close()


def table_counts(
    path: Any, tables: Sequence[str] = ("pupil", "enrolment", "mark_year", "import_log")
) -> dict[str, int]:
    conn = _reader(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        conn.close()
