"""THE register code table: both DfE code sets, their meanings and categories.

Source: ../shared/domain/attendance-rules.md (the School Attendance (Pupil Registration) (England)
Regulations 2024 and the 2006 regulations before them). Registers dated before 19 August 2024
use the 2006 set; from that date, the 2024 set.

Every mark is stored as ONE character (see ``attendance_cli.marks``). Single-character codes are
stored as themselves; the 2024 set's two-character codes get a lower-case letter or a digit that
no code set uses as a code. Because the stored character alone fixes the category (the one code
whose meaning moved between sets, ``J``, became ``J1`` with its own character), figures never
need the date to classify a stored mark; validation against the date happens on import.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

CODE_SET_2024_START = dt.date(2024, 8, 19)

NO_MARK = "."  # stored: not on roll that session, or no register taken (blank cell)
MISSING_MARK = "-"  # stored and accepted as input: "no mark yet" (missing data, reported)


class Category(enum.Enum):
    PRESENT = "present"
    AEA = "aea"  # approved educational activity: counts as attended
    AUTHORISED = "authorised"
    UNAUTHORISED = "unauthorised"
    NOT_POSSIBLE = "not_possible"
    MISSING = "missing"  # '-' no mark yet
    NO_MARK = "no_mark"  # blank: not on roll / no register

    @property
    def is_possible(self) -> bool:
        return self in POSSIBLE_CATEGORIES

    @property
    def is_attended(self) -> bool:
        return self in (Category.PRESENT, Category.AEA)

    @property
    def is_absent(self) -> bool:
        return self in (Category.AUTHORISED, Category.UNAUTHORISED)


POSSIBLE_CATEGORIES = frozenset(
    {Category.PRESENT, Category.AEA, Category.AUTHORISED, Category.UNAUTHORISED}
)


@dataclass(frozen=True)
class Code:
    code: str  # as written in a register, e.g. "C1"
    stored: str  # the one character it is stored as
    category: Category
    meaning: str
    code_set: str  # "2006" or "2024"


def _table(code_set: str, rows: list[tuple[str, Category, str]]) -> dict[str, Code]:
    return {
        code: Code(code, _STORED.get(code, code), cat, meaning, code_set)
        for code, cat, meaning in rows
    }


# Two-character codes of the 2024 set and the single character each is stored as.
_STORED = {
    "C1": "a",
    "C2": "b",
    "J1": "j",
    **{f"Y{n}": str(n) for n in range(1, 8)},
}

P, A, AU, UN, NP = (
    Category.PRESENT,
    Category.AEA,
    Category.AUTHORISED,
    Category.UNAUTHORISED,
    Category.NOT_POSSIBLE,
)

CODES_2024: dict[str, Code] = _table(
    "2024",
    [
        ("/", P, "Present (AM)"),
        ("\\", P, "Present (PM)"),
        ("L", P, "Late, arrived before the register closed"),
        ("K", A, "Attending education provision arranged by the local authority"),
        ("V", A, "Attending an educational visit or trip"),
        ("P", A, "Participating in a supervised sporting activity"),
        ("W", A, "Attending work experience"),
        ("B", A, "Attending any other approved educational activity"),
        ("C1", AU, "Leave of absence: regulated performance or employment abroad"),
        ("M", AU, "Leave of absence: medical or dental appointment"),
        ("J1", AU, "Leave of absence: interview"),
        ("S", AU, "Leave of absence: study leave"),
        ("C2", AU, "Leave of absence: part-time timetable"),
        ("C", AU, "Leave of absence: exceptional circumstances"),
        ("T", AU, "Parent travelling for occupational purposes"),
        ("R", AU, "Religious observance"),
        ("I", AU, "Illness (not medical or dental appointment)"),
        ("E", AU, "Suspended or permanently excluded, no alternative provision"),
        ("G", UN, "Holiday not granted by the school"),
        ("N", UN, "Reason for absence not yet provided"),
        ("O", UN, "Absent in other or unknown circumstances"),
        ("U", UN, "Arrived in school after registration closed"),
        ("D", NP, "Dual registered: attending the other school"),
        ("Q", NP, "Unable to attend: lack of local authority access arrangements"),
        ("X", NP, "Non-compulsory school age pupil not required to attend"),
        ("Y1", NP, "Unable to attend: transport not available"),
        ("Y2", NP, "Unable to attend: widespread travel disruption"),
        ("Y3", NP, "Unable to attend: part of school premises closed"),
        ("Y4", NP, "Unable to attend: whole school site unexpectedly closed"),
        ("Y5", NP, "Unable to attend: criminal justice detention"),
        ("Y6", NP, "Unable to attend: public health guidance or law"),
        ("Y7", NP, "Unable to attend: any other unavoidable cause"),
        ("Z", NP, "Prospective pupil not yet on roll"),
        ("#", NP, "Planned whole or partial school closure"),
    ],
)

CODES_2006: dict[str, Code] = _table(
    "2006",
    [
        ("/", P, "Present (AM)"),
        ("\\", P, "Present (PM)"),
        ("L", P, "Late, before registers closed"),
        ("B", A, "Educated off site (not dual registration)"),
        ("J", A, "At an interview with prospective employers or another establishment"),
        ("P", A, "Participating in a supervised sporting activity"),
        ("V", A, "Educational visit or trip"),
        ("W", A, "Work experience"),
        ("C", AU, "Other authorised circumstances"),
        ("E", AU, "Excluded, no alternative provision made"),
        ("H", AU, "Holiday authorised by the school"),
        ("F", AU, "Agreed extended family holiday (legacy)"),
        ("I", AU, "Illness (not medical or dental appointment)"),
        ("M", AU, "Medical or dental appointment"),
        ("R", AU, "Religious observance"),
        ("S", AU, "Study leave"),
        ("T", AU, "Traveller absence"),
        ("G", UN, "Holiday not authorised by the school"),
        ("N", UN, "No reason yet provided for absence"),
        ("O", UN, "Unauthorised absence not covered by any other code"),
        ("U", UN, "Arrived in school after registers closed"),
        ("D", NP, "Dual registered: at another establishment"),
        ("X", NP, "Non-compulsory school age absence"),
        ("Y", NP, "Enforced closure"),
        ("Z", NP, "Pupil not on admission register"),
        ("#", NP, "School closed to pupils"),
    ],
)

UNAUTHORISED_CODES = frozenset({"G", "N", "O", "U"})
UNEXPLAINED_CODES = frozenset({"N", "O"})
LATE_CODES = frozenset({"L", "U"})


def code_set_for(date: dt.date) -> dict[str, Code]:
    """The code set in force on ``date``."""
    return CODES_2024 if date >= CODE_SET_2024_START else CODES_2006


def code_set_name(date: dt.date) -> str:
    return "2024" if date >= CODE_SET_2024_START else "2006"


def normalise_code(raw: str) -> str:
    """Upper-case and drop white space ("c 1 " -> "C1"); never changes meaning."""
    return "".join(raw.split()).upper()


def lookup(code: str, date: dt.date) -> Code | None:
    """The code as valid on ``date`` (already normalised), or None when that set lacks it."""
    return code_set_for(date).get(code)


def code_for_stored(stored: str, date: dt.date) -> Code | None:
    """Reverse of ``Code.stored`` for the set in force on ``date``."""
    return _BY_STORED[code_set_name(date)].get(stored)


_BY_STORED = {
    "2024": {c.stored: c for c in CODES_2024.values()},
    "2006": {c.stored: c for c in CODES_2006.values()},
}

# Category of every stored character; identical in both sets (checked by a test).
CATEGORY_OF_STORED: dict[str, Category] = {
    **{c.stored: c.category for c in CODES_2006.values()},
    **{c.stored: c.category for c in CODES_2024.values()},
    NO_MARK: Category.NO_MARK,
    MISSING_MARK: Category.MISSING,
}


def stored_chars(*categories: Category) -> str:
    """Every stored character in the given categories, as one string (for counting)."""
    return "".join(ch for ch, cat in CATEGORY_OF_STORED.items() if cat in categories)


def describe_stored(stored: str, date: dt.date) -> tuple[str, str, str]:
    """(code as written, meaning, category) for a stored character on a date."""
    if stored == NO_MARK:
        return "", "No mark: not on roll or no register taken", Category.NO_MARK.value
    if stored == MISSING_MARK:
        return "-", "No mark yet (missing data)", Category.MISSING.value
    code = code_for_stored(stored, date)
    if code is None:  # pragma: no cover - import validation prevents this
        return stored, "Unknown code", "unknown"
    return code.code, code.meaning, code.category.value


CODE_TABLE_COLUMNS = ["code", "code_set", "category", "possible", "attended", "meaning", "maps_to"]


def code_table(local_codes: dict[str, str] | None = None) -> list[dict[str, object]]:
    """Every code of both sets (2024 first), then any local codes of an LA code map, each with
    its category and whether it is a possible / attended session. A local code's category is
    its statutory code's in the 2024 set (else the 2006 set)."""
    rows: list[dict[str, object]] = []
    for code_set in (CODES_2024, CODES_2006):
        for code in code_set.values():
            rows.append(
                {
                    "code": code.code,
                    "code_set": code.code_set,
                    "category": code.category.value,
                    "possible": code.category.is_possible,
                    "attended": code.category.is_attended,
                    "meaning": code.meaning,
                    "maps_to": None,
                }
            )
    rows.append(
        {
            "code": MISSING_MARK,
            "code_set": "both",
            "category": Category.MISSING.value,
            "possible": False,
            "attended": False,
            "meaning": "No mark yet (missing data; counted and reported, never possible)",
            "maps_to": None,
        }
    )
    for local, target in sorted((local_codes or {}).items()):
        statutory = CODES_2024.get(target) or CODES_2006[target]
        rows.append(
            {
                "code": local,
                "code_set": "local",
                "category": statutory.category.value,
                "possible": statutory.category.is_possible,
                "attended": statutory.category.is_attended,
                "meaning": f"Local code: read as {target} ({statutory.meaning})",
                "maps_to": target,
            }
        )
    return rows
