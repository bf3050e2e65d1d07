"""Shared fixtures: every test gets its own real SQLite database, copied from one template that
is migrated once per session (a copy costs ~0.2 ms, an upgrade ~0.1 s)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from attendance_cli.db.engine import connect

# rich reads the width when a console is made (at import): tests compare 120-column output
os.environ["COLUMNS"] = "120"


@pytest.fixture(autouse=True)
def _environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATT_DB", str(tmp_path / "att.sqlite"))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("ATT_OFFICER", "Test Officer")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from attendance_cli.db.engine import open_database

    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    conn, _ = open_database(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    """A migrated database file of this test's own, also named by ATT_DB."""
    path = tmp_path / "att.sqlite"
    shutil.copyfile(template_db, path)
    path.chmod(0o600)
    return path


@pytest.fixture
def conn(db_path: Path) -> Iterator[sqlite3.Connection]:
    connection = connect(db_path)
    yield connection
    connection.close()


SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.fixture(scope="session")
def sample_template(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the bundled sample LA, imported once per session."""
    from attendance_cli.demo import sample_files
    from attendance_cli.registers.importer import import_registers

    path = tmp_path_factory.mktemp("sample") / "sample.sqlite"
    shutil.copyfile(template_db, path)
    connection = connect(path)
    result = import_registers(connection, paths=[SAMPLE / "roster.csv", *sample_files()])
    assert result.ok, [p for f in result.files for p in f.problems]
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.close()
    return path


@pytest.fixture
def sample_db(sample_template: Path, tmp_path: Path) -> Path:
    """This test's own copy of the sample LA database (also named by ATT_DB)."""
    path = tmp_path / "att.sqlite"
    shutil.copyfile(sample_template, path)
    path.chmod(0o600)
    return path


@pytest.fixture
def sample_conn(sample_db: Path) -> Iterator[sqlite3.Connection]:
    connection = connect(sample_db)
    yield connection
    connection.close()


# --- reliability figures (tests.reliability.figures), gathered from pytest-xdist workers ---


def pytest_sessionfinish(session: pytest.Session) -> None:
    from tests.reliability.figures import FIGURES

    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["att_reliability_figures"] = dict(FIGURES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    from tests.reliability.figures import FIGURES

    FIGURES.update(getattr(node, "workeroutput", {}).get("att_reliability_figures", {}))


def pytest_terminal_summary(terminalreporter: object) -> None:
    from tests.reliability.figures import report

    report(terminalreporter)
