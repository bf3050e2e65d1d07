"""``att pupil show``: enrolments, figures per term, flags and the register grid, against
registers written by hand (and the sample LA's designed mover, sample_data/README.md)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from attendance_cli.cases.actions import add_action
from attendance_cli.cases.leads import set_lead
from attendance_cli.cli import common
from attendance_cli.cli.app import app
from attendance_cli.cli.pupil import print_pupil
from attendance_cli.errors import InvalidInputError, NotFoundError
from attendance_cli.exports.render import to_jsonable
from attendance_cli.views.pupil import show_pupil
from tests.helpers import SCHOOL, UPN1, UPN2
from tests.views.registers import attended, import_marks

runner = CliRunner()

# Mon 1 - Fri 5 Sep 2025: present AM/PM, ill all Tuesday, C1 then present, N all Thursday,
# closed (#) on Friday. possible 8 = present 3 + authorised 3 (I, I, C1) + unauthorised 2 (N, N)
WEEK = ["/", "\\", "I", "I", "C1", "/", "N", "N", "#", "#"]


@pytest.fixture
def one_week(conn: sqlite3.Connection, tmp_path: Path) -> sqlite3.Connection:
    import_marks(conn, tmp_path, SCHOOL, {UPN1: WEEK, UPN2: attended(10)})
    return conn


def test_figures_terms_and_register_of_one_week(one_week: sqlite3.Connection) -> None:
    record = show_pupil(one_week, upn=UPN1)
    assert record.upn == UPN1 and record.casework is None
    (enrolment,) = record.enrolments
    assert enrolment.laestab == SCHOOL
    assert enrolment.period is not None
    assert (enrolment.period["from"], enrolment.period["to"]) == (
        dt.date(2025, 8, 1),
        dt.date(2025, 9, 5),
    )
    f = enrolment.figures
    assert f is not None
    assert (f.possible, f.attended, f.authorised, f.unauthorised) == (8, 3, 3, 2)
    assert (f.sessions_missed, f.days_missed, f.absence_pct, f.attendance_pct) == (
        5,
        2.5,
        62.5,
        37.5,
    )
    assert f.band == "severe"  # 2 x 5 >= 8
    (autumn,) = enrolment.terms
    assert (autumn.term, autumn.start, autumn.end) == (
        "autumn term 2025/26",
        dt.date(2025, 8, 1),
        dt.date(2025, 9, 5),
    )
    assert (autumn.possible, autumn.sessions_missed, autumn.severe) == (8, 5, True)
    assert enrolment.previous_year is None
    (week,) = enrolment.register
    assert week.week_beginning == dt.date(2025, 9, 1)
    assert week.marks == WEEK  # as written: C1, not the character it is stored as
    assert (week.possible, week.attended, week.absent) == (8, 3, 5)


def test_terms_previous_year_and_gaps(conn: sqlite3.Connection, tmp_path: Path) -> None:
    # 2024/25: 10 sessions from Mon 3 Mar 2025 (spring term), 2 of them I: 20% -> PA last year
    import_marks(
        conn,
        tmp_path,
        SCHOOL,
        {UPN1: ["I", "I", *attended(8)]},
        first=dt.date(2025, 3, 3),
        name="y1",
    )
    # 2025/26: a week in September, then a week in January (spring term)
    import_marks(conn, tmp_path, SCHOOL, {UPN1: attended(10)}, name="y2a")
    import_marks(
        conn, tmp_path, SCHOOL, {UPN1: ["O", *attended(9)]}, first=dt.date(2026, 1, 5), name="y2b"
    )
    (enrolment,) = show_pupil(conn, upn=UPN1).enrolments
    assert [t.term for t in enrolment.terms] == ["autumn term 2025/26", "spring term 2025/26"]
    assert [(t.possible, t.unauthorised) for t in enrolment.terms] == [(10, 0), (10, 1)]
    assert enrolment.terms[1].end == dt.date(2026, 1, 9)  # cut at the last marks
    previous = enrolment.previous_year
    assert previous is not None and previous.term == "2024/25"
    assert (previous.possible, previous.sessions_missed, previous.persistent) == (10, 2, True)
    assert [w.week_beginning for w in enrolment.register] == [
        dt.date(2025, 9, 1),
        dt.date(2026, 1, 5),
    ]
    assert enrolment.figures is not None and enrolment.figures.at_risk_codes == ["previous_year_pa"]
    # 1 of 20 = 5%, not PA; PA last year makes it at risk
    assert enrolment.figures.band == "at_risk"
    # the year before on request
    (before,) = show_pupil(conn, upn=UPN1, year=2024).enrolments
    assert before.figures is not None and before.figures.possible == 10
    assert [w.week_beginning for w in before.register] == [dt.date(2025, 3, 3)]  # 5 weekdays


def test_mover_has_one_figure_per_school(sample_conn: sqlite3.Connection) -> None:
    # sample_data/README.md: mover-riverside 36 possible, 6 absent (PA); mover-st-annes 56, 3
    record = show_pupil(sample_conn, upn="A899200122002")
    figures = {e.laestab: e.figures for e in record.enrolments}
    assert set(figures) == {"8992001", "8992002"}
    riverside, st_annes = figures["8992001"], figures["8992002"]
    assert riverside is not None and st_annes is not None
    assert (riverside.possible, riverside.sessions_missed, riverside.band) == (36, 6, "persistent")
    assert (st_annes.possible, st_annes.sessions_missed, st_annes.band) == (56, 3, "none")
    left = next(e for e in record.enrolments if e.laestab == "8992001")
    assert left.leaving_date == "2025-09-26"
    assert left.register[-1].week_beginning == dt.date(2025, 9, 22)  # nothing after leaving
    # PA at a school the child has left: no advice on how to leave PA there
    assert (riverside.recovery_sessions_term, riverside.recovery_sessions_year) == (None, None)
    assert riverside.pa_unavoidable_this_year is None


def test_open_case_is_shown(one_week: sqlite3.Connection) -> None:
    set_lead(one_week, upn=UPN1, name="Sam Lead", agency="school", officer="Test Officer")
    add_action(
        one_week,
        upn=UPN1,
        kind="attendance plan",
        action="Agree a plan",
        officer="Test Officer",
        due=dt.date(2025, 9, 1),
    )
    record = show_pupil(one_week, upn=UPN1, today=dt.date(2025, 9, 10))
    assert record.casework is not None
    assert (record.casework.lead_practitioner, record.casework.lead_agency) == (
        "Sam Lead",
        "school",
    )
    assert (record.casework.open_actions, record.casework.overdue_actions) == (1, 1)
    assert record.casework.next_review == dt.date(2025, 9, 1) and record.casework.has_plan
    assert show_pupil(one_week, upn=UPN2).casework is None


def test_unknown_and_malformed_upns(one_week: sqlite3.Connection) -> None:
    from attendance_cli.identifiers import make_upn

    with pytest.raises(NotFoundError, match="No pupil with UPN"):
        show_pupil(one_week, upn=make_upn(899, 2001, 15, 99))
    with pytest.raises(InvalidInputError, match="check letter"):
        show_pupil(one_week, upn="A" + UPN1[1:] if UPN1[0] != "A" else "B" + UPN1[1:])


def test_cli_json_keys(one_week: sqlite3.Connection, db_path: Path) -> None:
    result = runner.invoke(app, ["pupil", "show", UPN1.lower(), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {
        "upn", "surname", "forename", "date_of_birth", "gender", "fsm", "sen",
        "social_worker", "looked_after", "casework", "enrolments",
    }  # fmt: skip
    (enrolment,) = data["enrolments"]
    assert set(enrolment) == {
        "laestab", "school", "phase", "year_group", "entry_date", "leaving_date", "period",
        "figures", "terms", "previous_year", "register", "registration_group",
    }  # fmt: skip
    assert set(enrolment["register"][0]) == {
        "week_beginning",
        "marks",
        "possible",
        "attended",
        "absent",
    }
    assert enrolment["register"][0]["marks"] == WEEK
    assert {"possible", "band", "penalty_threshold_met", "flags", "recovery_sessions_year"} <= set(
        enrolment["figures"]
    )
    assert set(enrolment["terms"][0]) == {
        "term", "start", "end", "possible", "attended", "present", "aea", "authorised",
        "unauthorised", "late", "missing", "sessions_missed", "days_missed", "attendance_pct",
        "absence_pct", "persistent", "severe",
    }  # fmt: skip


def test_cli_table_and_errors(one_week: sqlite3.Connection, db_path: Path) -> None:
    table = runner.invoke(app, ["pupil", "show", UPN1])
    assert table.exit_code == 0, table.stderr
    assert UPN1 in table.stdout and "Register" in table.stdout
    assert "01/09/25" in table.stdout and "C1" in table.stdout
    assert "\x1b[" not in table.stdout
    from attendance_cli.identifiers import make_upn

    missing = runner.invoke(app, ["pupil", "show", make_upn(899, 2001, 15, 99)])
    assert missing.exit_code == 4 and "No pupil with UPN" in missing.stderr
    bad = runner.invoke(app, ["pupil", "show", "X123"])
    assert bad.exit_code == 3 and bad.stderr.startswith("Error: UPN 'X123' has 4 characters")


def test_register_is_coloured_by_category_on_a_terminal(
    one_week: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR")
    console = Console(force_terminal=True, color_system="standard", width=120, record=True)
    monkeypatch.setattr(common, "stdout", console)
    print_pupil(to_jsonable(show_pupil(one_week, upn=UPN1)))
    text = console.export_text(styles=True)
    assert "\x1b[1;31mN" in text  # unauthorised: bold red
    assert "\x1b[32m/" in text  # present: green
    assert "\x1b[33mI" in text  # authorised: yellow
