from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from attendance_cli.store import Store
from tests.privacy.builders import build_family


@pytest.fixture
def family(conn: sqlite3.Connection, db_path: Path, tmp_path: Path) -> dict[str, int]:
    return build_family(conn, db_path, tmp_path)


@pytest.fixture
def store(conn: sqlite3.Connection, db_path: Path) -> Store:
    return conn
