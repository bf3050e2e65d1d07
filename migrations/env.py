"""Alembic environment for att.

Runs with a connection handed over by ``attendance_cli.db.migrate`` (config attribute
``connection``), or from a URL in ``sqlalchemy.url`` when run with the alembic CLI by a developer.
SQLite needs batch mode for ALTERs, hence ``render_as_batch``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from attendance_cli.db.models import metadata

config = context.config


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///att-dev.sqlite")
    with engine.begin() as conn:
        _run(conn)
