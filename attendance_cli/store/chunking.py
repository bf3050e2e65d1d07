"""IN-lists in pieces of one size.

SQLite allows 32,766 bound parameters per statement (3.32+; 999 before), PostgreSQL 65,535;
10,000 stays under both with room for a statement's other parameters, and is large enough that
a whole LA (48,000 pupils) takes five round trips."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

CHUNK_SIZE = 10_000

T = TypeVar("T")


def chunked(values: Iterable[T], size: int = CHUNK_SIZE) -> Iterator[list[T]]:
    """``values`` in consecutive lists of at most ``size`` (none for no values)."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    items: Sequence[T] = values if isinstance(values, Sequence) else list(values)
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
