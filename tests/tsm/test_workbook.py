"""write_tsm_workbook: the TSM pack as the workbook an LA sends a school.

Expected figures come from the sample LA's hand-computed tables (sample_data/README.md): Castle
Hill Academy (8994001) has 180 enrolments, 16,706 possible sessions, 1,159 absent (927
authorised, 232 unauthorised), 49 PA of whom 1 SA (Kieran Doyle, 56 of 94 = 59.57%); the four
schools together (the LA) 380 enrolments, 34,950 possible, 2,585 absent, 96 PA, 4 SA.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from attendance_cli.db.engine import connect
from attendance_cli.errors import InvalidInputError
from attendance_cli.registers.importer import import_registers
from attendance_cli.store import Store
from attendance_cli.tsm.pack import TsmPack, prepare_tsm_pack
from attendance_cli.tsm.workbook import write_tsm_workbook

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
CASTLE_HILL = "8994001"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BANDS = {"Severe": "severe", "Persistent": "persistent", "At risk": "at_risk"}
SHEETS = [
    "Summary",
    "Severe",
    "Persistent",
    "At risk",
    "Below school age",
    "Also listed",
    "Actions",
    "Lists",
]
PUPIL_HEADERS = [
    "UPN",
    "Surname",
    "Forename",
    "Year",
    "Context",
    "Possible",
    "Attended",
    "Authorised",
    "Unauthorised",
    "Late",
    "Attendance %",
    "Absence %",
    "Days missed",
    "Penalty threshold met",
    "Penalty threshold date",
    "Longest absence (days)",
    "Flags",
    "At-risk reasons",
    "Recovery (sessions in a row to leave PA by July)",
    "Pattern",
    "Top reasons",
    "Lead practitioner",
    "Open actions",
    "Next review",
    "Left on",
    "Compulsory school age from",
    "Unexplained (N/O)",
    "Tell the social worker",
    "Part-time timetable (C2 sessions)",
    "C2 from",
    "C2 to",
    "Siblings (whole-family plan)",
    "Agreed since last TSM",
    "Penalty notices",
    "Latest penalty notice",
    "Listed because",
]
ACTIONS_PREFILLED = [
    "UPN",
    "Surname",
    "Forename",
    "Year",
    "Band",
    "Attendance %",
    "Current lead practitioner",
    "Current agency",
    "Current next review",
]
ACTIONS_FILL_IN = [
    "Barriers",
    "Agreed action",
    "Action kind",
    "Owner",
    "Lead practitioner",
    "Agency",
    "Review date",
]
runner = CliRunner()


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_db(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole sample LA imported once for this module (about 3 s)."""
    path = tmp_path_factory.mktemp("sample_la") / "att.sqlite"
    shutil.copyfile(template_db, path)
    conn = Store(connect(path), path)
    files = [
        "roster.csv",
        "riverside_primary_grid.csv",
        "castle_hill_marks.csv",
        "st_annes_grid.xlsx",
        "meadowbank_marks.xlsx",
    ]
    result = import_registers(conn, paths=[SAMPLE / name for name in files])
    assert [f.status for f in result.files] == ["imported"] * len(files)
    conn.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture(scope="module")
def sample_pack(sample_db: Path) -> TsmPack:
    conn = Store(connect(sample_db), sample_db)
    try:
        return prepare_tsm_pack(conn, school=CASTLE_HILL)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def sample_book(sample_pack: TsmPack, tmp_path_factory: pytest.TempPathFactory) -> Workbook:
    path = tmp_path_factory.mktemp("book") / "pack.xlsx"
    assert write_tsm_workbook(sample_pack, path, generated_on=dt.date(2025, 11, 17)) == path
    return load_workbook(path)


HOSTILE_SURNAME = '=HYPERLINK("http://x")'
HOSTILE_FORENAME = "@SUM(A1)"


