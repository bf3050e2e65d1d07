"""The same Alembic migrations build the same schema on PostgreSQL as on SQLite (issue 16's
first step): upgraded to the head on a private server, the database has every table, column
(name, nullability, Python type), primary key, index, unique constraint and foreign key that
the SQLite database upgraded by att has."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from attendance_cli.db.migrate import alembic_head, migrations_dir


def _upgrade(url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return engine


def _python_type(column_type: Any) -> str:
    try:
        return column_type.python_type.__name__
    except NotImplementedError:  # pragma: no cover - every att column has one
        return type(column_type).__name__


def _schema(engine: sa.Engine) -> dict[str, Any]:
    inspector = sa.inspect(engine)
    schema: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        schema[table] = {
            "columns": sorted(
                (c["name"], c["nullable"], _python_type(c["type"]))
                for c in inspector.get_columns(table)
            ),
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
                if not i.get("duplicates_constraint")  # PostgreSQL lists a unique constraint twice
            ),
            "unique": sorted(
                tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)
            ),
            "foreign_keys": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                for f in inspector.get_foreign_keys(table)
            ),
        }
    return schema


@pytest.mark.sqlite_only  # db_path is the SQLite file the server's schema is compared with
def test_migrations_build_the_sqlite_schema_on_postgres(postgres_url: str, db_path: Path) -> None:
    postgres = _upgrade(postgres_url)
    sqlite = sa.create_engine(f"sqlite:///{db_path}")
    try:
        with postgres.connect() as conn:
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        assert revision == alembic_head()
        on_postgres, on_sqlite = _schema(postgres), _schema(sqlite)
        assert {"pupil", "mark_year", "audit_log"} <= set(on_postgres)
        for table in sorted(set(on_postgres) | set(on_sqlite)):
            assert on_postgres.get(table) == on_sqlite.get(table), table
    finally:
        postgres.dispose()
        sqlite.dispose()
