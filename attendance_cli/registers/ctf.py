"""The DfE Common Transfer File (CTF, XML): pupils and their session marks.

Read with defusedxml (no entity expansion, no external entities). What att takes:

- ``CTfile/Header/SourceSchool``: ``LEA`` (3 digits) + ``Estab`` (4) = the LAESTAB;
- ``CTfile/CTFpupilData/Pupil``: ``UPN``, ``Surname``, ``Forename``, ``DOB``, ``Gender``;
- ``Pupil/Attendance/YearData``: optional ``LEA``/``Estab`` (the school of that year, else the
  source school), ``SessionsPossible``, ``SessionsAuthorised``, ``SessionsUnauthorised`` and
  ``AttendSessions`` with ``AttendanceStartDate`` and ``AttendanceMarks``: one character per
  session, AM then PM, from the start date.

The DfE specification's own words on AttendanceMarks could not be read from any public copy
found (docs/domain/ctf.md says what was searched and what was found). One MIS supplier's public
exporter writes two characters for every date of the school calendar from the start date, ``##``
for a date not in session, ``/`` and ``\\`` for present. So att decides per pupil-year from the
string itself and refuses what stays ambiguous:

- if every Saturday and Sunday position (reading the string as calendar days) holds a
  no-session character (space, ``#``, ``*``, ``!``), and one weekend is written ``##`` or lies
  between a marked Friday and a marked Monday, weekends are in the string and skipped (blank
  weekends with neither could be a spell off roll in a school-days string: refused);
- if none of them does, the string is read as school days only (Monday to Friday);
- anything between is refused, naming the pupil and saying why.

A space or ``*`` is "no mark applies" (not on roll); ``#`` is a planned closure (on a weekday
too: a holiday or closure inside the string); ``-`` no mark yet. The 2024 set's two-character
codes (``C1``, ``C2``, ``J1``, ``Y1``-``Y7``) cannot be one character per session: a string
that writes one whole (``Y1`` inline, which moves every later mark one session on) is refused,
and so is a bare ``J`` or ``Y`` on a date in the 2024 set (J1 changed category; Y could be any of
Y1-Y7). Any other character that is no DfE code is refused unless the LA's code map maps it.
The totals in ``YearData`` are cross-checked against the marks: a mismatch is refused. CTF 25
writes the pupil's ``Sex`` where earlier versions wrote ``Gender``; either is read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from attendance_cli.codes import CODE_SET_2024_START
from attendance_cli.errors import InvalidInputError, Problem
from attendance_cli.registers.readers import SourceFile
from attendance_cli.registers.values import parse_date

CTF_SUFFIXES = {".xml", ".ctf"}
MARKS_HEADER = ["UPN", "Surname", "Forename", "Date", "Session", "Mark", "LAESTAB"]
ROSTER_HEADER = ["UPN", "Surname", "Forename", "DOB", "Gender", "LAESTAB"]
NO_SESSION = {" ", "#", "*", "!"}
NOT_ON_ROLL = {" ", "*", "!"}
MAX_CTF_BYTES = 200 * 1024 * 1024
# The 2024 set's two-character codes (DfE, "Working together to improve school attendance",
# August 2024): a CTF gives each session one character, so they cannot be written as they are.
TWO_CHARACTER_2024 = {"C1", "C2", "J1", *(f"Y{n}" for n in range(1, 8))}
# A 2006 code that is gone from the 2024 set, where its place went to two-character codes.
TRUNCATED_2024 = {
    "J": "J1 (interview) is now a leave of absence, where 2006's J counted as an approved "
    "educational activity",
    "Y": "it may stand for any of Y1-Y7 (unable to attend: seven different reasons)",
}


def looks_like_ctf(path: Path, head: bytes) -> bool:
    return path.suffix.lower() in CTF_SUFFIXES or head.lstrip().startswith(b"<?xml")


@dataclass
class CtfPupilYear:
    upn: str
    laestab: str
    pupil_number: int
    sessions: list[tuple[dt.date, int, str]] = field(default_factory=list)


def _text(element: Any, path: str) -> str | None:
    found = element.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _problem(path: Path, number: int, column: str, message: str, hint: str) -> Problem:
    return Problem(path.name, number, column, message, hint)


def read_ctf(path: Path, size: int) -> list[SourceFile]:
    """The CTF as two sources: a roster (pupils' details) and a marks file; problems in the
    file's structure are raised together (row = the pupil's number in the file)."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    if size > MAX_CTF_BYTES:
        raise InvalidInputError(
            f"{path.name} is {size // (1024 * 1024):,} MiB, over att's limit for a CTF",
            file=path.name,
            hint="Ask the school for a CTF per year group.",
        )
    try:
        root = ElementTree.parse(path).getroot()
    except DefusedXmlException as exc:
        raise InvalidInputError(
            f"{path.name} uses XML features att refuses to read ({type(exc).__name__})",
            file=path.name,
            hint="Export the CTF again from the school's system.",
        ) from None
    except ElementTree.ParseError as exc:
        raise InvalidInputError(
            f"{path.name} is not well-formed XML ({exc})",
            file=path.name,
            hint="Export the CTF again from the school's system.",
        ) from None
    if _local(root.tag) != "CTfile":
        raise InvalidInputError(
            f"{path.name} is XML but not a Common Transfer File (its root is {_local(root.tag)!r})",
            file=path.name,
            hint="att reads DfE CTF files (root CTfile) and CSV/XLSX registers.",
        )
    _strip_namespaces(root)
    lea, estab = _text(root, "Header/SourceSchool/LEA"), _text(root, "Header/SourceSchool/Estab")
    source_school = f"{lea}{estab}" if lea and estab else None
    problems: list[Problem] = []
    roster: list[list[str | None]] = []
    marks: list[list[str | None]] = []
    marks_rows: list[int] = []
    for number, pupil in enumerate(root.findall("CTFpupilData/Pupil"), start=1):
        upn = _text(pupil, "UPN")
        names = (_text(pupil, "Surname"), _text(pupil, "Forename"))
        dob = _text(pupil, "DOB")
        sex = _text(pupil, "Gender") or _text(pupil, "Sex")  # CTF 25 writes Sex
        roster.append([upn, *names, dob, sex, source_school])
        for year_data in pupil.findall("Attendance/YearData"):
            year_lea, year_estab = _text(year_data, "LEA"), _text(year_data, "Estab")
            school = f"{year_lea}{year_estab}" if year_lea and year_estab else source_school
            for block in year_data.findall("AttendSessions"):
                sessions = _sessions(path, number, upn, block, problems)
                if sessions is None:
                    continue
                _cross_check(path, number, upn, year_data, sessions, problems)
                for day, session, mark in sessions:
                    if mark in NOT_ON_ROLL:
                        continue
                    marks.append(
                        [upn, *names, day.isoformat(), ("AM", "PM")[session], mark, school]
                    )
                    marks_rows.append(number)
    if problems:
        raise InvalidInputError(
            f"{path.name} has {len(problems)} problem(s) in its attendance; nothing from it was "
            "imported",
            problems=problems[:50],
            total_problems=len(problems),
            file=path.name,
        )
    if not roster:
        raise InvalidInputError(
            f"{path.name} is a CTF with no pupils (CTFpupilData/Pupil)",
            file=path.name,
            hint="Check you were sent the right file.",
        )
    sources = [
        SourceFile(path, "ctf", list(ROSTER_HEADER), size, sheet="pupils", ctf_rows=roster),
    ]
    if marks:
        sources.append(
            SourceFile(
                path,
                "ctf",
                list(MARKS_HEADER),
                size,
                sheet="attendance",
                ctf_rows=marks,
                ctf_row_numbers=marks_rows,
            )
        )
    return sources


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _strip_namespaces(root: Any) -> None:
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = _local(element.tag)


