"""Shared fixtures: every test gets its own real SQLite database, copied from one template that
is migrated once per session (a copy costs ~0.2 ms, an upgrade ~0.1 s).

Both engines (issue 16): every test that takes a database fixture (``db_path``, ``conn``,
``sample_db``, ``sample_conn``) runs twice, ``[sqlite]`` and ``[postgresql]``, unless it is marked
``sqlite_only`` (RELIABILITY.md, "SQLite-only tests", lists each and why) or parametrises
``engine`` itself (``@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)``: a
PostgreSQL version of a file test). On PostgreSQL the
fixtures give a database of the test's own on a private server (``tests/postgres/server.py``, one
per test process), made from a migrated template with ``CREATE DATABASE ... TEMPLATE`` (~30 ms): ``db_path``
and ``sample_db`` are then a ``ServerDatabase`` (ATT_DB names its URL), ``conn`` and
``sample_conn`` a ``db.postgres.PostgresConnection``. A test that is about the SQLite file itself
says ``@pytest.mark.sqlite_only``. Without the server binaries the ``[postgresql]`` half skips
with one reason, except under ``CI=true``, where it fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from attendance_cli.db.engine import connect
from attendance_cli.store import Store

_DB_FIXTURES = {"db_path", "conn", "sample_db", "sample_conn"}

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
    # the LA's details (tests/letter_settings.py): the notice's copy needs them; a test that
    # wants other settings sets ATT_CONFIG itself
    from tests.letter_settings import SETTINGS

    settings = (
        tmp_path.parent / f"{tmp_path.name}-att-config.toml"
    )  # not in tmp_path: tests list it
    settings.write_text(SETTINGS, encoding="utf-8")
    monkeypatch.setenv("ATT_CONFIG", str(settings))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only: about the SQLite file (or copies one); not run on PostgreSQL",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" in metafunc.fixturenames and not _DB_FIXTURES.isdisjoint(metafunc.fixturenames):
        marks = {m.name for m in metafunc.definition.iter_markers()}
        engine_given = any(
            "engine" in m.args[0] for m in metafunc.definition.iter_markers("parametrize")
        )
        if "sqlite_only" not in marks and not engine_given:
            metafunc.parametrize("engine", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The engine this test's database fixtures are on (``sqlite`` unless parametrised)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[object]:
    from tests.postgres.server import running_server, skip_or_fail

    skip_or_fail()
    with running_server() as server:
        yield server


class _PostgresTemplates:
    """Migrated (and sample-LA) template databases on the session's server; each test's own
    database is a copy of one, dropped after the test."""

    def __init__(self, server: object) -> None:
        self.server = server
        self.made: set[str] = set()
        self.count = 0

    def _admin(self):  # type: ignore[no-untyped-def]
        import psycopg

        from tests.postgres.server import SUPERUSER

        return psycopg.connect(
            host=str(self.server.socket_dir),  # type: ignore[attr-defined]
            user=SUPERUSER,
            dbname="postgres",
            autocommit=True,
        )

    def template(self, name: str) -> str:
        from attendance_cli.db.open import open_server_database
        from attendance_cli.db.postgres import parse_database_url

        if name not in self.made:
            url = self.server.create_database(name)  # type: ignore[attr-defined]
            conn, _ = open_server_database(parse_database_url(url))
            try:
                if name == "att_sample_template":
                    from attendance_cli.demo import sample_files
                    from attendance_cli.registers.importer import import_registers

                    result = import_registers(
                        Store(conn, parse_database_url(url)),
                        paths=[SAMPLE / "roster.csv", *sample_files()],
                    )
                    assert result.ok, [p for f in result.files for p in f.problems]
            finally:
                conn.close()
            self.made.add(name)
        return name

    def copy(self, template: str) -> tuple[str, str]:
        self.count += 1
        name = f"att_test_{os.getpid()}_{self.count}"
        with self._admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template(template)}"')
        return name, self.server.url(name)  # type: ignore[attr-defined]

    def drop(self, name: str) -> None:
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_templates(postgres_server: object) -> _PostgresTemplates:
    return _PostgresTemplates(postgres_server)


def _postgres_database(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, template: str
) -> Iterator[object]:
    from attendance_cli.db.postgres import parse_database_url

    templates: _PostgresTemplates = request.getfixturevalue("postgres_templates")
    name, url = templates.copy(template)
    monkeypatch.setenv("ATT_DB", url)
    monkeypatch.setenv("ATT_DOCUMENTS", str(request.getfixturevalue("tmp_path") / "documents"))
    try:
        yield parse_database_url(url)
    finally:
        templates.drop(name)


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
def db_path(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A migrated database file of this test's own, also named by ATT_DB (on PostgreSQL, a
    ``ServerDatabase`` of the test's own)."""
    if engine == "postgresql":
        yield from _postgres_database(request, monkeypatch, "att_template")  # type: ignore[misc]
        return
    path = tmp_path / "att.sqlite"
    shutil.copyfile(request.getfixturevalue("template_db"), path)
    path.chmod(0o600)
    yield path


def _connect(database: object) -> Any:
    if isinstance(database, Path):
        return connect(database)
    from attendance_cli.db import postgres

    return postgres.connect(database)  # type: ignore[arg-type]


@pytest.fixture
def conn(db_path: Path) -> Iterator[Store]:
    """A store on the test's database (what domain functions take); ``conn.connection`` is the
    raw connection a test checks rows with."""
    with Store(_connect(db_path), db_path) as store:
        yield store


SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.fixture(scope="session")
def sample_template(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the bundled sample LA, imported once per session."""
    from attendance_cli.demo import sample_files
    from attendance_cli.registers.importer import import_registers

    path = tmp_path_factory.mktemp("sample") / "sample.sqlite"
    shutil.copyfile(template_db, path)
    with Store(connect(path), path) as store:
        result = import_registers(store, paths=[SAMPLE / "roster.csv", *sample_files()])
        assert result.ok, [p for f in result.files for p in f.problems]
        store.connection.execute("PRAGMA journal_mode = DELETE")
    return path


@pytest.fixture
def sample_db(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """This test's own copy of the sample LA database (also named by ATT_DB)."""
    if engine == "postgresql":
        yield from _postgres_database(  # type: ignore[misc]
            request, monkeypatch, "att_sample_template"
        )
        return
    path = tmp_path / "att.sqlite"
    shutil.copyfile(request.getfixturevalue("sample_template"), path)
    path.chmod(0o600)
    yield path


@pytest.fixture
def sample_conn(sample_db: Path) -> Iterator[Store]:
    """A store on the test's copy of the sample LA (``sample_conn.connection``: the raw one)."""
    with Store(_connect(sample_db), sample_db) as store:
        yield store


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
