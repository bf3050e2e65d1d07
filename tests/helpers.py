"""Small builders for register files used across tests."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attendance_cli.identifiers import make_upn

if TYPE_CHECKING:
    from attendance_cli.store import Store

UPN1 = make_upn(899, 2001, 15, 1)
UPN2 = make_upn(899, 2001, 15, 2)
UPN3 = make_upn(899, 2001, 15, 3)
SCHOOL = "8992001"


def write_csv(
    path: Path, rows: list[list[Any]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[Any]], sheet: str = "Sheet1") -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    workbook.save(path)
    return path


def weekdays(start: dt.date, count: int) -> list[dt.date]:
    days = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _raw(conn: Any) -> Any:
    """The raw connection of a Store (the ``conn`` fixtures), or ``conn`` itself when it is one
    (a test's own ``connect(...)``), for checking rows with SQL."""
    from attendance_cli.store import Store

    return conn.connection if isinstance(conn, Store) else conn


def stored_year(conn: Any, upn: str, year: int = 2025) -> str:
    row = (
        _raw(conn)
        .execute(
            "SELECT m.marks FROM mark_year m JOIN enrolment e ON e.id = m.enrolment_id "
            "JOIN pupil p ON p.id = e.pupil_id WHERE p.upn = ? AND m.academic_year = ?",
            (upn, year),
        )
        .fetchone()
    )
    return row[0] if row else ""


def counts(conn: Any) -> dict[str, int]:
    return {
        table: _raw(conn).execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in (
            "school",
            "pupil",
            "enrolment",
            "contact",
            "mark_year",
            "mark_change",
            "import_log",
        )
    }


def audit_rows_written_by_tests(conn: Store) -> int:
    """Give every casework row a test wrote straight to its table (SQL, not att) an audit entry
    ``test_fixture``, as att would have written with the change, so ``att audit verify`` and
    the referral export see the fixture as genuine casework. Returns how many rows it entered."""
    from attendance_cli.cases.audit import record_audit, row_problems
    from attendance_cli.cases.audited_tables import audited_table
    from attendance_cli.store import transaction

    problems = row_problems(conn)
    with transaction(conn):
        for problem in problems:
            entity = audited_table(problem.table)
            assert entity is not None and problem.problem in ("unaudited", "changed"), problem
            record_audit(
                conn,
                officer="test fixture",
                action="test_fixture",
                entity=entity.entity,
                entity_id=problem.row_id,
                upn=problem.upn,
                row=(problem.table, problem.row_id),
            )
    return len(problems)


def connect_to(database: Any) -> Any:
    """Another connection to a test's database, on either engine (``db_path`` is a file, or a
    ``ServerDatabase`` in a test's ``[postgresql]`` run): for checking what another officer
    sees. The caller closes it."""
    if isinstance(database, Path):
        from attendance_cli.db.engine import connect

        return connect(database)
    from attendance_cli.db import postgres

    return postgres.connect(database)


def is_postgres(database: Any) -> bool:
    return not isinstance(database, Path)


def database_contents(database: Any) -> Any:
    """What a test's database holds, to compare before and after a command that must change
    nothing: the file's bytes on SQLite; on PostgreSQL every table's rows (in id order) with
    the schema revision, read on a connection of its own."""
    if not is_postgres(database):
        return database.read_bytes()
    from attendance_cli.db.models import metadata

    conn = connect_to(database)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in [*sorted(metadata.tables), "alembic_version"]
        }
    finally:
        conn.close()