def _sessions(
    path: Path, number: int, upn: str | None, block: Any, problems: list[Problem]
) -> list[tuple[dt.date, int, str]] | None:
    start_text = _text(block, "AttendanceStartDate")
    raw = block.find("AttendanceMarks")
    text = raw.text if raw is not None and raw.text is not None else ""
    who = f"pupil {upn or number}"
    if not start_text:
        problems.append(
            _problem(
                path,
                number,
                "AttendanceStartDate",
                f"{who}: AttendSessions has no AttendanceStartDate",
                "Export the CTF again with attendance sessions.",
            )
        )
        return None
    start, why = parse_date(start_text)
    if start is None:
        problems.append(_problem(path, number, "AttendanceStartDate", f"{who}: {why}", ""))
        return None
    inline = _inline_two_character_code(text)
    if inline is not None:
        position, code = inline
        problems.append(
            _problem(
                path,
                number,
                "AttendanceMarks",
                f"{who}: AttendanceMarks holds {code!r} at characters {position + 1}-"
                f"{position + 2}: a 2024 two-character code written into a string of one "
                "character per session, which moves every later mark one session on; att "
                "cannot tell which session each later mark is for",
                "Ask the school's MIS supplier for a CTF that follows the DfE specification, or "
                "export a session-marks CSV (one row per session, the code in its own cell).",
            )
        )
        return None
    if len(text) % 2:
        problems.append(
            _problem(
                path,
                number,
                "AttendanceMarks",
                f"{who}: AttendanceMarks has {len(text)} characters, not a whole number of days "
                "(one AM and one PM character per day)",
                "Export the CTF again; att cannot tell which session each mark is for.",
            )
        )
        return None
    days = [text[i : i + 2] for i in range(0, len(text), 2)]
    calendar = [start + dt.timedelta(days=k) for k in range(len(days))]
    weekend = [k for k, d in enumerate(calendar) if d.weekday() >= 5]
    blank_weekends = [k for k in weekend if set(days[k]) <= NO_SESSION]
    if weekend and len(blank_weekends) == len(weekend):
        if not _weekends_shown(days, calendar):
            problems.append(
                _problem(
                    path,
                    number,
                    "AttendanceMarks",
                    f"{who}: every weekend position (counting calendar days) is blank, but none "
                    "is written '##' and none lies between marked days, so the blanks may be a "
                    "spell off roll in a string of school days only; att cannot tell which",
                    "Ask the school's MIS supplier how its CTF writes non-school days, or export "
                    "a session-marks CSV instead.",
                )
            )
            return None
        dated = [(d, pair) for d, pair in zip(calendar, days, strict=True) if d.weekday() < 5]
    elif weekend and not any(_possible(ch) for k in weekend for ch in days[k]):
        shown = "".join(sorted({ch for k in weekend for ch in days[k]}))
        problems.append(
            _problem(
                path,
                number,
                "AttendanceMarks",
                f"{who}: every weekend position (counting calendar days) holds {shown!r}, which "
                "is no present or absence code: the string may count weekends, or be school days "
                "only with those marks on weekdays; att cannot tell which",
                "Ask the school's MIS supplier how its CTF writes non-school days, or export a "
                "session-marks CSV instead.",
            )
        )
        return None
    elif not blank_weekends:
        if start.weekday() >= 5:
            problems.append(
                _problem(
                    path,
                    number,
                    "AttendanceStartDate",
                    f"{who}: AttendanceStartDate {start.isoformat()} is a {start:%A} but the marks "
                    "do not leave weekends blank",
                    "Export the CTF again; att cannot tell which day each mark is for.",
                )
            )
            return None
        dated = []
        day = start
        for pair in days:
            dated.append((day, pair))
            day += dt.timedelta(days=3 if day.weekday() == 4 else 1)
    else:
        problems.append(
            _problem(
                path,
                number,
                "AttendanceMarks",
                f"{who}: AttendanceMarks leaves {len(blank_weekends)} of {len(weekend)} weekends "
                "blank, so att cannot tell whether the string counts weekends or school days only",
                "Ask the school's MIS supplier how its CTF writes non-school days, or export a "
                "session-marks CSV instead.",
            )
        )
        return None
    sessions = [(d, s, pair[s]) for d, pair in dated for s in (0, 1)]
    for day, session, mark in sessions:
        if day >= CODE_SET_2024_START and mark.upper() in TRUNCATED_2024:
            problems.append(
                _problem(
                    path,
                    number,
                    "AttendanceMarks",
                    f"{who}: {mark!r} on {day.isoformat()} {('AM', 'PM')[session]} is no code "
                    f"of the 2024 set in force that day ({TRUNCATED_2024[mark.upper()]}); a string "
                    "of one character per session cannot carry the 2024 code, and att will not "
                    "guess it",
                    "Ask the school which code each such session holds and have the CTF "
                    "exported again, or export a session-marks CSV with the full codes.",
                )
            )
            return None
    return sessions


