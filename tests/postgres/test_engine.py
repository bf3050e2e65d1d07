"""att on a PostgreSQL server (issue 16): the URL in --db/ATT_DB, the statement adapter, and
``att db init/upgrade/info/backup`` on a private server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from attendance_cli.config import database_location
from attendance_cli.db.migrate import SCHEMA_HEAD
from attendance_cli.db.postgres import parse_database_url, translate
from attendance_cli.errors import UsageError

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


# --- the URL (no server needed) -----------------------------------------------------------


def test_a_url_names_a_server_database_and_a_path_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    found = database_location("postgresql://db.example.org:5433/att")
    assert not isinstance(found, Path)
    assert found.driver_url == "postgresql+psycopg://db.example.org:5433/att"
    assert found.name == "att"
    assert dict(found.arguments) == {"dbname": "att", "host": "db.example.org", "port": "5433"}
    socket = database_location(
        "postgresql+psycopg://jo@/team%20db?host=/run/postgresql&sslmode=disable"
    )
    assert dict(socket.arguments) == {  # type: ignore[union-attr]
        "dbname": "team db",
        "user": "jo",
        "host": "/run/postgresql",
        "sslmode": "disable",
    }
    monkeypatch.setenv("ATT_DB", "postgresql+psycopg://db.example.org/team")
    assert database_location().name == "team"  # type: ignore[union-attr]
    assert database_location(str(tmp_path / "a.sqlite")) == tmp_path / "a.sqlite"


@pytest.mark.parametrize("source", ["--db", "ATT_DB"])
def test_a_password_in_the_url_is_refused(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql+psycopg://jo:s3cret@db.example.org/att"
    args = ["--db", url, "db", "info"] if source == "--db" else ["db", "info"]
    if source == "ATT_DB":
        monkeypatch.setenv("ATT_DB", url)
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {source} contains a password")
    assert "~/.pgpass" in result.stderr and "s3cret" not in result.stderr


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://db.example.org/att", "names a mysql:// database"),
        ("postgresql+psycopg://db.example.org", "names no database"),
    ],
)
def test_other_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_database_url(url)


@pytest.mark.parametrize(
    ("sqlite", "postgres"),
    [
        ("SELECT id FROM school WHERE laestab = ?", "SELECT id FROM school WHERE laestab = $1"),
        (
            "SELECT 1 FROM i WHERE f NOT LIKE 'roster/%' AND id IN (?, ?, ?)",
            "SELECT 1 FROM i WHERE f NOT LIKE 'roster/%' AND id IN ($1, $2, $3)",
        ),
        (
            "SELECT 1 FROM a WHERE due IS ? AND owner IS NOT ?",
            "SELECT 1 FROM a WHERE due IS NOT DISTINCT FROM $1 AND owner IS DISTINCT FROM $2",
        ),
        (
            "SELECT id FROM school WHERE instr(lower(name), lower(?)) > 0",
            "SELECT id FROM school WHERE strpos(lower(name), lower($1)) > 0",
        ),
        (
            "SELECT CAST(m.marks AS BLOB) FROM mark_year m WHERE m.academic_year = ?",
            "SELECT convert_to(m.marks, 'UTF8') FROM mark_year m WHERE m.academic_year = $1",
        ),
    ],
)
def test_the_adapter_rewrites_the_stores_sqlite_statements(sqlite: str, postgres: str) -> None:
    assert translate(sqlite) == postgres


def test_without_parameters_percent_signs_stay() -> None:
    assert translate("SELECT 1 WHERE f LIKE 'a%'", parameters=False) == "SELECT 1 WHERE f LIKE 'a%'"


def test_the_tables_without_an_id_are_those_of_the_models() -> None:
    """The adapter adds ``RETURNING id`` to an INSERT unless its table has no ``id``: a table
    missing from the written-out list would fail every insert into it; one listed wrongly
    would give no ``lastrowid``."""
    from attendance_cli.db.models import metadata
    from attendance_cli.db.postgres import TABLES_WITHOUT_ID, _wants_id

    without = {name for name, table in metadata.tables.items() if "id" not in table.c}
    assert TABLES_WITHOUT_ID - {"alembic_version"} == without
    assert _wants_id("INSERT INTO case_note (case_id) VALUES (?)")
    assert not _wants_id("INSERT INTO mark_year (enrolment_id) VALUES (?)")
    assert not _wants_id("INSERT INTO case_note (case_id) VALUES (?) RETURNING id")


def test_a_raw_insert_does_not_import_the_models(postgres_url: str) -> None:
    """The first INSERT of a command on PostgreSQL (the pack's LA benchmark cache) once imported
    SQLAlchemy and the models (0.47 s) to learn which tables have an id."""
    from attendance_cli.db.postgres import upgrade_server_database

    upgrade_server_database(parse_database_url(postgres_url))
    code = (
        "import sys\n"
        "from attendance_cli.db import postgres\n"
        f"conn = postgres.connect(postgres.parse_database_url({postgres_url!r}))\n"
        "conn.execute('INSERT INTO school (laestab, name, created_at) VALUES (?, ?, ?)', ('8990999', 'X', '2026-12-01 09:00:00'))\n"
        "conn.close()\n"
        "print('sqlalchemy' in sys.modules, 'attendance_cli.db.models' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


# --- on the private server ------------------------------------------------------------------


def _invoke(url: str, *args: str) -> object:
    return runner.invoke(app, ["--db", url, *args])


def test_db_init_info_and_upgrade_on_the_server(postgres_url: str) -> None:
    before = _invoke(postgres_url, "db", "info")
    assert before.exit_code == 4  # type: ignore[attr-defined]
    assert "has no att tables yet; run att db init" in before.stderr  # type: ignore[attr-defined]
    made = _invoke(postgres_url, "db", "init")
    assert made.exit_code == 0, made.stderr  # type: ignore[attr-defined]
    assert "Created a new database at postgresql+psycopg://" in made.stderr  # type: ignore[attr-defined]
    info = _invoke(postgres_url, "db", "info", "--format", "json")
    assert info.exit_code == 0, info.stderr  # type: ignore[attr-defined]
    data = json.loads(info.stdout)  # type: ignore[attr-defined]
    assert data["schema_revision"] == SCHEMA_HEAD and data["pupils"] == 0
    assert data["path"] == postgres_url and data["size_bytes"] > 0
    again = _invoke(postgres_url, "db", "upgrade")
    assert again.exit_code == 0 and "Upgraded" not in again.stderr  # type: ignore[attr-defined]


def test_an_older_schema_on_the_server_is_upgraded(postgres_url: str) -> None:
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from attendance_cli.db.migrate import migrations_dir

    engine = sa.create_engine(postgres_url)
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003_register_details")
    engine.dispose()
    result = _invoke(postgres_url, "db", "upgrade")
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    assert "Upgraded the database from schema 0003_register_details" in result.stderr  # type: ignore[attr-defined]
    assert "kept as" not in result.stderr  # type: ignore[attr-defined]  # no file copy on a server
    info = json.loads(_invoke(postgres_url, "db", "info", "--format", "json").stdout)  # type: ignore[attr-defined]
    assert info["schema_revision"] == SCHEMA_HEAD


def test_three_first_runs_at_once_migrate_once(postgres_url: str) -> None:
    """Without the advisory lock two CREATE TABLEs of the same migration collide and one
    command fails; with it the others wait, then find the schema at the head."""
    env = {k: v for k, v in os.environ.items() if k != "ATT_DB"}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "attendance_cli", "--db", postgres_url, "db", "init"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        assert "Traceback" not in err
    info = json.loads(_invoke(postgres_url, "db", "info", "--format", "json").stdout)  # type: ignore[attr-defined]
    assert info["schema_revision"] == SCHEMA_HEAD


def test_backup_on_a_server_drives_pg_dump(postgres_url: str, tmp_path: Path) -> None:
    import shutil
    import stat

    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump (PostgreSQL client tools) is not installed")
    assert _invoke(postgres_url, "db", "init").exit_code == 0  # type: ignore[attr-defined]
    target = tmp_path / "team.dump"
    done = _invoke(postgres_url, "db", "backup", str(target))
    assert done.exit_code == 0, done.stderr  # type: ignore[attr-defined]
    assert f"read back with pg_restore) to {target}" in done.stdout  # type: ignore[attr-defined]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    listed = subprocess.run(
        ["pg_restore", "--list", str(target)], capture_output=True, text=True, check=True
    ).stdout
    assert "TABLE DATA public audit_log" in listed and "TABLE DATA public pupil" in listed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team.dump"]  # no temporary left
    again = _invoke(postgres_url, "db", "backup", str(target))
    assert again.exit_code == 3 and "--force" in again.stderr  # type: ignore[attr-defined]
    assert _invoke(postgres_url, "db", "backup", str(target), "--force").exit_code == 0  # type: ignore[attr-defined]


def test_backup_without_pg_dump_says_how(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump on it
    result = _invoke(postgres_url, "db", "backup", str(tmp_path / "x.dump"))
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "needs pg_dump, which is not installed here" in result.stderr  # type: ignore[attr-defined]


def test_restore_on_a_server_is_pg_restore(postgres_url: str, tmp_path: Path) -> None:
    result = _invoke(postgres_url, "db", "restore", str(tmp_path / "x.sqlite"))
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "is on a PostgreSQL server" in result.stderr  # type: ignore[attr-defined]
    assert "pg_restore" in result.stderr  # type: ignore[attr-defined]


def test_the_readme_set_up_for_a_team(postgres_server: object) -> None:
    """README "For a team", as written: an administrator role with CREATEROLE owns the database,
    creates the schema with att db upgrade and grants the officers their levels; officers then
    work with nothing but ATT_DB and their login."""
    import psycopg

    from tests.postgres.server import SUPERUSER

    socket = str(postgres_server.socket_dir)  # type: ignore[attr-defined]
    names = ("att_admin", "jo_smith", "kim_lead", "vsh_head")
    with psycopg.connect(host=socket, user=SUPERUSER, dbname="postgres", autocommit=True) as su:
        su.execute("DROP DATABASE IF EXISTS att_team WITH (FORCE)")
        for name in names:  # (the group roles are the server's: other tests' may exist)
            su.execute(f"DROP ROLE IF EXISTS {name}")
        su.execute("CREATE ROLE att_admin LOGIN CREATEROLE")
        su.execute("CREATE DATABASE att_team OWNER att_admin")
        for name in names[1:]:
            su.execute(f"CREATE ROLE {name} LOGIN")

    def url(role: str) -> str:
        return f"postgresql+psycopg://{role}@/att_team?host={socket}"

    try:
        assert _invoke(url("att_admin"), "db", "upgrade").exit_code == 0  # type: ignore[attr-defined]
        for role, level in (
            ("jo_smith", "officer"),
            ("kim_lead", "leader"),
            ("vsh_head", "read-only"),
        ):
            done = _invoke(url("att_admin"), "team", "grant", role, "--as", level)
            assert done.exit_code == 0, done.stderr  # type: ignore[attr-defined]
        sample = ROOT / "sample_data"
        imported = _invoke(
            url("jo_smith"),
            "import",
            str(sample / "roster.csv"),
            str(sample / "castle_hill_marks.csv"),
        )
        assert imported.exit_code == 0, imported.stderr  # type: ignore[attr-defined]
        assert _invoke(url("jo_smith"), "case", "note", "V899200116001", "Visited").exit_code == 0  # type: ignore[attr-defined]
        assert (
            _invoke(url("kim_lead"), "team", "add", "jo_smith", "--name", "Jo Smith").exit_code == 0
        )  # type: ignore[attr-defined]
        allocated = _invoke(url("kim_lead"), "team", "allocate-case", "V899200116001", "jo_smith")
        assert allocated.exit_code == 0, allocated.stderr  # type: ignore[attr-defined]
        shown = _invoke(url("vsh_head"), "case", "show", "V899200116001")
        assert shown.exit_code == 0, shown.stderr  # type: ignore[attr-defined]
        refused = _invoke(url("vsh_head"), "case", "note", "V899200116001", "x")
        assert refused.exit_code == 6 and "read-only access" in refused.stderr  # type: ignore[attr-defined]
        log = json.loads(_invoke(url("vsh_head"), "audit", "--format", "json").stdout)  # type: ignore[attr-defined]
        assert [(e["officer"], e["action"]) for e in log] == [
            ("jo_smith", "open_case"),
            ("jo_smith", "add_note"),
            ("kim_lead", "add_officer"),
            ("kim_lead", "allocate_case"),
        ]
    finally:
        with psycopg.connect(host=socket, user=SUPERUSER, dbname="postgres", autocommit=True) as su:
            su.execute("DROP DATABASE IF EXISTS att_team WITH (FORCE)")
            for name in names:
                su.execute(f"DROP ROLE IF EXISTS {name}")
