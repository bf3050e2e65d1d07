"""The LA's code map: local register codes and the statutory code each stands for.

A CSV file the LA keeps (``--code-map FILE`` or ``$ATT_CODE_MAP``), UTF-8, one row per local
code, headed ``local_code,statutory_code`` (an optional ``meaning`` column is for people)::

    local_code,statutory_code,meaning
    L7,N,Late, reason not yet provided (local)
    11,I,Illness (numeric code in the school's system)

A local code may not be a statutory code itself (att never redefines ``/`` or ``I``), and must
map to a code of either DfE code set. The map applies on import after the statutory codes, and
before sub-codes (``I01`` -> ``I``) are read; each import names it in its notes and in the
import log (file name and SHA-256).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from attendance_cli import codes
from attendance_cli.errors import InvalidInputError, Problem
from attendance_cli.registers.headers import normalise_header
from attendance_cli.registers.importer import CodeMap, file_sha256

_LOCAL = ("localcode", "local", "code", "schoolcode", "miscode")
_STATUTORY = ("statutorycode", "statutory", "dfecode", "mapsto", "ctfcode")


def read_code_map(path: Path) -> CodeMap:
    """Read and check a code map file; every bad row is reported (file, row, column)."""
    if not path.is_file():
        raise InvalidInputError(
            f"No such code map file: {path}",
            hint="Give --code-map a CSV with columns local_code,statutory_code.",
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInputError(
            f"{path.name} is not UTF-8 text",
            file=path.name,
            hint="Save the code map as CSV UTF-8.",
        ) from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise InvalidInputError(f"{path.name} is empty", file=path.name, hint=_HINT)
    header = [normalise_header(h) for h in rows[0]]
    local_col = next((i for i, h in enumerate(header) if h in _LOCAL), None)
    statutory_col = next((i for i, h in enumerate(header) if h in _STATUTORY), None)
    if local_col is None or statutory_col is None or local_col == statutory_col:
        raise InvalidInputError(
            f"{path.name} needs columns local_code and statutory_code (found: "
            + ", ".join(repr(h) for h in rows[0])
            + ")",
            file=path.name,
            row=1,
            hint=_HINT,
        )
    mapping: dict[str, str] = {}
    problems: list[Problem] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        local = codes.normalise_code(row[local_col] if local_col < len(row) else "")
        target = codes.normalise_code(row[statutory_col] if statutory_col < len(row) else "")
        column = rows[0][local_col]
        if not local:
            problems.append(Problem(path.name, number, column, "local code is blank", _HINT))
        elif local in codes.CODES_2024 or local in codes.CODES_2006 or local == codes.MISSING_MARK:
            problems.append(
                Problem(
                    path.name,
                    number,
                    column,
                    f"{local!r} is a statutory code; a code map cannot change its meaning",
                    "Remove this row: statutory codes are read as the DfE defines them.",
                )
            )
        elif target not in codes.CODES_2024 and target not in codes.CODES_2006:
            problems.append(
                Problem(
                    path.name,
                    number,
                    rows[0][statutory_col],
                    f"{target!r} is not a DfE attendance code",
                    "Map each local code to a code from att codes.",
                )
            )
        elif local in mapping and mapping[local] != target:
            problems.append(
                Problem(
                    path.name,
                    number,
                    column,
                    f"{local!r} is mapped twice ({mapping[local]!r} and {target!r})",
                    "Keep one row per local code.",
                )
            )
        else:
            mapping[local] = target
    if problems:
        raise InvalidInputError(
            f"{path.name} has {len(problems)} problem(s); no code was mapped",
            problems=problems[:50],
            total_problems=len(problems),
            file=path.name,
        )
    return CodeMap(path.name, file_sha256(path), mapping)


_HINT = "A code map is a CSV headed local_code,statutory_code (see att codes --help)."