@pytest.fixture
def hostile_pack(sample_pack: TsmPack) -> TsmPack:
    """The sample pack with text a spreadsheet would run (pupil names, school name, period label,
    flags, lead practitioner), two pupils and no at-risk pupils at all. Built with
    ``dataclasses.replace`` from real pupils so that it keeps up with the pack's fields."""
    severe = next(p for p in sample_pack.pupils if p.band == "severe")
    persistent = next(p for p in sample_pack.pupils if p.band == "persistent")
    year_groups = [c for c in sample_pack.cohorts if c.dimension == "year_group"]
    gender = next(c for c in sample_pack.cohorts if c.dimension == "gender")
    return replace(
        sample_pack,
        school={"laestab": "8992001", "name": "=Evil & Sons School"},
        period=sample_pack.period | {"label": "+custom"},
        national=replace(sample_pack.national, source="-test source"),
        pupils=[
            replace(
                severe,
                surname=HOSTILE_SURNAME,
                forename=HOSTILE_FORENAME,
                year_group="R",
                fsm=True,
                sen="E",
                social_worker="CP",
                looked_after=True,
                flags=["=1+1", "-2"],
                pattern=["\tTab"],
                top_reasons=["-1 x2"],
                lead_practitioner="+44 7700 900123",
                lead_agency="-school",
                next_review=dt.date(2025, 12, 1),
                pa_unavoidable_this_year=True,
            ),
            replace(
                persistent,
                surname="O'Brien",
                forename="#N/A",
                year_group="11",
                fsm=False,
                sen="N",
                social_worker=None,
                looked_after=False,
                penalty_threshold_met=False,
                penalty_threshold_date=None,
                pa_unavoidable_this_year=False,
                recovery_sessions_year=50,
            ),
        ],
        no_plan_or_lead=[persistent.upn],
        cohorts=[*year_groups[:2], replace(gender, value="=F")],
        weeks=[dt.date(2025, 9, 1), dt.date(2025, 9, 8)],
        school_weekly=[62.5, None],
    )


@pytest.fixture
def hostile_book(hostile_pack: TsmPack, tmp_path: Path) -> Iterator[Workbook]:
    path = write_tsm_workbook(hostile_pack, tmp_path / "hostile.xlsx")
    yield load_workbook(path)


# --- helpers -------------------------------------------------------------------------------


def _header(ws: Worksheet, row: int = 1) -> list[Any]:
    return [cell.value for cell in ws[row] if cell.value is not None]


def _records(ws: Worksheet) -> list[dict[str, Any]]:
    """Rows under the header on row 1 that name a pupil (column A holds a UPN)."""
    header = [cell.value for cell in ws[1]]
    records = []
    for values in ws.iter_rows(min_row=2, values_only=True):
        if values[0] and values[0] != "No pupils":
            records.append(dict(zip(header, values, strict=False)))
    return records


def _find_row(ws: Worksheet, label: str) -> tuple[Any, ...]:
    for values in ws.iter_rows(values_only=True):
        if values[0] == label:
            return values
    raise AssertionError(f"no row {label!r} on {ws.title}")


def _assert_no_formulas(book: Workbook) -> None:
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(TRIGGERS), (ws.title, cell.coordinate)


# --- the sample LA -------------------------------------------------------------------------


def test_sheet_names(sample_book: Workbook) -> None:
    assert sample_book.sheetnames == SHEETS
    assert sample_book["Lists"].sheet_state == "hidden"
    assert [ws.sheet_state for ws in sample_book.worksheets[:5]] == ["visible"] * 5


@pytest.mark.parametrize("sheet", list(BANDS))
def test_band_sheets_list_the_packs_pupils_in_order(
    sample_book: Workbook, sample_pack: TsmPack, sheet: str
) -> None:
    ws = sample_book[sheet]
    expected = [p.upn for p in sample_pack.pupils if p.section == BANDS[sheet]]
    assert [r["UPN"] for r in _records(ws)] == expected
    assert _header(ws) == PUPIL_HEADERS
    assert ws.freeze_panes == "D2"  # the header row and the UPN and name columns
    assert ws.auto_filter.ref == f"A1:AJ{len(expected) + 1}"
    assert all(cell.font.bold for cell in ws[1])


def test_band_counts_are_the_sample_las(sample_pack: TsmPack) -> None:
    # Castle Hill: 49 PA of whom 1 SA -> 1 severe + 48 persistent; 16 at risk in the README
    # table plus pupils listed for recent absence or last year's PA (the pack's superset)
    counts = {band: sum(p.band == band for p in sample_pack.pupils) for band in BANDS.values()}
    assert (counts["severe"], counts["persistent"]) == (1, 48)
    assert counts["at_risk"] >= 16


