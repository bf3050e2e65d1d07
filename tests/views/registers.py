"""Tiny hand-made registers for the views' tests: one CSV of marks per school, imported for real."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from attendance_cli.registers.importer import import_registers
from tests.helpers import weekdays, write_csv

MONDAY = dt.date(2025, 9, 1)  # 2025/26, 2024 code set


def import_marks(
    conn: sqlite3.Connection,
    tmp_path: Path,
    school: str,
    codes_by_upn: dict[str, list[str]],
    *,
    first: dt.date = MONDAY,
    name: str | None = None,
) -> None:
    """Import ``codes_by_upn`` (AM, PM, AM, PM, ... from ``first``, weekdays only) for a school."""
    rows: list[list[str]] = [["UPN", "Date", "Session", "Mark"]]
    for upn, codes in codes_by_upn.items():
        days = weekdays(first, (len(codes) + 1) // 2)
        for i, code in enumerate(codes):
            rows.append([upn, days[i // 2].isoformat(), "AM" if i % 2 == 0 else "PM", code])
    path = write_csv(tmp_path / f"{name or school}.csv", rows)
    result = import_registers(conn, paths=[path], school=school)
    assert result.ok, [p for f in result.files for p in f.problems]


def attended(sessions: int) -> list[str]:
    return ["/", "\\"] * (sessions // 2) + ["/"] * (sessions % 2)
