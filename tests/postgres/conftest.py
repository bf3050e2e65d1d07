"""PostgreSQL fixtures: one private server per test process (see ``server.py``)."""

from __future__ import annotations

import itertools

import pytest

from tests.postgres.server import Server

_names = itertools.count(1)

# postgres_server (the session's private server) is in tests/conftest.py


@pytest.fixture
def postgres_url(postgres_server: Server) -> str:
    """A new, empty database on the private server."""
    return postgres_server.create_database(f"att_test_{next(_names)}")
