"""The committed sample LA (``sample_data/``) is exactly what its generator writes, and every
identifier and code in it is valid.

The expected figures of the designed pupils are counted by hand from the calendar, not taken
from the generator: 3 Sep - 14 Nov 2025 without half-term is 48 school days = 96 sessions; the
INSET day (``#``, Fri 17 Oct) leaves 94 possible sessions, 92 at St Anne's (``Y4`` on Tue 4 Nov).
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from attendance_cli.codes import (
    CODE_SET_2024_START,
    CODES_2024,
    MISSING_MARK,
    Category,
    normalise_code,
)
from attendance_cli.identifiers import upn_problem

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
RIVERSIDE, CASTLE_HILL, ST_ANNES, MEADOWBANK = "8992001", "8994001", "8992002", "8997001"
SESSION = {"AM": 0, "PM": 1}

Marks = dict[tuple[str, str], dict[tuple[dt.date, int], str]]  # (LAESTAB, UPN) -> session -> code


def _generator() -> ModuleType:
    name = "sample_data_generate"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SAMPLE / "generate.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the class is built
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample_data")
    _generator().generate(out)
    return out


def _rows_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _rows_xlsx(path: Path) -> Iterator[tuple[object, ...]]:
    """Every sheet's name, then its rows (python-calamine: blank cells are '')."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    for name in workbook.sheet_names:
        yield (f"sheet:{name}",)
        yield from (tuple(row) for row in workbook.get_sheet_by_name(name).to_python())


def _uk_date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


def read_marks(folder: Path) -> Marks:
    """Every mark in the four register files, read directly (not through the importer)."""
    marks: Marks = {}

    def put(laestab: str, upn: str, day: dt.date, session: int, code: object) -> None:
        if code in (None, ""):
            return
        marks.setdefault((laestab, upn), {})[(day, session)] = str(code)

    rows = _rows_csv(folder / "riverside_primary_grid.csv")
    header = rows[0]
    assert header[:4] == ["UPN", "Surname", "Forename", "Year"]
    slots = [(dt.date.fromisoformat(h.split()[0]), SESSION[h.split()[1]]) for h in header[4:]]
    for row in rows[1:]:
        for (day, session), code in zip(slots, row[4:], strict=True):
            put(RIVERSIDE, row[0], day, session, code)

    rows = _rows_csv(folder / "castle_hill_marks.csv")
    assert rows[0] == ["UPN", "Surname", "Forename", "Year", "Date", "Session", "Mark", "LAESTAB"]
    for upn, _, _, _, day, session, code, laestab in rows[1:]:
        assert laestab == CASTLE_HILL
        put(CASTLE_HILL, upn, _uk_date(day), SESSION[session], code)

    grid = list(_rows_xlsx(folder / "st_annes_grid.xlsx"))
    assert grid[0] == ("sheet:Attendance",)
    header = [str(h) for h in grid[1]]
    assert header[:4] == ["Pupil UPN", "Legal Surname", "Legal Forename", "Year Group"]
    slots = [(_uk_date(h.split()[1]), SESSION[h.split()[2]]) for h in header[4:]]
    for row in grid[2:]:
        cells = row[4:] + ("",) * (len(slots) - len(row[4:]))
        for (day, session), code in zip(slots, cells, strict=True):
            put(ST_ANNES, str(row[0]), day, session, code)

    long = list(_rows_xlsx(folder / "meadowbank_marks.xlsx"))
    assert long[:2] == [("sheet:Marks",), ("UPN", "Date", "AM/PM", "Attendance Code")]
    for upn, day, session, code in long[2:]:
        assert isinstance(day, dt.date), "Meadowbank dates are real Excel dates"
        put(MEADOWBANK, str(upn), day, SESSION[str(session)], code)
    return marks


@pytest.fixture(scope="module")
def marks() -> Marks:
    return read_marks(SAMPLE)


@pytest.mark.parametrize(
    "name",
    ["roster.csv", "riverside_primary_grid.csv", "castle_hill_marks.csv", "README.md"],
)
def test_committed_text_files_are_byte_identical_to_a_fresh_run(
    name: str, regenerated: Path
) -> None:
    assert (SAMPLE / name).read_bytes() == (regenerated / name).read_bytes(), (
        f"sample_data/{name} is stale: run `python sample_data/generate.py`"
    )


@pytest.mark.parametrize("name", ["roster.xlsx", "st_annes_grid.xlsx", "meadowbank_marks.xlsx"])
def test_committed_workbooks_hold_what_a_fresh_run_writes(name: str, regenerated: Path) -> None:
    # Cell values, not bytes: zip bytes may differ with the openpyxl or zlib version.
    assert list(_rows_xlsx(SAMPLE / name)) == list(_rows_xlsx(regenerated / name))


def test_the_generator_writes_only_the_committed_files(regenerated: Path) -> None:
    committed = {p.name for p in SAMPLE.iterdir() if p.is_file() and p.name != "generate.py"}
    assert committed == {p.name for p in regenerated.iterdir()}


def test_every_upn_is_valid(marks: Marks) -> None:
    roster = _rows_csv(SAMPLE / "roster.csv")
    upns = {row[0] for row in roster[1:]} | {upn for _, upn in marks}
    roster_xlsx = list(_rows_xlsx(SAMPLE / "roster.xlsx"))[2:]
    upns |= {str(row[0]) for row in roster_xlsx}
    assert len(upns) > 300
    assert [(upn, upn_problem(upn)) for upn in sorted(upns) if upn_problem(upn)] == []
    # every enrolment with marks is on the roster
    enrolled = {(row[6], row[0]) for row in roster[1:]}
    assert set(marks) <= enrolled


