"""Helpers for the reliability tests: register files big enough to take a while to import,
running the installed ``att`` in a subprocess, and reading what a database holds."""

from __future__ import annotations

import csv
import datetime as dt
import os
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

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


def att_command(*args: str, db: Path) -> list[str]:
    return [sys.executable, "-m", "attendance_cli", "--db", str(db), *args]


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "120"})
    env.update(extra)
    return env


def run_att(
    *args: str, db: Path, cwd: Path | None = None, timeout: float = 120, **popen: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        att_command(*args, db=db),
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=cwd,
        timeout=timeout,
        **popen,
    )


def integrity(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def marks_held(path: Path) -> int:
    """How many marks the database holds (characters other than the no-mark filler)."""
    from attendance_cli.codes import NO_MARK

    conn = sqlite3.connect(path)
    try:
        return sum(
            len(text) - text.count(NO_MARK)
            for (text,) in conn.execute("SELECT marks FROM mark_year")
        )
    finally:
        conn.close()


def table_counts(
    path: Path, tables: Sequence[str] = ("pupil", "enrolment", "mark_year", "import_log")
) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        conn.close()
