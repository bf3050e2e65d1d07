"""The ``figures`` fixture: see ``tests.reliability.figures``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reliability.figures import record


@pytest.fixture
def figures() -> Any:
    return record
