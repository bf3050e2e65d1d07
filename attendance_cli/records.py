"""Result records that read like their JSON.

Some typed results are published under JSON keys that differ from their attribute names (a
period's ``start`` is ``"from"``). Such a record subclasses :class:`JsonRecord` and lists its
keys once, in ``JSON_KEYS`` (JSON key -> attribute); ``exports.render.to_jsonable`` flattens it
by that list, and the record also reads as that mapping (``period["from"]``, ``period == {...}``),
so code and tests written against the JSON shape keep working. Declare the dataclass with
``eq=False`` so equality is the mapping's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar


class JsonRecord(Mapping[str, Any]):
    JSON_KEYS: ClassVar[Mapping[str, str]]

    def as_json(self) -> dict[str, Any]:
        """The record as its JSON object (values not yet converted)."""
        return {key: getattr(self, name) for key, name in self.JSON_KEYS.items()}

    def __getitem__(self, key: str) -> Any:
        try:
            name = self.JSON_KEYS[key]
        except KeyError:
            raise KeyError(key) from None
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.JSON_KEYS)

    def __len__(self) -> int:
        return len(self.JSON_KEYS)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self.as_json() == dict(other)
        return NotImplemented

    def __or__(self, other: Mapping[str, Any]) -> dict[str, Any]:
        return self.as_json() | dict(other)

    __hash__ = None  # type: ignore[assignment]
