"""PostgreSQL fixtures: one private server per test process (see ``server.py``)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.postgres.server import Server, running_server, skip_or_fail

_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    skip_or_fail()
    with running_server() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: Server) -> str:
    """A new, empty database on the private server."""
    return postgres_server.create_database(f"att_test_{next(_names)}")
