"""The same Alembic migrations build the same schema on PostgreSQL as on SQLite (issue 16's
first step): upgraded to the head on a private server, the database has every table, column
(name, nullability, Python type), primary key, index, unique constraint and foreign key that
the SQLite database upgraded by att has."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from attendance_cli.db.migrate import EXPRESSION_INDEXES, alembic_head, migrations_dir


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
    """The schema as the inspector sees it, less the expression indexes (0014), which SQLite's
    cannot reflect: ``_expression_indexes`` reads those from each engine's own catalogue."""
    with warnings.catch_warnings():
        for name in EXPRESSION_INDEXES:  # SQLite's reflection warns of these (and only these)
            warnings.filterwarnings(
                "ignore", f"Skipped unsupported reflection of expression-based index {name}$"
            )
        return _reflected(sa.inspect(engine))


def _reflected(inspector: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        indexes = inspector.get_indexes(table)
        schema[table] = {
            "columns": sorted(
                (c["name"], c["nullable"], _python_type(c["type"]))
                for c in inspector.get_columns(table)
            ),
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in indexes
                if not i.get("duplicates_constraint")  # PostgreSQL lists a unique constraint twice
                and i["name"] not in EXPRESSION_INDEXES
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


def _expression_indexes(engine: sa.Engine) -> set[str]:
    query = (
        "SELECT indexname FROM pg_indexes WHERE tablename = 'contact'"
        if engine.dialect.name == "postgresql"
        else "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contact'"
    )
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(sa.text(query))} & EXPRESSION_INDEXES


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
        assert _expression_indexes(postgres) == _expression_indexes(sqlite) == EXPRESSION_INDEXES
    finally:
        postgres.dispose()
        sqlite.dispose()
