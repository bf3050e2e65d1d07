"""Result records that read like their JSON.

Some typed results are published under JSON keys that differ from their attributes: a period's
``start`` is ``"from"``, and a pupil's nested figures (``entry.figures.possible``) are published
flat (``"possible"``). Such a record subclasses :class:`JsonRecord` and lists its keys once, in
``JSON_KEYS`` (JSON key -> attribute, or a dotted path into a nested record; :func:`flat_keys`
builds it from the fields). ``exports.render.to_jsonable`` flattens it by that list, and the
record also reads as that mapping and by those flat names (``period["from"]``,
``period == {...}``, ``entry.possible``), so code written against the JSON shape keeps working.
Declare the dataclass with ``eq=False`` so equality is the mapping's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar


class JsonRecord(Mapping[str, Any]):
    JSON_KEYS: ClassVar[Mapping[str, str]]

    def as_json(self) -> dict[str, Any]:
        """The record as its JSON object (values not yet converted)."""
        paths = _PATHS.get(type(self)) or _paths(type(self))
        out = {}
        for key, name, inner in paths:
            value = getattr(self, name)
            out[key] = value if inner is None else getattr(value, inner)
        return out

    def _resolve(self, path: str) -> Any:
        if "." not in path:
            return getattr(self, path)
        value: Any = self
        for name in path.split("."):
            value = getattr(value, name)
        return value

    def __getattr__(self, name: str) -> Any:
        # only called when ``name`` is no attribute: a flat JSON name of a nested value
        path = type(self).JSON_KEYS.get(name) if not name.startswith("_") else None
        if path is None or path == name:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return self._resolve(path)

    def __getitem__(self, key: str) -> Any:
        try:
            path = self.JSON_KEYS[key]
        except KeyError:
            raise KeyError(key) from None
        return self._resolve(path)

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


_PATHS: dict[type, tuple[tuple[str, str, str | None], ...]] = {}


def _paths(cls: type[JsonRecord]) -> tuple[tuple[str, str, str | None], ...]:
    """(key, attribute, attribute of the nested record or None) per JSON key, once per class."""
    found = []
    for key, path in cls.JSON_KEYS.items():
        name, _, inner = path.partition(".")
        found.append((key, name, inner or None))
    _PATHS[cls] = tuple(found)
    return _PATHS[cls]


def flat_keys(cls: type, **nested: Sequence[str]) -> dict[str, str]:
    """JSON keys of a dataclass: its fields in order, each field named in ``nested`` replaced,
    in place, by the given attributes of the record it holds (``figures=("possible", ...)``
    publishes ``possible`` from ``figures.possible``)."""
    keys: dict[str, str] = {}
    for f in dataclasses.fields(cls):
        if f.name in nested:
            keys.update({name: f"{f.name}.{name}" for name in nested[f.name]})
        else:
            keys[f.name] = f.name
    return keys
