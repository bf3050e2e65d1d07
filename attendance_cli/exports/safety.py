"""Spreadsheet formula-injection guard for every CSV and XLSX the tool writes.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run
as a formula by Excel or LibreOffice. Such text is prefixed with an apostrophe, the OWASP advice,
which spreadsheet programs display as plain text. Numbers (including negative ones) are not text
and pass through unchanged.
"""

from __future__ import annotations

from typing import Any

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value
