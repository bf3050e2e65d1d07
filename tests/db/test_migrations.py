"""Schema: single head, no drift between models and migrations, upgrades keep data."""

from __future__ import annotations

import shutil
import sqlite3
import warnings
from pathlib import Path

import pytest

from attendance_cli.db import migrate
from attendance_cli.db.engine import open_database
from attendance_cli.errors import DatabaseError
from attendance_cli.store import Store
from tests.helpers import connect_to, is_postgres

FIXTURES = Path(__file__).parent / "fixtures"


def test_single_head_matches_the_constant() -> None:
    assert migrate.alembic_head() == migrate.SCHEMA_HEAD


def _compare_type(context, inspected, metadata_column, inspected_type, metadata_type):  # type: ignore[no-untyped-def]
    """Alembic's own comparison, except for a model's datetime: SQLModel's UTCDateTime (a
    TypeDecorator over DateTime(timezone=True)) where the migrations make TIMESTAMP without time
    zone on PostgreSQL. att stores naive UTC times on both engines (as text on SQLite), so the
    columns are what the migrations say; the model's time-zone flag is SQLModel's default."""
    from sqlalchemy import TIMESTAMP, DateTime, TypeDecorator

    model = metadata_type.impl if isinstance(metadata_type, TypeDecorator) else metadata_type
    if (
        context.dialect.name == "postgresql"
        and isinstance(inspected_type, TIMESTAMP)
        and isinstance(model, DateTime)
        and not inspected_type.timezone
    ):
        return False
    return None


def test_models_and_migrations_do_not_drift(db_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from attendance_cli.db.migrate import EXPRESSION_INDEXES, include_object
    from attendance_cli.db.models import metadata

    url = db_path.driver_url if is_postgres(db_path) else f"sqlite:///{db_path}"  # type: ignore[attr-defined]
    engine = create_engine(url)
    with engine.connect() as connection, warnings.catch_warnings():
        for name in EXPRESSION_INDEXES:  # SQLite cannot reflect these (0014): named, not all
            warnings.filterwarnings(
                "ignore", f"Skipped unsupported reflection of expression-based index {name}$"
            )
        # and the comparison skips them by name: PostgreSQL reflects them
        opts = {"compare_type": _compare_type, "include_object": include_object}
        context = MigrationContext.configure(connection, opts=opts)
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []


@pytest.mark.sqlite_only  # SQLite's query plan
def test_the_sibling_match_uses_the_expression_indexes(conn: Store) -> None:
    """Migration 0014_sibling_index: the folded address and e-mail lookups of
    ``store.pack.contacts_sharing`` search an index, not every contact."""
    from attendance_cli.db.migrate import EXPRESSION_INDEXES

    plan = " ".join(
        str(row[-1])
        for row in conn.connection.execute(
            "EXPLAIN QUERY PLAN SELECT pupil_id FROM contact "
            "WHERE lower(trim(address)) IN (?, ?) OR lower(trim(email)) IN (?)",
            ["1 high street", "2 low road", "a@example.org"],
        )
    )
    assert "SCAN" not in plan, plan
    assert all(name in plan for name in EXPRESSION_INDEXES), plan


def test_new_database_is_private_wal_and_at_head(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.sqlite"
    conn, result = open_database(path)
    assert result.created
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD
    conn.close()


@pytest.mark.sqlite_only  # the database FILE's mode
def test_readable_database_gives_a_warning(db_path: Path) -> None:
    db_path.chmod(0o644)
    conn, result = open_database(db_path)
    conn.close()
    assert any("can be read by other users" in w for w in result.warnings)


def test_newer_database_is_refused(db_path: Path) -> None:
    conn = connect_to(db_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="newer release"):
        open_database(db_path)


def test_non_att_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE x (y)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="not an att database"):
        open_database(path)


def test_not_a_database_at_all(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("hello, this is not SQLite" * 100)
    with pytest.raises(DatabaseError):
        open_database(path)


# Saved databases from each release, with their data; each must upgrade with nothing lost.
RELEASE_DATABASES = sorted(FIXTURES.glob("release-*.sqlite"))


@pytest.mark.parametrize("saved", RELEASE_DATABASES, ids=[p.stem for p in RELEASE_DATABASES])
def test_release_database_upgrades_with_data_intact(saved: Path, tmp_path: Path) -> None:
    path = tmp_path / saved.name
    shutil.copyfile(saved, path)
    before = sqlite3.connect(path)
    tables = [
        r[0]
        for r in before.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name != 'alembic_version'"
        )
    ]
    snapshot = {
        t: sorted(before.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables
    }
    before.close()
    conn, result = open_database(path)
    assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD
    for table, rows in snapshot.items():
        columns = [r[1] for r in sqlite3.connect(saved).execute(f"PRAGMA table_info({table})")]
        after = conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
        assert sorted(after, key=repr) == rows, table
    assert snapshot["mark_year"], "the saved database must hold marks"
    # tables added since the release exist, empty (0005_letters: the letters att writes)
    assert "letter" not in snapshot
    assert conn.execute("SELECT count(*) FROM letter").fetchone() == (0,)
    # 0003_register_details: the new columns exist and start empty on old rows
    assert conn.execute("SELECT count(*), count(registration_group) FROM enrolment").fetchone() == (
        len(snapshot["enrolment"]),
        0,
    )
    assert conn.execute("SELECT count(name_as_written) FROM pupil").fetchone() == (0,)
    assert conn.execute("SELECT count(code_map) FROM import_log").fetchone() == (0,)
    # 0006_column_maps: no school has a saved column map; old imports name none
    assert "column_map" not in snapshot
    assert conn.execute("SELECT count(*) FROM column_map").fetchone() == (0,)
    assert conn.execute("SELECT count(column_map) FROM import_log").fetchone() == (0,)
    conn.close()


def test_upgrade_from_each_earlier_revision_backs_up_first(tmp_path: Path) -> None:
    revisions = migrate.known_revisions()  # newest first
    for older in revisions[1:]:
        path = tmp_path / f"{older}.sqlite"
        from attendance_cli.db.engine import create_private_file

        create_private_file(path)
        migrate.upgrade_database(path, revision=older)
        conn, result = open_database(path)
        assert (
            result.upgraded_from == older and result.backup is not None and result.backup.exists()
        )
        assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD
        conn.close()
