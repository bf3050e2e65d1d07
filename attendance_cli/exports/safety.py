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


# Terminal control characters: C0 except tab and newline, DEL, C1 (ESC sequences start with
# 0x1b or 0x9b), and the bidi embeddings, overrides and isolates that reorder what follows.
_CONTROL = {
    **{code: None for code in range(0x00, 0x20) if code not in (0x09, 0x0A)},
    **{code: None for code in range(0x7F, 0xA0)},
    **{code: None for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
}


def screen_text(text: str) -> str:
    """``text`` safe to show on a terminal: control characters removed (an ESC sequence in a
    surname or a note could clear the screen and print a fake "All clear"; a bidi override
    could show a name backwards). For the screen only: JSON and CSV keep the data as stored."""
    return text.translate(_CONTROL)