def test_severe_sheet_figures_equal_the_pack(sample_book: Workbook, sample_pack: TsmPack) -> None:
    (row,) = _records(sample_book["Severe"])
    (pupil,) = [p for p in sample_pack.pupils if p.band == "severe"]
    # hand-computed (README, severe-child-protection): 56 of 94 absent, 28 I + 28 N/O
    assert (row["UPN"], row["Surname"], row["Forename"], row["Year"]) == (
        "M899200316001",
        "Doyle",
        "Kieran",
        9,
    )
    assert (row["Possible"], row["Attended"], row["Authorised"], row["Unauthorised"]) == (
        94,
        38,
        28,
        28,
    )
    assert (row["Absence %"], row["Attendance %"], row["Days missed"]) == (59.6, 40.4, 28)
    assert row["Penalty threshold met"] == "Yes"
    assert row["Context"] == "FSM, CP"
    assert row["Recovery (sessions in a row to leave PA by July)"] == "PA unavoidable this year"
    # and every figure is the pack's own
    assert row["Late"] == pupil.late
    assert row["Penalty threshold date"].date() == pupil.penalty_threshold_date
    assert row["Longest absence (days)"] == pupil.longest_absence_days
    assert row["Flags"] == "; ".join(pupil.flags)
    assert row["Top reasons"] == ", ".join(pupil.top_reasons)
    assert row["Open actions"] == 0 and row["Next review"] is None


def test_persistent_sheet_figures_equal_the_pack(
    sample_book: Workbook, sample_pack: TsmPack
) -> None:
    rows = {r["UPN"]: r for r in _records(sample_book["Persistent"])}
    for pupil in (p for p in sample_pack.pupils if p.band == "persistent"):
        row = rows[pupil.upn]
        assert (row["Possible"], row["Authorised"], row["Unauthorised"]) == (
            pupil.possible,
            pupil.authorised,
            pupil.unauthorised,
        )
        assert row["Absence %"] == pupil.absence_pct
        assert row["Days missed"] == pupil.days_missed
    # hand-computed boundary (README, pa-exactly-10pct): 9 of 90 = 10.00% is PA
    assert rows["G899200417001"]["Absence %"] == 10.0
    assert rows["G899200417001"]["Possible"] == 90


def test_percentages_and_dates_are_typed_cells(sample_book: Workbook) -> None:
    ws = sample_book["Severe"]
    header = [cell.value for cell in ws[1]]
    attendance = ws.cell(row=2, column=header.index("Attendance %") + 1)
    assert (attendance.data_type, attendance.number_format) == ("n", "0.0")
    penalty = ws.cell(row=2, column=header.index("Penalty threshold date") + 1)
    assert penalty.is_date and penalty.number_format == "dd/mm/yyyy"


def test_summary_headline_school_la_and_national(sample_book: Workbook) -> None:
    ws = sample_book["Summary"]
    assert ws["A1"].value == "Targeting Support Meeting pack: Castle Hill Academy (8994001)"
    assert _find_row(ws, "LAESTAB")[1] == "8994001"
    assert _find_row(ws, "Generated")[1].date() == dt.date(2025, 11, 17)
    # measure, school n, out of, %, LA n, out of, %, national %
    assert _find_row(ws, "Pupils on roll (with a possible session)")[:6:4] == (
        "Pupils on roll (with a possible session)",
        380,
    )
    assert _find_row(ws, "Absence (sessions missed)")[:8] == (
        "Absence (sessions missed)",
        1159,
        16706,
        6.9,
        2585,
        34950,
        7.4,
        6.9,
    )
    assert _find_row(ws, "Authorised absence (sessions)")[1:3] == (927, 16706)
    assert _find_row(ws, "Unauthorised absence (sessions)")[1:3] == (232, 16706)
    assert _find_row(ws, "Persistent absence, 10% or more (pupils)")[:8] == (
        "Persistent absence, 10% or more (pupils)",
        49,
        180,
        27.2,
        96,
        380,
        25.3,
        18.7,
    )
    severe = _find_row(ws, "Severe absence, 50% or more (pupils)")
    assert severe[1:8] == (1, 180, 0.6, 4, 380, 1.1, None)  # national SA not published


def test_summary_cohort_table(sample_book: Workbook, sample_pack: TsmPack) -> None:
    ws = sample_book["Summary"]
    rows = [r for r in ws.iter_rows(values_only=True) if r[0] == "Year group" and r[1]]
    cohort_rows = [r for r in rows if r[1] not in ("Cohort", "On roll")]  # not the headers
    year_groups = [c for c in sample_pack.cohorts if c.dimension == "year_group"]
    assert [r[1] for r in cohort_rows] == [f"Year {c.value}" for c in year_groups]
    assert sum(r[2] for r in cohort_rows) == 180  # on roll
    assert sum(r[3] for r in cohort_rows) == 16706  # possible
    groups = {r[0] for r in ws.iter_rows(values_only=True)}
    assert {"Free school meals", "SEN", "Social care", "Gender"} <= groups


