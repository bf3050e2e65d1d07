"""The team (issue 16): officers, allocation of schools and cases (audited), who is recorded
as making a change, and the PostgreSQL roles `att team grant` applies."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from tests.helpers import connect_to, is_postgres

runner = CliRunner()
UPN = "V899200116001"  # Castle Hill, in the sample LA
CASTLE_HILL = "8994001"


def _ok(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout) if "--format" in args and "json" in args else result


def _audit(database: Any) -> list[tuple[str, str, str]]:
    conn = connect_to(database)
    try:
        return [
            (r[0], r[1], r[2])
            for r in conn.execute(
                "SELECT officer, action, detail FROM audit_log JOIN audit_detail ON entry_id = id "
                "ORDER BY id"
            )
        ]
    finally:
        conn.close()


def test_add_list_and_rename(sample_db: Path) -> None:
    _ok("team", "add", "jo_smith", "--name", "Jo  Smith")
    _ok("team", "add", "sam_patel", "--name", "Sam Patel")
    _ok("team", "add", "jo_smith", "--name", "Jo Smith-Jones")  # a new display name
    listed = _ok("team", "list", "--format", "json")
    assert listed == [
        {"role": "jo_smith", "display_name": "Jo Smith-Jones", "schools": [], "open_cases": 0},
        {"role": "sam_patel", "display_name": "Sam Patel", "schools": [], "open_cases": 0},
    ]
    assert [a[1] for a in _audit(sample_db)] == ["add_officer", "add_officer", "rename_officer"]
    csv_out = _ok("team", "list", "--format", "csv").stdout
    assert csv_out.splitlines()[0] == "role,display_name,schools,open_cases"


def test_a_role_name_att_would_put_in_sql_is_checked(sample_db: Path) -> None:
    result = runner.invoke(app, ["team", "add", "jo; DROP TABLE pupil", "--name", "Jo"])
    assert result.exit_code == 3 and "not a database role name" in result.stderr


def test_allocating_a_school_and_reallocating_it_is_audited(sample_db: Path) -> None:
    _ok("team", "add", "jo_smith", "--name", "Jo Smith")
    _ok("team", "add", "sam_patel", "--name", "Sam Patel")
    first = _ok("team", "allocate-school", CASTLE_HILL, "jo_smith", "--format", "json")
    assert (first["officer"], first["previous"]) == ("jo_smith", None)
    second = _ok("team", "allocate-school", "castle hill", "sam_patel", "--format", "json")
    assert (second["key"], second["officer"], second["previous"]) == (
        CASTLE_HILL,
        "sam_patel",
        "jo_smith",
    )
    listed = {o["role"]: o["schools"] for o in _ok("team", "list", "--format", "json")}
    assert listed == {"jo_smith": [], "sam_patel": [CASTLE_HILL]}
    allocations = [json.loads(a[2]) for a in _audit(sample_db) if a[1] == "allocate_school"]
    assert [(a["officer"], a["previous"]) for a in allocations] == [
        ("jo_smith", None),
        ("sam_patel", "jo_smith"),
    ]
    unknown = runner.invoke(app, ["team", "allocate-school", CASTLE_HILL, "nobody"])
    assert unknown.exit_code == 4 and "No officer nobody in the team" in unknown.stderr


def test_a_case_is_allocated_once_open(sample_db: Path) -> None:
    _ok("team", "add", "jo_smith", "--name", "Jo Smith")
    refused = runner.invoke(app, ["team", "allocate-case", UPN, "jo_smith"])
    assert refused.exit_code != 0 and "has no open case to allocate" in refused.stderr
    _ok("case", "note", UPN, "Mum called")
    done = _ok("team", "allocate-case", UPN, "jo_smith", "--format", "json")
    assert (done["what"], done["key"], done["officer"]) == ("case", UPN, "jo_smith")
    assert _ok("team", "list", "--format", "json")[0]["open_cases"] == 1
    _ok("case", "close", UPN, "--outcome", "Back in school")
    assert _ok("team", "list", "--format", "json")[0]["open_cases"] == 0


def test_the_officer_recorded_is_the_database_role_on_postgres(sample_db: Path) -> None:
    _ok("case", "note", UPN, "Mum called")
    claimed = runner.invoke(app, ["case", "note", UPN, "Again", "--officer", "Someone Else"])
    officers = [a[0] for a in _audit(sample_db)]
    if is_postgres(sample_db):
        # ATT_OFFICER ("Test Officer") and --officer are not what the log records
        assert claimed.exit_code == 2 and "records you as your database role" in claimed.stderr
        assert officers == ["att_test", "att_test"]  # open_case, add_note
    else:
        assert claimed.exit_code == 0
        assert (
            officers
            == ["Test Officer", "Test Officer", "Someone Else", "Someone Else"][: len(officers)]
        )
        assert officers[-1] == "Someone Else"


def test_grant_shows_its_sql() -> None:
    out = _ok("team", "grant", "vsh_head", "--as", "read-only", "--show-sql").stdout
    lines = out.splitlines()
    assert "GRANT SELECT ON ALL TABLES IN SCHEMA public TO att_read_only;" in lines
    assert "REVOKE UPDATE, DELETE ON audit_log FROM att_officer;" in lines
    assert "REVOKE UPDATE ON audit_detail FROM att_officer;" in lines
    assert lines[-2:] == [
        "REVOKE att_officer, att_team_leader FROM vsh_head;",
        "GRANT att_read_only TO vsh_head;",
    ]


def _as(database: Any, role: str, *args: str) -> Any:
    url = database.url.replace("//att_test@", f"//{role}@")
    return runner.invoke(app, ["--db", url, *args])


def test_roles_read_only_officer_and_leader(sample_db: Path) -> None:
    if not is_postgres(sample_db):
        result = runner.invoke(app, ["team", "grant", "jo_smith", "--as", "officer"])
        assert result.exit_code == 2 and "PostgreSQL" in result.stderr
        return
    admin = connect_to(sample_db)
    try:
        for role in ("vsh_head", "jo_smith", "lead_kim"):
            admin.execute(f"DROP ROLE IF EXISTS {role}")
            admin.execute(f"CREATE ROLE {role} LOGIN")
        missing = runner.invoke(app, ["team", "grant", "no_such_role", "--as", "officer"])
        assert missing.exit_code == 4 and "CREATE ROLE no_such_role LOGIN" in missing.stderr
        _ok("team", "grant", "vsh_head", "--as", "read-only")
        _ok("team", "grant", "jo_smith", "--as", "officer")
        _ok("team", "grant", "lead_kim", "--as", "leader")
        _ok("team", "add", "jo_smith", "--name", "Jo Smith")
        # read-only: reads, and a clear error on a write
        assert _as(sample_db, "vsh_head", "team", "list").exit_code == 0
        assert _as(sample_db, "vsh_head", "pupil", "show", UPN).exit_code == 0
        refused = _as(sample_db, "vsh_head", "case", "note", UPN, "x")
        assert refused.exit_code == 6, refused.stderr
        assert refused.stderr.startswith("Error: You have read-only access")
        assert "Traceback" not in refused.stderr
        # officer: casework yes (recorded as the role), allocation no, history never rewritten
        assert _as(sample_db, "jo_smith", "case", "note", UPN, "Visited").exit_code == 0
        assert _audit(sample_db)[-1][:2] == ("jo_smith", "add_note")
        no = _as(sample_db, "jo_smith", "team", "allocate-school", CASTLE_HILL, "jo_smith")
        assert no.exit_code == 6 and "You have read-only access" in no.stderr
        # leader: allocation
        leader = _as(sample_db, "lead_kim", "team", "allocate-school", CASTLE_HILL, "jo_smith")
        assert leader.exit_code == 0, leader.stderr
        # and a downgrade takes the write away again
        _ok("team", "grant", "jo_smith", "--as", "read-only")
        again = _as(sample_db, "jo_smith", "case", "note", UPN, "x")
        assert again.exit_code == 6
    finally:
        for role in ("vsh_head", "jo_smith", "lead_kim"):
            admin.execute(f"DROP OWNED BY {role}")
            admin.execute(f"DROP ROLE {role}")
        admin.close()


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_an_officer_cannot_rewrite_the_audit_log(sample_db: Path) -> None:
    import psycopg

    from attendance_cli.db import postgres

    _ok("case", "note", UPN, "Mum called")
    admin = connect_to(sample_db)
    admin.execute("DROP ROLE IF EXISTS jo_smith")
    admin.execute("CREATE ROLE jo_smith LOGIN")
    try:
        _ok("team", "grant", "jo_smith", "--as", "officer")
        url = sample_db.url.replace("//att_test@", "//jo_smith@")  # type: ignore[attr-defined]
        jo = postgres.connect(postgres.parse_database_url(url))
        try:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                jo.execute("UPDATE audit_log SET officer = 'Mallory'")
            jo.rollback()
            # an entry's personal part: never changed (erasure deletes it, under its entry)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                jo.execute("UPDATE audit_detail SET detail = '{}'")
            jo.rollback()
        finally:
            jo.close()
    finally:
        admin.execute("DROP OWNED BY jo_smith")
        admin.execute("DROP ROLE jo_smith")
        admin.close()


def test_tasks_of_my_cases_and_the_team(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    today = dt.date.today()
    other = "T899200125008"  # a Riverside Primary pupil

    def action(upn: str, text: str, due: dt.date) -> None:
        _ok(
            "case",
            "add-action",
            upn,
            "--kind",
            "home visit",
            "--action",
            text,
            "--due",
            due.isoformat(),
        )

    action(UPN, "Visit (overdue)", today - dt.timedelta(days=3))
    action(UPN, "Visit (in 10 days)", today + dt.timedelta(days=10))
    action(UPN, "Visit (in 30 days)", today + dt.timedelta(days=30))
    action(other, "Call (tomorrow)", today + dt.timedelta(days=1))
    me = "att_test" if is_postgres(sample_db) else "jo_smith"
    monkeypatch.setenv("ATT_OFFICER", "jo_smith")  # SQLite: who "me" is (PostgreSQL: the role)
    _ok("team", "add", me, "--name", "Me")
    _ok("team", "allocate-case", UPN, me)
    mine = _ok("tasks", "--format", "json")
    assert [(t["description"], t["overdue"], t["officer"]) for t in mine] == [
        ("Visit (overdue)", True, me),
        ("Visit (in 10 days)", False, me),
    ]
    assert mine[0]["due"] == (today - dt.timedelta(days=3)).isoformat()
    week = _ok("tasks", "--team", "--days", "7", "--format", "json")
    assert [(t["upn"], t["description"], t["officer"]) for t in week] == [
        (UPN, "Visit (overdue)", me),
        (other, "Call (tomorrow)", None),
    ]
    _ok("case", "complete-action", str(_first_action_id(sample_db)), "--outcome", "Seen")
    assert [t["description"] for t in _ok("tasks", "--format", "json")] == ["Visit (in 10 days)"]
    table = _ok("tasks", "--team").stdout
    assert "unallocated" in table and "(overdue)" not in table


def _first_action_id(database: Any) -> int:
    conn = connect_to(database)
    try:
        return int(conn.execute("SELECT min(id) FROM case_action").fetchone()[0])
    finally:
        conn.close()


def test_tasks_for_someone_not_in_the_team(sample_db: Path) -> None:
    if is_postgres(sample_db):
        result = runner.invoke(app, ["tasks"])
        assert result.exit_code == 4 and "No officer att_test in the team" in result.stderr
    else:  # ATT_OFFICER "Test Officer" is no role name
        result = runner.invoke(app, ["tasks"])
        assert result.exit_code == 4 and "You (Test Officer) are not in the team" in result.stderr


def test_case_list_mine(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = "T899200125008"
    _ok("case", "note", UPN, "Mum called")
    _ok("case", "note", other, "School called")
    me = "att_test" if is_postgres(sample_db) else "jo_smith"
    monkeypatch.setenv("ATT_OFFICER", "jo_smith")  # SQLite: who "me" is (PostgreSQL: the role)
    _ok("team", "add", me, "--name", "Me")
    _ok("team", "add", "sam_patel", "--name", "Sam Patel")
    _ok("team", "allocate-case", UPN, me)
    _ok("team", "allocate-case", other, "sam_patel")
    assert {c["upn"] for c in _ok("case", "list", "--format", "json")} == {UPN, other}
    assert [c["upn"] for c in _ok("case", "list", "--mine", "--format", "json")] == [UPN]


def _term_registers(path: Path) -> Path:
    """School 8992001, 10 autumn days (20 sessions) from Wed 3 Sep 2025, three pupils:
    UPN1 present throughout (0% absent), UPN2 ill for 2 days (4 of 20 = 20%: persistent, not
    severe), UPN3 unauthorised for 5 days (10 of 20 = 50%: severe, so also persistent)."""
    from tests.helpers import UPN1, UPN2, UPN3, weekdays, write_csv

    rows: list[list[object]] = [
        ["UPN", "Surname", "Forename", "Year", "LAESTAB", "Date", "Session", "Mark"]
    ]
    for n, day in enumerate(weekdays(dt.date(2025, 9, 3), 10)):
        for session in ("AM", "PM"):
            for upn, absent_days, code in ((UPN1, 0, "I"), (UPN2, 2, "I"), (UPN3, 5, "O")):
                mark = code if n < absent_days else "/"
                rows.append(
                    [upn, "Pupil", upn[-3:], "9", "8992001", day.isoformat(), session, mark]
                )
    return write_csv(path, rows)


def test_tsm_status_for_the_term(db_path: Path, tmp_path: Path) -> None:
    from tests.helpers import UPN2, UPN3

    _ok("import", str(_term_registers(tmp_path / "marks.csv")))
    _ok("team", "add", "jo_smith", "--name", "Jo Smith")
    before = _ok("tsm", "status", "--term", "autumn", "--year", "2025", "--format", "json")
    assert before["schools"] == [
        {
            "laestab": "8992001",
            "school": "School 8992001",
            "officer": None,
            "tsm_held": None,
            "severe": 1,
            "persistent": 2,
            "without_plan": 2,  # no case at all yet
            "without_lead": 2,
        }
    ]
    _ok("team", "allocate-school", "8992001", "jo_smith")
    _ok("case", "add-action", UPN2, "--kind", "home visit", "--action", "Visit")  # a plan
    _ok("case", "note", UPN3, "Phoned home")  # a case, but no plan
    _ok("case", "set-lead", UPN3, "--name", "Mrs Patel", "--agency", "school")
    _ok("tsm", "record", "--school", "8992001", "--date", "2025-10-01", "--attendee", "SLT")
    after = _ok("tsm", "status", "--term", "autumn", "--year", "2025", "--format", "json")
    assert after["schools"][0] | {"school": None} == {
        "laestab": "8992001",
        "school": None,
        "officer": "jo_smith",
        "tsm_held": "2025-10-01",
        "severe": 1,
        "persistent": 2,
        "without_plan": 1,  # UPN3
        "without_lead": 1,  # UPN2
    }


def test_tasks_include_penalty_deadlines_and_requests(sample_conn: Any, tmp_path: Path) -> None:
    """Hand-computed, on Mon 1 Dec 2025 (no service recorded, so the periods run from issue):

    - notice A for UPN issued Mon 24 Nov 2025: reduced rate to 24 Nov + 20 = Sun 14 Dec, pay by
      24 Nov + 27 = Sun 21 Dec; the case is allocated to jo_smith (kim_lee recorded it);
    - notice B for OTHER issued Mon 27 Oct 2025: pay by 27 Oct + 27 = 23 Nov, unpaid, so the
      decision to prosecute or withdraw is due Mon 24 Nov (overdue); its case is unallocated,
      so it is sam_patel's, who recorded it;
    - notice C for OTHER issued 3 Nov, paid 5 Nov: nothing to do;
    - request R1 (UPN, Castle Hill, allocated to sam_patel) received 3 Nov: decide by 3 + 10 =
      13 Nov (overdue); R2 (OTHER, Riverside, unallocated, recorded by jo_smith) received Fri
      28 Nov: decide by 8 Dec; R3 received 4 Nov and refused: nothing to do.
    The notices' own tracking actions are not listed twice."""
    from attendance_cli import team
    from attendance_cli.cases.penalty import add_penalty_notice, record_penalty_payment
    from attendance_cli.cases.requests import add_request, decide_request

    today = dt.date(2025, 12, 1)
    other = "T899200125008"  # a Riverside Primary pupil
    team.add_officer(sample_conn, role="jo_smith", name="Jo Smith", officer="lead")
    team.add_officer(sample_conn, role="sam_patel", name="Sam Patel", officer="lead")

    def notice(upn: str, parent: str, issued: dt.date, by: str) -> int:
        return add_penalty_notice(
            sample_conn,
            upn=upn,
            parent=parent,
            new_parent=True,
            issued=issued,
            officer=by,
            force=True,
            force_reason="recorded from the paper file",
            today=today,
        ).notice.id

    def request(upn: str, received: dt.date, by: str) -> int:
        return add_request(
            sample_conn,
            upn=upn,
            received_on=received,
            period_from=dt.date(2025, 10, 6),
            period_to=dt.date(2025, 10, 17),
            reason="holiday",
            officer=by,
            today=today,
        ).request.id

    a = notice(UPN, "Stacey Calloway", dt.date(2025, 11, 24), "kim_lee")
    b = notice(other, "Pat Jones", dt.date(2025, 10, 27), "sam_patel")
    c = notice(other, "Sam Jones", dt.date(2025, 11, 3), "sam_patel")
    record_penalty_payment(
        sample_conn, notice_id=c, paid=dt.date(2025, 11, 5), officer="sam_patel", today=today
    )
    r1 = request(UPN, dt.date(2025, 11, 3), "kim_lee")
    r2 = request(other, dt.date(2025, 11, 28), "jo_smith")
    r3 = request(other, dt.date(2025, 11, 4), "jo_smith")
    decide_request(
        sample_conn, request_id=r3, decision="refuse", reason="threshold not met",
        officer="jo_smith", on=dt.date(2025, 11, 10), today=today,
    )  # fmt: skip
    team.allocate_case(sample_conn, upn=UPN, role="jo_smith", officer="lead")
    team.allocate_school(sample_conn, school=CASTLE_HILL, role="sam_patel", officer="lead")

    def seen(officer: str | None, days: int, on: dt.date = today) -> list[tuple[object, ...]]:
        return [
            (t.item, t.id, t.kind, t.due, t.overdue, t.owner, t.officer)
            for t in team.tasks(sample_conn, officer=officer, today=on, days=days)
        ]

    d = dt.date
    fortnight = [
        ("request", r1, "decide request", d(2025, 11, 13), True, "sam_patel", "sam_patel"),
        ("penalty_notice", b, "prosecute or withdraw", d(2025, 11, 24), True, "sam_patel", None),
        ("request", r2, "decide request", d(2025, 12, 8), False, "jo_smith", None),
        ("penalty_notice", a, "reduced rate ends", d(2025, 12, 14), False, "jo_smith", "jo_smith"),
    ]
    assert seen(None, 14) == fortnight
    pay_a = ("penalty_notice", a, "payment due", d(2025, 12, 21), False, "jo_smith", "jo_smith")
    assert seen(None, 30) == [*fortnight, pay_a]
    assert seen("jo_smith", 14) == [fortnight[2], fortnight[3]]
    assert seen("sam_patel", 14) == fortnight[:2]
    # a fortnight on, the reduced rate has lapsed: only the last day to pay is left of A
    later = seen("jo_smith", 7, d(2025, 12, 15))
    assert later == [
        ("request", r2, "decide request", d(2025, 12, 8), True, "jo_smith", None),
        pay_a,
    ]
    (described,) = [t for t in team.tasks(sample_conn, officer=None, today=today, days=14)
                    if t.item == "penalty_notice" and t.id == a]  # fmt: skip
    assert described.description == (
        f"Penalty notice {a} to Stacey Calloway: £80 if paid by then, then £160"
    )
    assert described.upn == UPN and described.pupil  # the pupil's name
    # paid: nothing more to do on A
    record_penalty_payment(
        sample_conn,
        notice_id=a,
        paid=dt.date(2025, 12, 2),
        officer="jo_smith",
        today=d(2025, 12, 2),
    )
    assert [t[:2] for t in seen(None, 30, d(2025, 12, 2))] == [
        ("request", r1),
        ("penalty_notice", b),
        ("request", r2),
    ]


def test_tasks_keys_in_json_and_csv(sample_db: Path) -> None:
    today = dt.date.today()
    _ok("case", "add-action", UPN, "--kind", "home visit", "--action", "Visit",
        "--due", today.isoformat())  # fmt: skip
    (row,) = _ok("tasks", "--team", "--format", "json")
    assert list(row) == [
        "due", "overdue", "upn", "pupil", "kind", "description", "owner", "officer", "item", "id",
    ]  # fmt: skip
    assert (row["item"], row["kind"], row["overdue"]) == ("action", "home visit", False)
    header = _ok("tasks", "--team", "--format", "csv").stdout.splitlines()[0]
    assert header == "due,overdue,upn,pupil,kind,description,owner,officer,item,id"
