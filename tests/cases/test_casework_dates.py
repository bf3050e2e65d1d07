"""Casework dated as it happened (``--on``): the chronology's order, each action's impact, the
rules for the date and the audit entry's two dates. Attendance as in ``test_chronology``
(UPN1: before w3-w6 = 26 of 40 attended, 65.0%; after w8-w10 = 10 of 30, 33.3%)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from attendance_cli.cases import actions, case, leads, notes
from attendance_cli.cases.audit import list_audit
from attendance_cli.cases.chronology import case_view, case_view_dict
from attendance_cli.errors import InvalidInputError
from tests.cases.test_chronology import _marks
from tests.helpers import UPN1

TODAY = dt.date(2026, 12, 1)


def _casework(conn: sqlite3.Connection) -> list[tuple[dt.date, str]]:
    data = case_view_dict(case_view(conn, UPN1, today=TODAY))
    kept = {"case_opened", "action_agreed", "note", "lead_practitioner", "case_closed"}
    return [(e["date"], e["type"]) for e in data["chronology"] if e["type"] in kept]


def test_entries_are_ordered_by_the_day_they_happened(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    _marks(conn, tmp_path)
    # typed in today, in this order, about three days of the autumn
    actions.add_action(
        conn,
        upn=UPN1,
        kind="home visit",
        action="Visit",
        officer="Jo",
        on=dt.date(2025, 10, 15),
        today=TODAY,
    )
    notes.add_note(
        conn, upn=UPN1, text="Mum phoned", officer="Jo", on=dt.date(2025, 11, 3), today=TODAY
    )
    leads.set_lead(
        conn,
        upn=UPN1,
        name="Ms Reid",
        agency="school",
        officer="Jo",
        on=dt.date(2025, 10, 20),
        today=TODAY,
    )
    assert _casework(conn) == [
        (dt.date(2025, 10, 15), "case_opened"),  # opened by the action, on its day
        (dt.date(2025, 10, 15), "action_agreed"),
        (dt.date(2025, 10, 20), "lead_practitioner"),
        (dt.date(2025, 11, 3), "note"),
    ]
    data = case_view_dict(case_view(conn, UPN1, today=TODAY))
    assert data["opened_on"] == dt.date(2025, 10, 15)
    recorded = {e["type"]: e["recorded_at"] for e in data["chronology"]}
    assert recorded["note"][:10] == dt.datetime.now(dt.UTC).date().isoformat()
    assert recorded["became_persistent"] is None  # computed from the registers


def test_impact_uses_the_weeks_of_the_day_agreed(conn: sqlite3.Connection, tmp_path: Path) -> None:
    _marks(conn, tmp_path)
    actions.add_action(
        conn,
        upn=UPN1,
        kind="home visit",
        action="Visit",
        officer="Jo",
        on=dt.date(2025, 10, 15),
        today=TODAY,
    )
    (shown,) = case_view_dict(case_view(conn, UPN1, today=TODAY))["actions"]
    assert shown["agreed_on"] == dt.date(2025, 10, 15)
    before, after = shown["impact"]["before"], shown["impact"]["after"]
    assert (before["possible"], before["attended"], before["attendance_pct"]) == (40, 26, 65.0)
    assert (before["first_week"], before["last_week"]) == (
        dt.date(2025, 9, 15),
        dt.date(2025, 10, 6),
    )
    assert (after["possible"], after["attended"], after["attendance_pct"]) == (30, 10, 33.3)
    assert shown["impact"]["change_points"] == -31.7


def test_the_dates_rules(conn: sqlite3.Connection, tmp_path: Path) -> None:
    _marks(conn, tmp_path)
    with pytest.raises(InvalidInputError, match="in the future"):
        notes.add_note(
            conn, upn=UPN1, text="x", officer="Jo", on=TODAY + dt.timedelta(1), today=TODAY
        )
    notes.add_note(conn, upn=UPN1, text="Visit", officer="Jo", on=dt.date(2025, 11, 3), today=TODAY)
    # earlier work moves the open case's opening back to its day, audited
    notes.add_note(
        conn, upn=UPN1, text="Letter", officer="Jo", on=dt.date(2025, 10, 1), today=TODAY
    )
    assert case_view(conn, UPN1, today=TODAY).opened_on == dt.date(2025, 10, 1)
    moved = [e for e in list_audit(conn, upn=UPN1) if e.action == "case_opened_on"]
    assert [e.detail for e in moved] == [
        {"happened_on": "2025-10-01", "opened_on_was": "2025-11-03"}
    ]
    with pytest.raises(InvalidInputError, match="opened on 01/10/2025"):
        case.close_case(
            conn, upn=UPN1, outcome="x", officer="Jo", on=dt.date(2025, 9, 30), today=TODAY
        )
    case.close_case(
        conn, upn=UPN1, outcome="Back in school", officer="Jo", on=dt.date(2025, 12, 1), today=TODAY
    )
    with pytest.raises(InvalidInputError, match="closed on 01/12/2025"):
        case.reopen_case(conn, upn=UPN1, officer="Jo", on=dt.date(2025, 11, 30), today=TODAY)
    case.reopen_case(conn, upn=UPN1, officer="Jo", on=dt.date(2026, 1, 5), today=TODAY)
    with pytest.raises(InvalidInputError, match="last reopened on 05/01/2026"):
        case.close_case(
            conn, upn=UPN1, outcome="x", officer="Jo", on=dt.date(2026, 1, 4), today=TODAY
        )
    action = actions.add_action(
        conn,
        upn=UPN1,
        kind="home visit",
        action="Visit",
        officer="Jo",
        on=dt.date(2026, 1, 6),
        today=TODAY,
    )
    with pytest.raises(InvalidInputError, match="agreed on 06/01/2026"):
        actions.complete_action(
            conn,
            action_id=action.id,
            outcome="x",
            officer="Jo",
            on=dt.date(2026, 1, 5),
            today=TODAY,
        )
    done = actions.complete_action(
        conn, action_id=action.id, outcome="Seen", officer="Jo", on=dt.date(2026, 1, 9), today=TODAY
    )
    assert done.ended_on == dt.date(2026, 1, 9)
    events = [
        (e["date"], e["type"])
        for e in case_view_dict(case_view(conn, UPN1, today=TODAY))["chronology"]
        if e["type"].startswith(("case_", "action_"))
    ]
    assert events == [
        (dt.date(2025, 10, 1), "case_opened"),
        (dt.date(2025, 12, 1), "case_closed"),
        (dt.date(2026, 1, 5), "case_reopened"),
        (dt.date(2026, 1, 6), "action_agreed"),
        (dt.date(2026, 1, 9), "action_done"),
    ]


def test_audit_entries_keep_both_dates(conn: sqlite3.Connection, tmp_path: Path) -> None:
    _marks(conn, tmp_path)
    leads.set_lead(
        conn,
        upn=UPN1,
        name="Ms Reid",
        agency="school",
        officer="Jo",
        on=dt.date(2025, 10, 20),
        today=TODAY,
    )
    entries = {e.action: e for e in list_audit(conn, upn=UPN1)}
    assert entries["set_lead"].detail["happened_on"] == "2025-10-20"
    assert entries["open_case"].detail == {"happened_on": "2025-10-20"}
    assert entries["set_lead"].at[:10] == dt.datetime.now(dt.UTC).date().isoformat()


def test_an_action_of_a_meeting_is_dated_by_it(conn: sqlite3.Connection, tmp_path: Path) -> None:
    from attendance_cli.cases import meetings
    from tests.helpers import SCHOOL

    _marks(conn, tmp_path)
    meeting = meetings.record_meeting(
        conn, school=SCHOOL, date=dt.date(2025, 10, 15), officer="Jo", attendees=[]
    )
    with pytest.raises(InvalidInputError, match="was on 15/10/2025"):
        actions.add_action(
            conn,
            upn=UPN1,
            kind="home visit",
            action="Visit",
            officer="Jo",
            meeting_id=meeting.id,
            on=dt.date(2025, 10, 16),
            today=TODAY,
        )


def test_the_on_option(sample_db: Path) -> None:
    import json

    from typer.testing import CliRunner

    from attendance_cli.cli.app import app

    runner = CliRunner()
    upn = "V899200116001"

    def run(*args: str) -> object:
        return runner.invoke(app, [*args, "--format", "json"])

    note = run("case", "note", upn, "Home visit: nobody in", "--on", "20/11/2025")
    assert note.exit_code == 0, note.stderr  # type: ignore[attr-defined]
    assert json.loads(note.stdout)["on"] == "2025-11-20"  # type: ignore[attr-defined]
    lead = run(
        "case", "set-lead", upn, "--name", "Ms Reid", "--agency", "school", "--on", "2025-11-21"
    )
    assert json.loads(lead.stdout)["set_on"] == "2025-11-21"  # type: ignore[attr-defined]
    future = run("case", "close", upn, "--outcome", "x", "--on", "01/01/2099")
    assert future.exit_code == 3 and "in the future" in future.stderr  # type: ignore[attr-defined]
    early = run("case", "close", upn, "--outcome", "x", "--on", "19/11/2025")
    assert early.exit_code == 3 and "opened on 20/11/2025" in early.stderr  # type: ignore[attr-defined]
    closed = run("case", "close", upn, "--outcome", "Back in school", "--on", "01/12/2025")
    assert json.loads(closed.stdout)["closed_on"] == "2025-12-01"  # type: ignore[attr-defined]
    reopened = run("case", "reopen", upn, "--on", "02/12/2025")
    assert json.loads(reopened.stdout)["status"] == "open"  # type: ignore[attr-defined]
    shown = json.loads(run("case", "show", upn).stdout)  # type: ignore[attr-defined]
    assert shown["opened_on"] == "2025-11-20"
    table = runner.invoke(app, ["case", "show", upn])
    assert "20/11/2025" in table.stdout and "(recorded " in table.stdout
