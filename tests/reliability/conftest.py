"""The ``figures`` fixture: see ``tests.reliability.figures``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reliability.figures import record


@pytest.fixture
def figures() -> Any:
    return record


@pytest.fixture
def copy_database(request: pytest.FixtureRequest, tmp_path: Any) -> Any:
    """``copy_database(db, name)``: an independent copy of the test's database ``db`` — a copy
    of the file beside it, or on PostgreSQL a database made with ``db`` as its TEMPLATE (no
    connection may be open on ``db`` meanwhile), dropped after the test."""
    import shutil
    from pathlib import Path

    def copy(database: Any, name: str) -> Any:
        if isinstance(database, Path):
            target = tmp_path / f"{name}.sqlite"
            shutil.copyfile(database, target)
            return target
        from attendance_cli.db.postgres import parse_database_url

        templates = request.getfixturevalue("postgres_templates")
        copied = f"{database.name}_{name}"
        with templates._admin() as admin:
            admin.execute(f'CREATE DATABASE "{copied}" TEMPLATE "{database.name}"')
        request.addfinalizer(lambda: templates.drop(copied))
        return parse_database_url(templates.server.url(copied))

    return copy
