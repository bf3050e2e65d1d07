"""The case chronology's attendance milestones and each action's impact, hand-computed.

The school's autumn 2025 (``_marks``): ten school weeks from Mon 1 Sep, half term 27-31 Oct
(no marks for anyone, so not a school week). UPN1, week by week (10 sessions each):

    w1 1 Sep  //////////     w6 6 Oct   OOOOOOOOOO
    w2 8 Sep  //////////     w7 13 Oct  NNNNNNNNNN
    w3 15 Sep NNNN//////     w8 20 Oct  NNNNNNNNNN
    w4 22 Sep //////////     (half term 27 Oct)
    w5 29 Sep //////////     w9 3 Nov   NNNNNNNNNN
                             w10 10 Nov //////////

Year to date at each week's end (possible, absent): w2 (20, 0); w3 (30, 4) 13.3% -> became PA
Fri 19 Sep; w4 (40, 4) exactly 10% -> still PA; w5 (50, 4) 8% -> no longer PA Fri 3 Oct; w6
(60, 14) -> became PA Fri 10 Oct; never 50% (w9: 44 of 90). Penalty threshold: the 10th
unauthorised session is the 6th of w6, Wed 8 Oct PM. Continuous unauthorised absence: 6 Oct to
7 Nov = 20 school days (half term skipped): 10th day Fri 17 Oct, 20th day Fri 7 Nov.
UPN2 is present throughout (the school calendar); UPN3 misses all of w1-w2: the first reading
(w1, 10 possible) is below the 20-session minimum, so both PA and SA are dated Fri 12 Sep;
its 10 N in week 1 meet the penalty threshold on Fri 5 Sep, its 10 days of N are continuous
unauthorised absence reaching 10 days on Fri 12 Sep; SA lasts while 2 x 20 >= possible: w4 (40
possible) is exactly 50%, so it ends at w5, Fri 3 Oct.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from attendance_cli.cases import actions, case, leads, meetings, notes
from attendance_cli.cases.chronology import case_view, case_view_dict
from attendance_cli.registers.importer import import_registers
from tests.helpers import SCHOOL, UPN1, UPN2, UPN3, write_csv

WEEKS = [dt.date(2025, 9, 1) + dt.timedelta(weeks=i) for i in range(8)] + [
    dt.date(2025, 11, 3),
    dt.date(2025, 11, 10),
]
UPN1_WEEKS = (
    ["/" * 10, "/" * 10, "NNNN" + "/" * 6, "/" * 10, "/" * 10]
    + ["O" * 10]
    + ["N" * 10] * 3
    + ["/" * 10]
)
UPN3_WEEKS = ["N" * 10, "N" * 10] + ["/" * 10] * 8


def _marks(conn: sqlite3.Connection, tmp_path: Path) -> None:
    rows: list[list[object]] = [["UPN", "Date", "Session", "Mark"]]
    for upn, weeks in ((UPN1, UPN1_WEEKS), (UPN2, ["/" * 10] * 10), (UPN3, UPN3_WEEKS)):
        for monday, codes in zip(WEEKS, weeks, strict=True):
            for i, code in enumerate(codes):
                day = monday + dt.timedelta(days=i // 2)
                rows.append([upn, day.isoformat(), "AM" if i % 2 == 0 else "PM", code])
    import_registers(conn, paths=[write_csv(tmp_path / "autumn.csv", rows)], school=SCHOOL)


def _milestones(view_dict: dict) -> list[tuple[dt.date, str]]:  # type: ignore[type-arg]
    kinds = {
        "became_persistent",
        "no_longer_persistent",
        "became_severe",
        "no_longer_severe",
        "penalty_threshold_met",
        "continuous_absence_10",
        "continuous_absence_20",
    }
    return [(e["date"], e["type"]) for e in view_dict["chronology"] if e["type"] in kinds]


def test_attendance_milestones(conn: sqlite3.Connection, tmp_path: Path) -> None:
    _marks(conn, tmp_path)
    data = case_view_dict(case_view(conn, UPN1))
    assert data["status"] == "none" and data["actions"] == []
    assert _milestones(data) == [
        (dt.date(2025, 9, 19), "became_persistent"),
        (dt.date(2025, 10, 3), "no_longer_persistent"),
        (dt.date(2025, 10, 8), "penalty_threshold_met"),
        (dt.date(2025, 10, 10), "became_persistent"),
        (dt.date(2025, 10, 17), "continuous_absence_10"),
        (dt.date(2025, 11, 7), "continuous_absence_20"),
    ]
    summaries = {e["type"]: e["summary"] for e in data["chronology"]}
    assert "8.0%" in summaries["no_longer_persistent"]
    assert "reached on the PM session" in summaries["penalty_threshold_met"]
    assert "run from 2025-10-06, 20 days" in summaries["continuous_absence_20"]

    severe = case_view_dict(case_view(conn, UPN3))
    assert _milestones(severe) == [
        (dt.date(2025, 9, 5), "penalty_threshold_met"),  # 10 N in week 1
        (dt.date(2025, 9, 12), "became_persistent"),
        (dt.date(2025, 9, 12), "became_severe"),
        (dt.date(2025, 9, 12), "continuous_absence_10"),  # 10 school days, 1-12 Sep
        (dt.date(2025, 10, 3), "no_longer_severe"),  # w4: 20 of 40 is still 50%; w5: 40%
    ]
    assert _milestones(case_view_dict(case_view(conn, UPN2))) == []


def test_action_impact_skips_the_action_week_and_half_term(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    _marks(conn, tmp_path)
    meeting = meetings.record_meeting(
        conn, school=SCHOOL, date=dt.date(2025, 10, 15), officer="Jo", attendees=["Head"]
    )
    action = actions.add_action(
        conn,
        upn=UPN1,
        kind="formal attendance meeting",
        action="Meeting with parents",
        meeting_id=meeting.id,
        officer="Jo",
    )
    data = case_view_dict(case_view(conn, UPN1))
    (shown,) = data["actions"]
    assert shown["id"] == action.id and shown["agreed_on"] == dt.date(2025, 10, 15)
    impact = shown["impact"]
    # before: w3-w6 = 6 + 10 + 10 + 0 attended of 40; after: w8, w9, w10 = 10 of 30
    assert impact["before"] == {
        "weeks": 4,
        "possible": 40,
        "attended": 26,
        "attendance_pct": 65.0,
        "first_week": dt.date(2025, 9, 15),
        "last_week": dt.date(2025, 10, 6),
    }
    assert impact["after"] == {
        "weeks": 3,
        "possible": 30,
        "attended": 10,
        "attendance_pct": 33.3,
        "first_week": dt.date(2025, 10, 20),
        "last_week": dt.date(2025, 11, 10),
    }
    assert impact["change_points"] == -31.7
    types = [e["type"] for e in data["chronology"] if e["date"] == dt.date(2025, 10, 15)]
    # the action opened the case: on the meeting's day, not the day it was typed in
    assert types == ["case_opened", "meeting", "action_agreed"]


def test_impact_of_an_action_after_the_last_marks(conn: sqlite3.Connection, tmp_path: Path) -> None:
    _marks(conn, tmp_path)
    actions.add_action(conn, upn=UPN2, kind="home visit", action="Visit", officer="Jo")
    (shown,) = case_view_dict(case_view(conn, UPN2))["actions"]
    assert shown["impact"]["after"] is None and shown["impact"]["change_points"] is None
    assert shown["impact"]["before"]["weeks"] == 4  # the last four weeks with marks: 100%
    assert shown["impact"]["before"]["attendance_pct"] == 100.0


def test_case_events_in_order(conn: sqlite3.Connection, tmp_path: Path) -> None:
    _marks(conn, tmp_path)
    leads.set_lead(conn, upn=UPN1, name="Mrs Patel", agency="school", officer="Jo")
    notes.add_note(conn, upn=UPN1, text="Called home", officer="Jo")
    case.close_case(conn, upn=UPN1, outcome="Improved", officer="Jo")
    data = case_view_dict(case_view(conn, UPN1))
    recorded = [e["type"] for e in data["chronology"] if e["date"] == dt.date.today()]
    assert recorded == ["case_opened", "lead_practitioner", "note", "case_closed"]
    assert data["status"] == "closed" and data["outcome"] == "Improved"
    assert data["lead_practitioner"] == {
        "name": "Mrs Patel",
        "agency": "school",
        "role": None,
        "contact": None,
    }


def test_a_penalty_notice_appears_once(conn: sqlite3.Connection, tmp_path: Path) -> None:
    from attendance_cli.cases.penalty import add_penalty_notice

    _marks(conn, tmp_path)
    add_penalty_notice(
        conn, upn=UPN1, parent="Jane Doe", new_parent=True, issued=dt.date(2025, 11, 12),
        officer="Jo", force=True, force_reason="the chronology only",
    )  # fmt: skip
    data = case_view_dict(case_view(conn, UPN1))
    assert [a["kind"] for a in data["actions"]] == ["penalty notice"]
    on_the_day = [e["type"] for e in data["chronology"] if e["date"] == dt.date(2025, 11, 12)]
    assert on_the_day == ["case_opened", "penalty_notice"]  # the notice opened the case that day
    assert [(n["parent_name"], n["notice_number"]) for n in data["penalty_notices"]] == [
        ("Jane Doe", 1)
    ]
    (entry,) = [e for e in data["chronology"] if e["type"] == "penalty_notice"]
    assert entry["summary"] == (
        # 21 days counting the issue day as day 1
        "Penalty notice issued to Jane Doe (first in 3 years; £160, £80 if paid by 2025-12-02)"
    )


def _days_marks(
    conn: sqlite3.Connection, tmp_path: Path, marks_by_upn: dict[str, dict[dt.date, str]]
) -> None:
    rows: list[list[object]] = [["UPN", "Date", "Session", "Mark"]]
    for upn, days in marks_by_upn.items():
        for day, code in days.items():
            rows += [[upn, day.isoformat(), "AM", code], [upn, day.isoformat(), "PM", code]]
    import_registers(conn, paths=[write_csv(tmp_path / "days.csv", rows)], school=SCHOOL)


def _weekdays(first: dt.date, last: dt.date) -> list[dt.date]:
    count = (last - first).days + 1
    days = (first + dt.timedelta(days=i) for i in range(count))
    return [d for d in days if d.weekday() < 5]


def test_continuous_absence_skips_neutral_days(conn: sqlite3.Connection, tmp_path: Path) -> None:
    # N from Mon 15 Sep with Y1 (neutral) on Wed 17 Sep: 15, 16, 18, 19, 22-26, 29 -> 10th = 29 Sep
    term = _weekdays(dt.date(2025, 9, 1), dt.date(2025, 10, 10))
    pupil = {d: "/" for d in term}
    for d in _weekdays(dt.date(2025, 9, 15), dt.date(2025, 10, 3)):
        pupil[d] = "N"
    pupil[dt.date(2025, 9, 17)] = "Y1"
    _days_marks(conn, tmp_path, {UPN1: pupil, UPN2: dict.fromkeys(term, "/")})
    found = [m for m in _milestones(case_view_dict(case_view(conn, UPN1))) if "continuous" in m[1]]
    assert found == [(dt.date(2025, 9, 29), "continuous_absence_10")]  # 14 days: no 20


def test_continuous_absence_over_the_summer_is_dated_once(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    # N on 15-22 Jul (6 school days) and 1-19 Sep (15): the 10th day is 4 Sep, the 20th 18 Sep
    july = _weekdays(dt.date(2025, 7, 7), dt.date(2025, 7, 22))
    autumn = _weekdays(dt.date(2025, 9, 1), dt.date(2025, 10, 3))
    pupil = {d: ("N" if d >= dt.date(2025, 7, 15) else "/") for d in july}
    pupil |= {d: ("N" if d <= dt.date(2025, 9, 19) else "/") for d in autumn}
    _days_marks(conn, tmp_path, {UPN1: pupil, UPN2: dict.fromkeys(july + autumn, "/")})
    found = [m for m in _milestones(case_view_dict(case_view(conn, UPN1))) if "continuous" in m[1]]
    assert found == [
        (dt.date(2025, 9, 4), "continuous_absence_10"),
        (dt.date(2025, 9, 18), "continuous_absence_20"),
    ]
