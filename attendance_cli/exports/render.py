"""Rendering results for people (rich tables) and scripts (JSON, CSV).

JSON keys are snake_case and stable; dates are ISO 8601; missing values are null. CSV goes
through the formula-injection guard. Nothing here decides what to show: callers pass rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from attendance_cli.exports.safety import neutralise
from attendance_cli.records import JsonRecord


class OutputFormat(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


_PLAIN = frozenset({str, int, float, bool, type(None)})  # exact types: an enum is converted


def to_jsonable(value: Any) -> Any:
    if type(value) in _PLAIN:
        return value
    if is_dataclass(value) and not isinstance(value, type):
        if isinstance(value, JsonRecord):
            return {key: to_jsonable(v) for key, v in value.as_json().items()}
        # field by field rather than through dataclasses.asdict, which deep-copies every value
        # only for this to walk the copy again (0.7 s of a big LA report's 200,000 values)
        return {f.name: to_jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def json_text(value: Any) -> str:
    return json.dumps(to_jsonable(value), indent=2, ensure_ascii=False)


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    value = to_jsonable(value)
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    value = neutralise(value)
    if isinstance(value, str) and "\r" in value:
        # the writer ends lines with "\n" and so quotes only fields holding "\n": a bare
        # carriage return left unquoted would split the row in a spreadsheet, and the text
        # after it would start a cell of its own, unguarded
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value
