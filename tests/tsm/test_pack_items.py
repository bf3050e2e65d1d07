"""What the TSM pack must not miss or hide (issue 14), on the sample LA's designed pupils.

Every expected figure is counted by hand from ``sample_data/generate.py`` (``build_cases``):
the autumn term 2025 to date, 3 Sep - 14 Nov, 48 school days, INSET day Fri 17 Oct.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from attendance_cli.cases.actions import add_action, complete_action
from attendance_cli.cases.meetings import record_meeting
from attendance_cli.cases.penalty import add_penalty_notice
from attendance_cli.cli.app import app
from attendance_cli.exports.render import to_jsonable
from attendance_cli.registers.importer import import_registers
from attendance_cli.tsm.pack import PupilEntry, TsmPack, prepare_tsm_pack, short_flags
from attendance_cli.tsm.workbook import write_tsm_workbook
from tests.helpers import SCHOOL, UPN1, UPN2, weekdays, write_csv

RIVERSIDE, CASTLE_HILL, ST_ANNES, MEADOWBANK = "8992001", "8994001", "8992002", "8997001"
OKAFOR = "C899200119001"  # looked after, 3 N mornings, 5 of 94 absent: not PA
TRANTER = "F899200223001"  # CIN at St Anne's: N 8 Sep and 10 Nov, O 22 Sep and 20 Oct
ROWE = "J899200116002"  # CIN at Meadowbank: C2 every afternoon but the INSET day
LINDQVIST = "A899200122002"  # Riverside until Fri 26 Sep
TYLER, JAYDEN = "A899200121001", "V899200116001"  # Calloway: same mother, same address
HARVEY, ISLA = "A899200218001", "V899200222001"  # Marsden: same parents, same address
# Riverside's PA enrolments in Reception (sample_data/README.md "Every PA, SA and at-risk")
RECEPTION_PA = {"P899200125006", "T899200125008", "H899200125002", "K899200125013"}
TODAY = dt.date(2025, 11, 20)

runner = CliRunner()


def _pupil(pack: TsmPack, upn: str) -> PupilEntry:
    (found,) = [p for p in pack.pupils if p.upn == upn]
    return found


# --- a child with a social worker or looked after, with unexplained absence -------------


def test_looked_after_child_with_n_absence_is_in_the_pack_though_not_pa(
    sample_conn: sqlite3.Connection,
) -> None:
    pack = prepare_tsm_pack(sample_conn, school=RIVERSIDE)
    okafor = _pupil(pack, OKAFOR)
    assert okafor.band == "none"  # 5 of 94 = 5.32%
    assert okafor.section == "also_listed"
    # N on the mornings of 17 Sep, 1 Oct and 11 Nov
    assert (okafor.unexplained_sessions, okafor.tell_social_worker) == (3, True)
    assert okafor.listed_because == [
        "3 sessions of unexplained absence (N/O): tell the social worker"
    ]
    assert "N/O: tell social worker and virtual school" in short_flags(to_jsonable(okafor))


@pytest.mark.parametrize(
    "school,upn,unexplained,section",
    [
        # 2 whole N days + 2 whole O days = 8 sessions; 14 of 92 = 15.22% is PA
        pytest.param(ST_ANNES, TRANTER, 8, "persistent", id="child-in-need-pa"),
        # O on 3 mornings + N on 1 morning; 53 of 94 is SA
        pytest.param(MEADOWBANK, ROWE, 4, "severe", id="child-in-need-severe"),
        # 14 whole N days + O 12 Sep + 7 Fridays (not the INSET day) = 28 + 2 + 14 ... = 28
        pytest.param(CASTLE_HILL, "M899200316001", 28, "severe", id="child-protection"),
    ],
)
def test_social_worker_told_of_unexplained_absence(
    sample_conn: sqlite3.Connection, school: str, upn: str, unexplained: int, section: str
) -> None:
    pupil = _pupil(prepare_tsm_pack(sample_conn, school=school), upn)
    assert (pupil.unexplained_sessions, pupil.tell_social_worker, pupil.section) == (
        unexplained,
        True,
        section,
    )


def test_no_social_worker_no_telling(sample_conn: sqlite3.Connection) -> None:
    # Callum Whitlock: 3 N + 2 O sessions but no social worker and not looked after
    pupil = _pupil(prepare_tsm_pack(sample_conn, school=CASTLE_HILL), "U899200515001")
    assert (pupil.unexplained_sessions, pupil.tell_social_worker) == (5, False)


# --- leavers ---------------------------------------------------------------------------


def test_leaver_marked_with_leaving_date_and_no_recovery_advice(
    sample_conn: sqlite3.Connection,
) -> None:
    elsa = _pupil(prepare_tsm_pack(sample_conn, school=RIVERSIDE), LINDQVIST)
    assert (elsa.band, elsa.leaving_date) == ("persistent", dt.date(2025, 9, 26))
    assert elsa.recovery_sessions_year is None and elsa.recovery_sessions_term is None
    flags = short_flags(to_jsonable(elsa))
    assert flags[0] == "left 26/09/2025"
    assert not any("to leave PA" in f or "unavoidable" in f for f in flags)


def test_pupil_still_on_roll_has_recovery_advice(sample_conn: sqlite3.Connection) -> None:
    tyler = _pupil(prepare_tsm_pack(sample_conn, school=RIVERSIDE), TYLER)
    assert tyler.leaving_date is None
    assert tyler.recovery_sessions_year  # 14 of 94 absent: sessions in a row to leave PA


# --- below compulsory school age -------------------------------------------------------


def test_reception_children_are_listed_apart_from_legal_age_pa(
    sample_conn: sqlite3.Connection,
) -> None:
    pack = prepare_tsm_pack(sample_conn, school=RIVERSIDE)
    below = {p.upn for p in pack.in_section("below_school_age")}
    assert below >= RECEPTION_PA
    assert not RECEPTION_PA & {p.upn for p in pack.in_section("persistent")}
    for upn in below:
        pupil = _pupil(pack, upn)
        # every Reception child turns five between Sep 2025 and Aug 2026: the first
        # prescribed day is 31 Dec 2025 at the earliest, after the period's end (14 Nov)
        assert pupil.year_group == "R" and pupil.below_compulsory_school_age
        assert pupil.compulsory_school_age_from in (
            dt.date(2025, 12, 31),
            dt.date(2026, 3, 31),
            dt.date(2026, 8, 31),
        )
    # the whole school (DfE): 23 PA, 1 SA of 120; of compulsory school age: less the 17
    # Reception children and their 4 PA -> 19 of 103, and Maisie Harcourt (Y5) SA
    assert (pack.summary.persistent, pack.summary.on_roll) == (23, 120)
    legal = pack.legal_age_summary
    assert legal is not None
    assert (legal.persistent, legal.severe, legal.on_roll) == (19, 1, 103)
    assert len(pack.in_section("persistent")) == 22 - 4  # PA less SA, less Reception


def test_secondary_school_has_nobody_below_school_age(sample_conn: sqlite3.Connection) -> None:
    pack = prepare_tsm_pack(sample_conn, school=CASTLE_HILL)
    assert pack.in_section("below_school_age") == []
    assert pack.legal_age_summary == pack.summary


# --- part-time timetables --------------------------------------------------------------


def test_part_time_timetable_with_sessions_and_dates(sample_conn: sqlite3.Connection) -> None:
    kai = _pupil(prepare_tsm_pack(sample_conn, school=MEADOWBANK), ROWE)
    # C2 every afternoon of the 48 school days but the INSET day: 47, 3 Sep to 14 Nov
    assert (kai.part_time_sessions, kai.part_time_from, kai.part_time_to) == (
        47,
        dt.date(2025, 9, 3),
        dt.date(2025, 11, 14),
    )
    assert "part-time timetable: 47 sessions C2 03/09/2025 to 14/11/2025" in short_flags(
        to_jsonable(kai)
    )


def test_part_time_timetable_lists_a_pupil_outside_the_bands(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    days = weekdays(dt.date(2025, 9, 8), 20)  # 40 sessions
    # UPN1: C2 on the first 2 afternoons (2 of 40 = 5%, not at risk); UPN2 attends
    codes = {UPN1: ["/", "C2", "/", "C2"] + ["/"] * 36, UPN2: ["/"] * 40}
    rows = [["UPN", "Date", "Session", "Mark"]]
    for upn, marks in codes.items():
        for i, code in enumerate(marks):
            rows.append([upn, days[i // 2].isoformat(), "AM" if i % 2 == 0 else "PM", code])
    import_registers(conn, paths=[write_csv(tmp_path / "m.csv", rows)], school=SCHOOL)
    pack = prepare_tsm_pack(conn, school=SCHOOL)
    (only,) = pack.pupils
    assert (only.upn, only.band, only.section) == (UPN1, "none", "also_listed")
    assert (only.part_time_sessions, only.part_time_from, only.part_time_to) == (
        2,
        days[0],
        days[1],
    )
    assert only.listed_because == ["part-time timetable (2 sessions C2)"]


# --- siblings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "school,upn,sibling,sibling_school",
    [
        pytest.param(RIVERSIDE, TYLER, JAYDEN, "Castle Hill Academy", id="tyler-to-jayden"),
        pytest.param(CASTLE_HILL, JAYDEN, TYLER, "Riverside Primary School", id="jayden-to-tyler"),
        pytest.param(CASTLE_HILL, HARVEY, ISLA, "St Anne's CE Primary School", id="harvey-to-isla"),
    ],
)
def test_siblings_across_the_las_schools(
    sample_conn: sqlite3.Connection, school: str, upn: str, sibling: str, sibling_school: str
) -> None:
    pupil = _pupil(prepare_tsm_pack(sample_conn, school=school), upn)
    (found,) = pupil.siblings
    # the same mother (same name and e-mail) at the same address: a shared parent contact
    assert (found.upn, found.school, found.shared) == (sibling, sibling_school, "parent contact")


def test_sibling_named_in_the_flags(sample_conn: sqlite3.Connection) -> None:
    tyler = _pupil(prepare_tsm_pack(sample_conn, school=RIVERSIDE), TYLER)
    assert "whole-family plan: sibling Jayden Calloway (Castle Hill Academy)" in short_flags(
        to_jsonable(tyler)
    )


def test_an_only_child_has_no_siblings(sample_conn: sqlite3.Connection) -> None:
    # Kieran Doyle: his mother is no other pupil's contact
    assert _pupil(prepare_tsm_pack(sample_conn, school=CASTLE_HILL), "M899200316001").siblings == []


def test_same_address_counts_as_a_sibling(sample_conn: sqlite3.Connection) -> None:
    # a second pupil whose only contact shares Tyler's address (another carer's name and phone)
    address = sample_conn.connection.execute(
        "SELECT c.address FROM contact c JOIN pupil p ON p.id = c.pupil_id WHERE p.upn = ?",
        (TYLER,),
    ).fetchone()[0]
    other = sample_conn.connection.execute(
        "SELECT id FROM pupil WHERE upn = 'U899200125001'"
    ).fetchone()[0]
    sample_conn.connection.execute("DELETE FROM contact WHERE pupil_id = ?", (other,))
    sample_conn.connection.execute(
        "INSERT INTO contact (pupil_id, priority, name, address, phone) VALUES (?, 1, ?, ?, ?)",
        (other, "Sam Quayle", "  " + address.upper() + " ", "07700 900999"),
    )
    sample_conn.connection.commit()
    tyler = _pupil(prepare_tsm_pack(sample_conn, school=RIVERSIDE), TYLER)
    assert sorted((s.upn, s.shared) for s in tyler.siblings) == [
        ("U899200125001", "address"),
        (JAYDEN, "parent contact"),
    ]


# --- what was agreed last time -------------------------------------------------------------


@pytest.fixture
def harvey_casework(sample_conn: sqlite3.Connection) -> sqlite3.Connection:
    """Harvey Marsden: a TSM on 1 Oct 2025, an action agreed (review 1 Nov, overdue by 20 Nov),
    one done, and three penalty notices (two to his father, one to his mother)."""
    record_meeting(sample_conn, school=CASTLE_HILL, date=dt.date(2025, 10, 1), officer="Jo")
    add_action(
        sample_conn,
        upn=HARVEY,
        kind="meeting with family",
        action="Meet Mr and Mrs Marsden",
        officer="Jo",
        due=dt.date(2025, 11, 1),
    )
    done = add_action(
        sample_conn,
        upn=HARVEY,
        kind="early help assessment",
        action="Offer early help",
        officer="Jo",
        due=dt.date(2025, 12, 1),
    )
    complete_action(sample_conn, action_id=done.id, outcome="Declined", officer="Jo")
    for parent, issued in (
        ("Paul Marsden", dt.date(2025, 10, 27)),
        ("Claire Marsden", dt.date(2025, 10, 28)),
    ):
        add_penalty_notice(
            sample_conn, upn=HARVEY, parent=parent, issued=issued, officer="Jo", today=TODAY
        )
    # the father's second notice cannot be for the same sessions as his first (issue 12 rule
    # 5): it is for September's, recorded with --force (they do not meet the threshold)
    add_penalty_notice(
        sample_conn, upn=HARVEY, parent="Paul Marsden", issued=dt.date(2025, 11, 10),
        offence_from=dt.date(2025, 9, 1), offence_to=dt.date(2025, 10, 10), force=True,
        force_reason="a test of the pack, not of the notice", officer="Jo", today=TODAY,
    )  # fmt: skip
    return sample_conn


def test_actions_since_the_last_meeting_with_status_and_overdue(
    harvey_casework: sqlite3.Connection,
) -> None:
    pack = prepare_tsm_pack(harvey_casework, school=CASTLE_HILL, today=TODAY)
    assert pack.last_meeting == dt.date(2025, 10, 1)
    harvey = _pupil(pack, HARVEY)
    agreed = [a for a in harvey.actions_since_last_meeting if a.kind != "penalty notice"]
    assert [(a.action, a.status, a.due, a.overdue) for a in agreed] == [
        ("Meet Mr and Mrs Marsden", "agreed", dt.date(2025, 11, 1), True),
        ("Offer early help", "done", dt.date(2025, 12, 1), False),
    ]
    # each notice is tracked by an action of its own (cases.penalty), still agreed
    notices = [a for a in harvey.actions_since_last_meeting if a.kind == "penalty notice"]
    assert [a.status for a in notices] == ["agreed"] * 3
    assert harvey.actions_since_last_meeting[0].text == (
        "Meet Mr and Mrs Marsden (meeting with family; OVERDUE, review 01/11/2025)"
    )
    assert (harvey.penalty_notices, harvey.latest_penalty_notice) == (3, dt.date(2025, 11, 10))
    assert "3 penalty notices, latest 10/11/2025" in short_flags(to_jsonable(harvey))
    # nobody else at Castle Hill has casework
    assert all(
        not p.actions_since_last_meeting and not p.penalty_notices
        for p in pack.pupils
        if p.upn != HARVEY
    )


def test_a_later_meeting_leaves_out_what_was_finished_before_it(
    harvey_casework: sqlite3.Connection,
) -> None:
    later = dt.date.today() + dt.timedelta(days=1)  # after the actions were recorded
    record_meeting(harvey_casework, school=CASTLE_HILL, date=later, officer="Jo")
    harvey = _pupil(prepare_tsm_pack(harvey_casework, school=CASTLE_HILL, today=TODAY), HARVEY)
    # the done action was recorded before that meeting; the agreed one is still open
    assert [a.action for a in harvey.actions_since_last_meeting if a.kind != "penalty notice"] == [
        "Meet Mr and Mrs Marsden"
    ]


def test_pack_items_in_json_csv_screen_and_workbook(
    harvey_casework: sqlite3.Connection, tmp_path: Path
) -> None:
    harvey_casework.connection.commit()  # sample_db is this test's ATT_DB
    data = json.loads(
        runner.invoke(app, ["tsm", "prepare", "--school", CASTLE_HILL, "--format", "json"]).stdout
    )
    harvey = next(p for p in data["pupils"] if p["upn"] == HARVEY)
    assert harvey["penalty_notices"] == 3 and harvey["latest_penalty_notice"] == "2025-11-10"
    assert harvey["siblings"][0]["upn"] == ISLA
    assert [a["status"] for a in harvey["actions_since_last_meeting"]][:2] == ["agreed", "done"]
    assert data["last_meeting"] == "2025-10-01"

    csv_text = runner.invoke(
        app, ["tsm", "prepare", "--school", CASTLE_HILL, "--format", "csv"]
    ).stdout
    header, *lines = csv_text.splitlines()
    row = next(line for line in lines if line.startswith(HARVEY))
    assert "Isla Marsden (St Anne's CE Primary School, 8992002, parent contact)" in row
    assert "meeting with family: Meet Mr and Mrs Marsden (agreed, review 2025-11-01" in row
    assert "penalty_notices" in header.split(",")

    screen = runner.invoke(app, ["tsm", "prepare", "--school", CASTLE_HILL]).stdout
    flat = " ".join(screen.split())
    assert "3 penalty notices, latest 10/11/2025" in flat
    assert "whole-family plan: sibling Isla Marsden (St Anne's CE Primary School)" in flat
    assert "Last TSM with the school: 01/10/2025." in flat

    pack = prepare_tsm_pack(harvey_casework, school=CASTLE_HILL, today=TODAY)
    book = load_workbook(write_tsm_workbook(pack, tmp_path / "pack.xlsx"))
    ws = book["Persistent"]
    header_row = [c.value for c in ws[1]]
    values = next(
        dict(zip(header_row, (c.value for c in r), strict=False))
        for r in ws.iter_rows(min_row=2)
        if r[0].value == HARVEY
    )
    assert values["Penalty notices"] == 3
    assert values["Latest penalty notice"].date() == dt.date(2025, 11, 10)
    assert (
        "Isla Marsden (St Anne's CE Primary School), parent contact"
        in values["Siblings (whole-family plan)"]
    )
    assert "OVERDUE" in values["Agreed since last TSM"]


def test_workbook_sheets_for_below_school_age_and_also_listed(
    sample_conn: sqlite3.Connection, tmp_path: Path
) -> None:
    pack = prepare_tsm_pack(sample_conn, school=RIVERSIDE)
    book = load_workbook(write_tsm_workbook(pack, tmp_path / "r.xlsx"))
    below = [r[0].value for r in book["Below school age"].iter_rows(min_row=2)]
    assert set(below) >= RECEPTION_PA
    also = {r[0].value: r for r in book["Also listed"].iter_rows(min_row=2)}
    assert OKAFOR in also
    header = [c.value for c in book["Also listed"][1]]
    okafor = dict(zip(header, (c.value for c in also[OKAFOR]), strict=False))
    assert okafor["Tell the social worker"] == "Yes" and okafor["Unexplained (N/O)"] == 3
    persistent = book["Persistent"]
    header = [c.value for c in persistent[1]]
    elsa = next(
        dict(zip(header, (c.value for c in r), strict=False))
        for r in persistent.iter_rows(min_row=2)
        if r[0].value == LINDQVIST
    )
    assert elsa["Left on"].date() == dt.date(2025, 9, 26)
    assert elsa["Recovery (sessions in a row to leave PA by July)"] == "left: none"
    actions = [r[0].value for r in book["Actions"].iter_rows(min_row=2) if r[0].value]
    assert OKAFOR in actions and set(actions) >= RECEPTION_PA
