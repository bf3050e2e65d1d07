"""Issue 11, "one store": SQL and database drivers live in store/ (and db/, which opens and
migrates); every other module works with a Store and typed records."""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import attendance_cli
from attendance_cli.errors import DatabaseError
from attendance_cli.store.errors import database_error

PACKAGE = Path(attendance_cli.__file__).parent
DRIVERS = {"sqlite3", "psycopg"}
RUNS_SQL = {"execute", "executemany", "executescript"}


def _outside_the_store() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in ("store", "db")
    )


def _findings(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{path.relative_to(PACKAGE)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found += [f"{where} imports {a.name}" for a in node.names if a.name in DRIVERS]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in DRIVERS:
            found.append(f"{where} imports from {node.module}")
        elif isinstance(node, ast.Attribute) and node.attr in RUNS_SQL:
            found.append(f"{where} runs .{node.attr}()")
        elif isinstance(node, ast.Attribute) and node.attr == "connection":
            found.append(f"{where} reaches for a raw .connection")
    return found


def test_no_module_outside_the_store_runs_sql_or_imports_a_driver() -> None:
    modules = _outside_the_store()
    assert len(modules) > 50  # the walk found the package (cli/, cases/, views/, ...)
    assert [f for path in modules for f in _findings(path)] == []


def test_a_driver_error_becomes_a_database_error_in_an_officers_words() -> None:
    described = database_error(sqlite3.OperationalError("database is locked"))
    assert isinstance(described, DatabaseError)
    assert "busy" in described.message


def test_an_error_that_is_not_the_drivers_is_left_alone() -> None:
    assert database_error(ValueError("not a database error")) is None