def test_summary_has_native_charts_on_its_own_cells(sample_book: Workbook) -> None:
    ws = sample_book["Summary"]
    charts = ws._charts
    assert len(charts) >= 2
    kinds = {type(chart).__name__ for chart in charts}
    assert kinds == {"LineChart", "BarChart"}
    for chart in charts:
        for series in chart.series:
            assert series.val.numRef.f.startswith(("Summary!", "'Summary'!"))
    line = next(c for c in charts if type(c).__name__ == "LineChart")
    first = line.series[0].val.numRef.f  # e.g. Summary!$B$62:$B$71
    column_cells = first.split("!")[1].replace("$", "").split(":")
    values = [cell.value for row in ws[column_cells[0] : column_cells[1]] for cell in row]
    assert len(values) == 10  # 10 school weeks, 3 Sep - 14 Nov 2025 without half-term


def test_actions_sheet(sample_book: Workbook, sample_pack: TsmPack) -> None:
    ws = sample_book["Actions"]
    assert _header(ws) == ACTIONS_PREFILLED + ACTIONS_FILL_IN
    listed = [p for band in BANDS.values() for p in sample_pack.pupils if p.band == band]
    records = _records(ws)
    assert [r["UPN"] for r in records] == [p.upn for p in listed]
    assert [r["Band"] for r in records][:2] == ["Severe", "Persistent"]
    assert records[-1]["Band"] == "At risk"
    assert all(r[h] is None for r in records for h in ACTIONS_FILL_IN)
    assert ws.freeze_panes == "D2"  # the header row and the UPN and name columns
    assert ws.auto_filter.ref == f"A1:P{len(listed) + 1}"

    validations = {dv.errorTitle: dv for dv in ws.data_validations.dataValidation}
    assert set(validations) == {"Action kind", "Agency", "Review date"}
    column = {header: chr(ord("A") + i) for i, header in enumerate(_header(ws))}
    for title in validations:
        assert str(validations[title].sqref).startswith(f"{column[title]}2:")
        assert f"{column[title]}{len(listed) + 1}" in validations[title].sqref
    assert validations["Review date"].type == "date"
    assert validations["Agency"].type == validations["Action kind"].type == "list"
    lists = sample_book["Lists"]

    def listed_values(reference: str) -> list[str]:
        cells = reference.split("!")[1].replace("$", "")
        return [cell.value for row in lists[cells] for cell in row]

    assert listed_values(validations["Agency"].formula1) == [
        "school",
        "LA",
        "early help",
        "health",
        "housing",
        "social care",
        "other",
    ]
    kinds = listed_values(validations["Action kind"].formula1)
    assert {"meeting with family", "attendance contract", "ESO application"} <= set(kinds)
    assert "penalty notice" not in kinds  # recorded with `att penalty add`
    assert "prosecution s.444(1A)" in kinds and "school attendance order" in kinds


def test_workbook_says_it_is_an_att_tsm_pack(sample_book: Workbook, sample_pack: TsmPack) -> None:
    props = {p.name: p.value for p in sample_book.custom_doc_props}
    assert props["att_tsm_pack"] == "1"
    assert props["att_school"] == "8994001"
    assert props["att_period_to"] == "2025-11-14"
    listed = sum(p.band != "none" for p in sample_pack.pupils)
    name = sample_book.defined_names["att_tsm_actions"]
    assert name.attr_text == f"Actions!$A$1:$P${listed + 1}"


def test_sample_workbook_has_no_formulas(sample_book: Workbook) -> None:
    _assert_no_formulas(sample_book)


# --- hostile text, empty bands, the file itself --------------------------------------------


def test_formula_like_names_are_written_as_text(hostile_book: Workbook) -> None:
    _assert_no_formulas(hostile_book)
    (severe,) = _records(hostile_book["Severe"])
    assert severe["Surname"] == "'" + HOSTILE_SURNAME
    assert severe["Forename"] == "'" + HOSTILE_FORENAME
    assert severe["Flags"] == "'=1+1; -2"
    assert severe["Pattern"] == "'\tTab"
    assert severe["Lead practitioner"] == "'+44 7700 900123"
    assert severe["Top reasons"] == "'-1 x2"
    (persistent,) = _records(hostile_book["Persistent"])
    assert persistent["Forename"] == "#N/A"  # text, not an Excel error value
    assert persistent["Year"] == 11
    actions = _records(hostile_book["Actions"])
    assert actions[0]["Surname"] == "'" + HOSTILE_SURNAME
    assert actions[0]["Current agency"] == "'-school"
    summary = hostile_book["Summary"]
    assert summary["A1"].value.startswith("Targeting Support Meeting pack: =Evil")
    assert _find_row(summary, "School")[1] == "'=Evil & Sons School"
    assert _find_row(summary, "Period")[1] == "'+custom"