def _inline_two_character_code(text: str) -> tuple[int, str] | None:
    """The first 2024 two-character code (C1, C2, J1, Y1-Y7) written whole into the string.

    No DfE code is a digit, so a C, J or Y followed by 1-7 is never two sessions' marks."""
    for k in range(len(text) - 1):
        pair = text[k : k + 2].upper()
        if pair in TWO_CHARACTER_2024:
            return k, text[k : k + 2]
    return None


def _weekends_shown(days: list[str], calendar: list[dt.date]) -> bool:
    """Whether the blank weekend positions are weekends, not a spell off roll: one is written
    ``##`` (not in session, as the exporter in docs/domain/ctf.md writes every day out of
    session), or one lies between a marked Friday afternoon and a marked Monday morning."""
    for k, day in enumerate(calendar):
        if day.weekday() >= 5 and days[k] == "##":
            return True
        if (
            day.weekday() == 5
            and k >= 1
            and k + 2 < len(days)
            and days[k - 1][1] not in NO_SESSION
            and days[k + 2][0] not in NO_SESSION
        ):
            return True
    return False


def _possible(char: str) -> bool:
    from attendance_cli import codes

    found = codes.CODES_2024.get(char.upper()) or codes.CODES_2006.get(char.upper())
    return found is not None and found.category.is_possible


