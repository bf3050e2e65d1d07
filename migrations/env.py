"""Alembic environment for att.

Runs with a connection handed over by ``attendance_cli.db.migrate`` (config attribute
``connection``, already inside the one transaction of the upgrade), or from a URL in
``sqlalchemy.url`` when run with the alembic CLI by a developer. Either way the connection comes
from ``migrate.migration_engine``, whose transactions include DDL, and every migration of the run
shares one transaction (``transaction_per_migration`` stays False): an upgrade killed half-way
leaves the database exactly at its old revision. SQLite needs batch mode for ALTERs, hence
``render_as_batch``.
"""

from __future__ import annotations

from alembic import context

from attendance_cli.db.migrate import include_object, migration_engine
from attendance_cli.db.models import metadata

config = context.config


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    dbapi = connection.connection.dbapi_connection
    if not connection.in_transaction() or getattr(dbapi, "isolation_level", None) is not None:
        # pysqlite would commit each CREATE TABLE on its own: refuse rather than half-upgrade
        raise RuntimeError(
            "att migrations must run in a transaction of attendance_cli.db.migrate's "
            "migration_engine"
        )
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,  # the expression indexes (db.migrate)
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = migration_engine(
        config.get_main_option("sqlalchemy.url") or "sqlite:///att-dev.sqlite"
    )
    with engine.begin() as conn:
        _run(conn)