def test_numbers_stay_numbers(hostile_book: Workbook) -> None:
    (severe,) = _records(hostile_book["Severe"])
    assert severe["Attendance %"] == 40.4
    assert severe["Possible"] == 94
    assert severe["Year"] == "R"
    assert severe["Context"] == "FSM, EHC plan, CP, looked after"
    assert severe["Penalty threshold date"].date() == dt.date(2025, 10, 3)
    assert severe["Next review"].date() == dt.date(2025, 12, 1)
    assert severe["Recovery (sessions in a row to leave PA by July)"] == "PA unavoidable this year"
    (persistent,) = _records(hostile_book["Persistent"])
    assert persistent["Recovery (sessions in a row to leave PA by July)"] == 50
    assert persistent["Penalty threshold met"] == "No"
    assert persistent["Context"] is None


def test_empty_band_has_a_note_and_keeps_its_table(hostile_book: Workbook) -> None:
    ws = hostile_book["At risk"]
    assert _header(ws) == PUPIL_HEADERS
    assert ws["A2"].value == "No pupils"
    assert _records(ws) == []
    assert ws.freeze_panes == "D2" and ws.auto_filter.ref
    assert len(_records(hostile_book["Actions"])) == 2


def test_summary_of_hand_built_pack(hostile_book: Workbook) -> None:
    ws = hostile_book["Summary"]
    assert len(ws._charts) == 2
    assert _find_row(ws, "Gender")[:3] == ("Gender", "'=F", 92)
    assert _find_row(ws, "Week beginning")[:2] == ("Week beginning", "School attendance %")
    weeks = [r for r in ws.iter_rows(values_only=True) if isinstance(r[0], dt.datetime)]
    assert [(r[0].date(), r[1]) for r in weeks] == [
        (dt.date(2025, 9, 1), 62.5),
        (dt.date(2025, 9, 8), None),
    ]


def test_file_is_private_and_replaced_whole(hostile_pack: TsmPack, tmp_path: Path) -> None:
    path = tmp_path / "pack.xlsx"
    path.write_text("old")
    path.chmod(0o644)
    write_tsm_workbook(hostile_pack, path, force=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_workbook(path).sheetnames == SHEETS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack.xlsx"]  # no temporary file left


def test_failed_save_leaves_the_old_file_and_no_temporary(
    hostile_pack: TsmPack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pack.xlsx"
    path.write_text("old")

    def broken_save(self: Workbook, filename: str) -> None:
        Path(filename).write_text("half")
        raise OSError("disk full")

    monkeypatch.setattr(Workbook, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        write_tsm_workbook(hostile_pack, path, force=True)
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack.xlsx"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param("missing/pack.xlsx", "does not exist", id="missing-folder"),
        pytest.param("pack.csv", "not an .xlsx file name", id="not-xlsx"),
    ],
)
def test_bad_path_is_invalid_input(
    hostile_pack: TsmPack, tmp_path: Path, name: str, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message) as caught:
        write_tsm_workbook(hostile_pack, tmp_path / name)
    assert caught.value.hint
    assert not (tmp_path / "missing").exists()
    assert not (tmp_path / "pack.csv").exists()


# --- the CLI -------------------------------------------------------------------------------


@pytest.mark.sqlite_only  # copies this module's sample LA file into ATT_DB
def test_cli_prepare_with_output_writes_the_workbook(
    sample_db: Path, db_path: Path, tmp_path: Path
) -> None:
    shutil.copyfile(sample_db, db_path)  # db_path is the ATT_DB of this test
    out = tmp_path / "x.xlsx"
    result = runner.invoke(
        app, ["tsm", "prepare", "--school", CASTLE_HILL, "--output", str(out), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["school"]["laestab"] == CASTLE_HILL
    assert "Wrote the TSM workbook to" in result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    book = load_workbook(out)
    assert book.sheetnames == SHEETS
    assert len(_records(book["Actions"])) == len(data["pupils"])


@pytest.mark.sqlite_only  # copies this module's sample LA file into ATT_DB
def test_cli_output_in_a_missing_folder_exits_3(
    sample_db: Path, db_path: Path, tmp_path: Path
) -> None:
    shutil.copyfile(sample_db, db_path)
    out = tmp_path / "nowhere" / "x.xlsx"
    result = runner.invoke(app, ["tsm", "prepare", "--school", CASTLE_HILL, "--output", str(out)])
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: The folder")
    assert "Hint:" in result.stderr
    assert result.stdout == ""


def test_sample_db_is_untouched_by_the_module(sample_db: Path) -> None:
    conn = sqlite3.connect(sample_db)
    try:
        assert conn.execute("SELECT count(*) FROM school").fetchone()[0] == 4
    finally:
        conn.close()
