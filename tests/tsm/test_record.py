"""``att tsm record``: the meeting, and the filled-in pack's Actions sheet read back.

Round trip: prepare the pack (workbook) -> fill the Actions sheet with openpyxl as a meeting
would -> record -> the actions, leads and notes are in ``att case show``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from tests.helpers import connect_to

runner = CliRunner()
SCHOOL = "8994001"  # Castle Hill Academy in the sample LA
MEETING = "2025-11-20"


def _pack(tmp_path: Path) -> Path:
    path = tmp_path / "pack.xlsx"
    result = runner.invoke(app, ["tsm", "prepare", "--school", SCHOOL, "--output", str(path)])
    assert result.exit_code == 0, result.stderr
    return path


def _fill(path: Path, rows: dict[int, dict[str, Any]]) -> list[str]:
    """Fill Actions rows (2 = the first pupil) by header; return the UPN of each filled row."""
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    sheet = workbook["Actions"]
    column = {cell.value: cell.column for cell in sheet[1]}
    upns = []
    for row, values in rows.items():
        upns.append(sheet.cell(row=row, column=column["UPN"]).value)
        for header, value in values.items():
            sheet.cell(row=row, column=column[header], value=value)
    workbook.save(path)
    return upns


def _record(*extra: str) -> Any:
    return runner.invoke(
        app,
        [
            "tsm",
            "record",
            "--school",
            SCHOOL,
            "--date",
            MEETING,
            "--attendee",
            "Head of Year",
            "--format",
            "json",
            *extra,
        ],
    )


def _count(db: Path, table: str) -> int:
    conn = connect_to(db)  # either engine (tests/conftest.py)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


GOOD = {
    2: {
        "Barriers": "Anxiety; young carer",
        "Agreed action": "Early help assessment with family",
        "Action kind": "Early help assessment",
        "Owner": "Ms Reid",
        "Lead practitioner": "Ms Reid",
        "Agency": "early help",
        "Review date": dt.datetime(2025, 12, 12),
    },
    3: {
        "Agreed action": "Attendance contract",
        "Action kind": "attendance contract",
        "Review date": "15/01/2026",
    },
    4: {"Lead practitioner": "Mr Cole", "Agency": "School"},
}


def test_round_trip(sample_db: Path, tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    first, second, third = _fill(pack, GOOD)
    result = _record("--from-workbook", str(pack))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["actions_recorded"], data["leads_set"], data["notes_added"]) == (2, 2, 1)
    assert data["cases_opened"] == 3 and data["rows_skipped"] == [] and data["problems"] == []
    assert data["attendees"] == ["Head of Year"] and data["school"]["laestab"] == SCHOOL
    assert data["rows_without_agreement"] == _pupils_listed(pack) - 3

    shown = json.loads(runner.invoke(app, ["case", "show", first, "--format", "json"]).stdout)
    assert shown["lead_practitioner"] == {
        "name": "Ms Reid",
        "agency": "early help",
        "role": None,
        "contact": None,
    }
    (action,) = shown["actions"]
    assert (action["kind"], action["owner"], action["agency"], action["due"]) == (
        "early help assessment",
        "Ms Reid",
        "early help",
        "2025-12-12",
    )
    assert action["meeting_id"] == data["meeting_id"] and action["agreed_on"] == MEETING
    assert action["impact"]["before"]["weeks"] == 4
    assert shown["notes"][0]["text"] == f"Barriers (TSM {MEETING}): Anxiety; young carer"
    # everything agreed in the meeting is dated by the meeting, not by the day it was typed in
    assert shown["opened_on"] == MEETING and shown["notes"][0]["on"] == MEETING
    assert [x["set_on"] for x in shown["lead_history"]] == [MEETING]
    opened = [e for e in shown["chronology"] if e["type"] == "case_opened"]
    assert [e["date"] for e in opened] == [MEETING] and opened[0]["recorded_at"].endswith("Z")
    assert [m["attendees"] for m in shown["meetings"]] == [["Head of Year"]]
    second_case = json.loads(
        runner.invoke(app, ["case", "show", second, "--format", "json"]).stdout
    )
    assert second_case["actions"][0]["due"] == "2026-01-15"
    assert second_case["lead_practitioner"] is None
    third_case = json.loads(runner.invoke(app, ["case", "show", third, "--format", "json"]).stdout)
    assert third_case["actions"] == [] and third_case["lead_practitioner"]["agency"] == "school"

    again = _record("--from-workbook", str(pack))
    assert again.exit_code == 5 and "already recorded" in again.stderr
    # the TSM pack now shows what was agreed
    after = json.loads(
        runner.invoke(app, ["tsm", "prepare", "--school", SCHOOL, "--format", "json"]).stdout
    )
    by_upn = {p["upn"]: p for p in after["pupils"]}
    assert by_upn[first]["lead_practitioner"] == "Ms Reid" and by_upn[first]["open_actions"] == 1
    assert by_upn[first]["next_review"] == "2025-12-12"


def _pupils_listed(pack: Path) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(pack, read_only=True)
    try:
        rows = workbook["Actions"].iter_rows(min_row=2, values_only=True)
        return sum(1 for row in rows if row[0])
    finally:
        workbook.close()


def test_invalid_rows_write_nothing(sample_db: Path, tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    bad = {
        **GOOD,
        5: {"Agreed action": "Something", "Action kind": "Exorcism"},
        6: {"Lead practitioner": "Dr No"},
        7: {"Agreed action": "Visit", "Action kind": "home visit", "Review date": "next week"},
        8: {"Agreed action": "Visit", "Action kind": "home visit", "Review date": "01/09/2025"},
        9: {"UPN": "NOT-A-UPN", "Action kind": "home visit", "Agreed action": "x"},
    }
    _fill(pack, bad)
    before = {t: _count(sample_db, t) for t in ("meeting", "case_action", "audit_log")}
    result = _record("--from-workbook", str(pack))
    assert result.exit_code == 3
    err = result.stderr
    assert "5 row(s) of the Actions sheet could not be read; nothing was recorded" in err
    assert "row 5, column 'Action kind'" in err and "'Exorcism' is not a kind of action" in err
    assert "row 6, column 'Agency'" in err and "row 7, column 'Review date'" in err
    assert "before the meeting" in err and "row 9, column 'UPN'" in err
    # each problem names the row's pupil, and a wrong choice lists the valid ones (issue 14)
    import re

    assert re.search(r"row 5, column 'Action kind': [A-Z]\S* [A-Z]\S*: 'Exorcism' is not", err)
    assert "Choose one of: " in err and "home visit" in err.split("Exorcism", 1)[1]
    assert {t: _count(sample_db, t) for t in before} == before

    skipped = _record("--from-workbook", str(pack), "--skip-invalid")
    assert skipped.exit_code == 0, skipped.stderr
    data = json.loads(skipped.stdout)
    assert data["rows_skipped"] == [5, 6, 7, 8, 9] and data["actions_recorded"] == 2
    assert [p["row"] for p in data["problems"]] == [5, 6, 7, 8, 9]


def test_refuses_the_wrong_file_or_school(sample_db: Path, tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    other = runner.invoke(
        app,
        ["tsm", "record", "--school", "8992001", "--date", MEETING, "--from-workbook", str(pack)],
    )
    assert other.exit_code == 5 and "pack of school 8994001" in other.stderr
    plain = tmp_path / "plain.xlsx"
    from openpyxl import Workbook

    Workbook().save(plain)
    not_pack = _record("--from-workbook", str(plain))
    assert not_pack.exit_code == 3 and "not a TSM pack" in not_pack.stderr
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip at all")
    assert _record("--from-workbook", str(junk)).exit_code == 3
    future = runner.invoke(app, ["tsm", "record", "--school", SCHOOL, "--date", "2098-01-01"])
    assert future.exit_code == 3 and "in the future" in future.stderr
    assert _count(sample_db, "meeting") == 0


def test_meeting_without_workbook(sample_db: Path) -> None:
    result = runner.invoke(app, ["tsm", "record", "--school", "castle", "--date", "20/11/2025"])
    assert (
        result.exit_code == 0
        and "Recorded meeting 1: TSM with Castle Hill Academy" in result.stdout
    )
    action = runner.invoke(
        app,
        [
            "case",
            "add-action",
            "V899200116001",
            "--kind",
            "home visit",
            "--action",
            "x",
            "--meeting",
            "1",
            "--format",
            "json",
        ],
    )
    assert json.loads(action.stdout)["meeting_id"] == 1


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+44 7700 900123"])
def test_guarded_text_comes_back_as_typed(sample_db: Path, tmp_path: Path, value: str) -> None:
    pack = _pack(tmp_path)
    (upn,) = _fill(pack, {2: {"Agreed action": "'" + value, "Action kind": "home visit"}})
    assert _record("--from-workbook", str(pack)).exit_code == 0
    shown = json.loads(runner.invoke(app, ["case", "show", upn, "--format", "json"]).stdout)
    assert shown["actions"][0]["action"] == value


def test_fixing_skipped_rows_and_running_again_records_just_those(
    sample_db: Path, tmp_path: Path
) -> None:
    pack = _pack(tmp_path)
    _fill(pack, {**GOOD, 5: {"Agreed action": "Visit", "Action kind": "Seance"}})
    first = json.loads(_record("--from-workbook", str(pack), "--skip-invalid").stdout)
    assert first["rows_skipped"] == [5] and first["actions_recorded"] == 2
    before = _count(sample_db, "case_action"), _count(sample_db, "case_note")
    _fill(pack, {5: {"Action kind": "home visit"}})  # corrected
    second = _record("--from-workbook", str(pack))
    assert second.exit_code == 0, second.stderr
    data = json.loads(second.stdout)
    assert data["meeting_id"] == first["meeting_id"] and data["meeting_reused"] is True
    assert (data["actions_recorded"], data["leads_set"], data["notes_added"]) == (1, 0, 0)
    assert data["rows_already_recorded"] == [2, 3, 4]
    assert (_count(sample_db, "case_action"), _count(sample_db, "case_note")) == (
        before[0] + 1,
        before[1],
    )
    assert _count(sample_db, "meeting") == 1


def test_owner_or_agency_alone_is_a_row_problem(sample_db: Path, tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    _fill(pack, {2: {"Owner": "Mr Cole"}, 3: {"Agency": "health"}})
    result = _record("--from-workbook", str(pack))
    assert result.exit_code == 3
    assert "row 2, column 'Agreed action'" in result.stderr and "an owner" in result.stderr
    assert "row 3, column 'Agency'" in result.stderr
    assert _count(sample_db, "pupil_case") == 0


def test_dates_typed_as_numbers_and_penalty_notices(sample_db: Path, tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    (upn, *_) = _fill(
        pack,
        {
            2: {"Agreed action": "Plan", "Action kind": "attendance plan", "Review date": 46023},
            3: {"Agreed action": "PN", "Action kind": "penalty notice"},
            4: {"Agreed action": "Plan", "Action kind": "attendance plan", "Review date": 12},
        },
    )
    result = _record("--from-workbook", str(pack), "--skip-invalid")
    data = json.loads(result.stdout)
    assert [p["row"] for p in data["problems"]] == [3, 4]
    assert "att penalty add" in data["problems"][0]["hint"]
    shown = json.loads(runner.invoke(app, ["case", "show", upn, "--format", "json"]).stdout)
    assert shown["actions"][0]["due"] == "2026-01-01"  # Excel day 46023