def _cross_check(
    path: Path,
    number: int,
    upn: str | None,
    year_data: Any,
    sessions: list[tuple[dt.date, int, str]],
    problems: list[Problem],
) -> None:
    from attendance_cli import codes

    totals = {"possible": 0, "authorised": 0, "unauthorised": 0}
    for day, _session, mark in sessions:
        found = codes.lookup(codes.normalise_code(mark), day) if mark.strip() else None
        if found is None:
            continue  # unknown codes are reported by the register checks
        category = found.category
        if category.is_possible:
            totals["possible"] += 1
        if category is codes.Category.AUTHORISED:
            totals["authorised"] += 1
        if category is codes.Category.UNAUTHORISED:
            totals["unauthorised"] += 1
    for name, key in (
        ("SessionsPossible", "possible"),
        ("SessionsAuthorised", "authorised"),
        ("SessionsUnauthorised", "unauthorised"),
    ):
        stated = _text(year_data, name)
        if stated is None:
            continue
        if not stated.isdigit() or int(stated) != totals[key]:
            problems.append(
                _problem(
                    path,
                    number,
                    name,
                    f"pupil {upn or number}: {name} is {stated} but the AttendanceMarks give "
                    f"{totals[key]}",
                    "The CTF's totals and marks disagree: export it again, or ask the school "
                    "which is right.",
                )
            )