def test_every_mark_is_a_2024_code_on_a_school_day(marks: Marks) -> None:
    bad = []
    for (laestab, upn), sessions in marks.items():
        for (day, session), code in sessions.items():
            if code != normalise_code(code) or (code not in CODES_2024 and code != MISSING_MARK):
                bad.append((laestab, upn, day, session, code))
            if day < CODE_SET_2024_START or day.weekday() >= 5:
                bad.append((laestab, upn, day, session, "date"))
            if dt.date(2025, 10, 27) <= day <= dt.date(2025, 10, 31):
                bad.append((laestab, upn, day, session, "half-term"))
    assert bad == []
    used = {code for sessions in marks.values() for code in sessions.values()}
    assert set(CODES_2024) <= used, f"codes never used: {set(CODES_2024) - used}"
    assert MISSING_MARK in used


def _figures(codes: list[str]) -> tuple[int, int, int]:
    categories = [CODES_2024[c].category for c in codes if c != MISSING_MARK]
    possible = sum(c.is_possible for c in categories)
    absent = sum(c.is_absent for c in categories)
    return possible, absent, categories.count(Category.UNAUTHORISED)


@pytest.mark.parametrize(
    ("laestab", "upn", "possible", "absent", "unauthorised"),
    [
        pytest.param(RIVERSIDE, "P899200120001", 94, 47, 8, id="severe-exactly-50pct"),
        pytest.param(RIVERSIDE, "L899200122001", 94, 9, 0, id="pa-just-below-10pct"),
        pytest.param(RIVERSIDE, "X899200123001", 94, 7, 1, id="at-risk-7pct"),
        pytest.param(RIVERSIDE, "A899200121001", 94, 14, 6, id="monday-friday-pattern"),
        pytest.param(RIVERSIDE, "C899200119001", 94, 5, 3, id="looked-after-with-N"),
        pytest.param(RIVERSIDE, "A899200122002", 36, 6, 2, id="mover-riverside"),
        pytest.param(ST_ANNES, "A899200122002", 56, 3, 0, id="mover-st-annes"),
        pytest.param(RIVERSIDE, "H899200124001", 20, 1, 0, id="joiner-riverside"),
        pytest.param(RIVERSIDE, "D899200120002", 56, 2, 0, id="leaver-riverside"),
        pytest.param(RIVERSIDE, "U899200125001", 86, 4, 0, id="reception-x"),
        pytest.param(CASTLE_HILL, "M899200316001", 94, 56, 28, id="severe-child-protection"),
        pytest.param(CASTLE_HILL, "G899200417001", 90, 9, 2, id="pa-exactly-10pct"),
        pytest.param(CASTLE_HILL, "A899200218001", 94, 16, 14, id="penalty-threshold-holiday"),
        pytest.param(CASTLE_HILL, "U899200515001", 94, 11, 9, id="penalty-nine-unauthorised"),
        pytest.param(CASTLE_HILL, "V899200116001", 94, 40, 36, id="continuous-unauthorised-cme"),
        pytest.param(CASTLE_HILL, "B899200315001", 46, 10, 4, id="dual-registered-main"),
        pytest.param(MEADOWBANK, "B899200315001", 48, 3, 2, id="dual-registered-pru"),
        pytest.param(CASTLE_HILL, "T899200418001", 48, 2, 0, id="joiner-castle-hill"),
        pytest.param(CASTLE_HILL, "H899200514001", 26, 1, 0, id="leaver-castle-hill"),
        pytest.param(CASTLE_HILL, "Y899200114001", 94, 12, 7, id="friday-afternoon-pattern"),
        pytest.param(ST_ANNES, "F899200223001", 92, 14, 8, id="child-in-need-with-N-O"),
        pytest.param(ST_ANNES, "V899200222001", 92, 15, 14, id="holiday-sibling"),
        pytest.param(ST_ANNES, "Y899200220001", 92, 7, 2, id="at-risk-st-annes"),
        pytest.param(ST_ANNES, "T899200321001", 36, 2, 0, id="joiner-with-z"),
        pytest.param(ST_ANNES, "L899200219001", 74, 2, 0, id="leaver-st-annes"),
        pytest.param(MEADOWBANK, "J899200116002", 94, 53, 4, id="severe-part-time-timetable"),
        pytest.param(MEADOWBANK, "H899200515002", 84, 52, 48, id="severe-looked-after"),
        pytest.param(MEADOWBANK, "P899200218002", 58, 2, 0, id="joiner-no-transport-q"),
    ],
)
def test_designed_pupils_have_their_hand_counted_figures(
    marks: Marks, laestab: str, upn: str, possible: int, absent: int, unauthorised: int
) -> None:
    assert _figures(list(marks[(laestab, upn)].values())) == (possible, absent, unauthorised)


def test_the_continuous_absence_is_fifteen_school_days_still_running(marks: Marks) -> None:
    sessions = marks[(CASTLE_HILL, "V899200116001")]
    codes = [code for _, code in sorted(sessions.items()) if code != "#"]  # '#' never breaks it
    assert set(codes[-30:]) <= {"N", "O"} and codes[-31] not in "GNOU"
    assert sorted(sessions)[-1] == (dt.date(2025, 11, 14), 1)
