"""The penalty-notice framework applied to notices with registers (issue 12, rule errors 4-7,
10, the reg. 20 record and the annual figures). Every figure is hand-computed here.

The pupil: Ann Smith (UPN1) at Riverside (8992001), parents Jo Smith (Mother, contact 1) and Sam
Smith (Father, contact 2), born 10 January 2021: she turns five on 10 January 2026 and is of
compulsory school age from the next prescribed day, 31 March 2026 (SI 1998/1607). Her register
runs from Mon 2 March 2026, one character per session, every weekday marked.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cases.audit import list_audit
from attendance_cli.cases.penalty import (
    add_penalty_notice,
    check_penalty_notice,
    correct_penalty_date,
    get_penalty_notice,
    record_penalty_payment,
    record_prosecution,
    update_penalty_notice,
    withdraw_penalty_notice,
)
from attendance_cli.cases.penalty_checks import looks_like
from attendance_cli.cases.penalty_report import penalty_report
from attendance_cli.cases.penalty_rules import best_threshold_window, notice_reason
from attendance_cli.cli.app import app
from attendance_cli.errors import RefusedError, UsageError
from attendance_cli.registers.importer import import_registers
from tests.helpers import SCHOOL, UPN1, weekdays, write_csv

D = dt.date
OFFICER = "Officer A"
START = D(2026, 3, 2)  # Monday
LATER = D(2026, 7, 1)
runner = CliRunner()


def _pupil(conn: sqlite3.Connection, tmp_path: Path, codes: str, dob: str = "2021-01-10") -> None:
    roster = write_csv(
        tmp_path / "roster.csv",
        [
            ["UPN", "Surname", "Forename", "DOB", "Year", "LAESTAB", "School Name",
             "Entry Date", "Leaving Date", "Parent 1 Name", "Parent 1 Relationship",
             "Parent 2 Name", "Parent 2 Relationship"],
            [UPN1, "Smith", "Ann", dob, "R", SCHOOL, "Riverside Primary", "2025-09-03", "",
             "Jo Smith", "Mother", "Sam Smith", "Father"],
        ],
    )  # fmt: skip
    assert import_registers(conn, paths=[roster]).ok
    rows: list[list[object]] = [["UPN", "Date", "Session", "Mark"]]
    days = weekdays(START, (len(codes) + 1) // 2)
    for i, code in enumerate(codes):
        rows.append([UPN1, days[i // 2].isoformat(), "AM" if i % 2 == 0 else "PM", code])
    marks = write_csv(tmp_path / "marks.csv", rows)
    result = import_registers(conn, paths=[marks], school=SCHOOL)
    assert result.ok, [p for f in result.files for p in f.problems]


# Weeks from Mon 2 Mar 2026: w1 2-6 Mar, w2 9-13, w3 16-20, w4 23-27, w5 30 Mar-3 Apr, w6 6-10 Apr
WEEK = "/" * 10


def _add(conn: sqlite3.Connection, issued: dt.date, **kwargs: object):  # type: ignore[no-untyped-def]
    options: dict[str, object] = {
        "upn": UPN1,
        "parent": "Jo Smith",
        "officer": OFFICER,
        "today": LATER,
        "served_by": "hand",
    }
    options.update(kwargs)
    return add_penalty_notice(conn, issued=issued, **options)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ pure rules


@pytest.mark.parametrize(
    ("count", "met"),
    [pytest.param(9, False, id="9-sessions"), pytest.param(10, True, id="10-sessions")],
)
def test_threshold_9_or_10_sessions_in_10_school_weeks(count: int, met: bool) -> None:
    mondays = [D(2026, 3, 2) + dt.timedelta(weeks=w) for w in range(12)]
    # one session in each of weeks 1..count (a week apart): all within 10 school weeks only if
    # count <= 10
    sessions = [mondays[w] for w in range(count)]
    assert (best_threshold_window(sessions, mondays) >= 10) is met


def test_threshold_window_is_10_school_weeks_not_10_calendar_weeks() -> None:
    # 11 calendar weeks with a half-term week (no school) in the middle: 10 school weeks
    mondays = [D(2026, 3, 2) + dt.timedelta(weeks=w) for w in range(11) if w != 5]
    sessions = [mondays[0], *([mondays[-1]] * 9)]
    assert best_threshold_window(sessions, mondays) == 10
    # with the half-term week a school week, the first session falls outside the 10
    every = [D(2026, 3, 2) + dt.timedelta(weeks=w) for w in range(11)]
    assert best_threshold_window(sessions, every) == 9


@pytest.mark.parametrize(
    ("kind", "marks", "reason"),
    [
        pytest.param("attendance", "GGGG", "holiday", id="all-G-holiday"),
        pytest.param("attendance", "GGGU", "unauthorised", id="one-U-not-holiday"),
        pytest.param("attendance", "UUUU", "lateness", id="all-U-lateness"),
        pytest.param("attendance", "NNOO", "unauthorised", id="N-O-other"),
        pytest.param("exclusion", "EE", "exclusion", id="exclusion"),
    ],
)
def test_notice_reason(kind: str, marks: str, reason: str) -> None:
    assert notice_reason(kind, marks) == reason


@pytest.mark.parametrize(
    ("typed", "recorded", "alike"),
    [
        pytest.param("C Marsden", "Claire Marsden", True, id="initial"),
        pytest.param("Claire A Marsden", "Claire Marsden", True, id="middle-name"),
        pytest.param("Mrs C. Marsden", "Claire Marsden", True, id="title-and-stop"),
        pytest.param("Paul Marsden", "Claire Marsden", False, id="other-parent"),
        pytest.param("Claire Smith", "Claire Marsden", False, id="other-surname"),
    ],
)
def test_looks_like(typed: str, recorded: str, alike: bool) -> None:
    assert looks_like(typed, recorded) is alike


# ------------------------------------------------------------- compulsory school age, threshold


@pytest.mark.parametrize(
    ("start", "end", "passes", "says"),
    [
        # Mon 30 Mar - Fri 3 Apr: Monday's two sessions are before 31 March
        pytest.param(D(2026, 3, 30), D(2026, 4, 3), False, "2 of the sessions", id="day-before"),
        # Tue 31 Mar - Mon 6 Apr: every session on or after the day she reaches it
        pytest.param(D(2026, 3, 31), D(2026, 4, 6), True, "", id="the-day-she-reaches-it"),
    ],
)
def test_compulsory_school_age_from_the_prescribed_day(
    conn: sqlite3.Connection,
    tmp_path: Path,
    start: dt.date,
    end: dt.date,
    passes: bool,
    says: str,
) -> None:
    # weeks 1-4 present, then O from Mon 30 Mar to Tue 7 Apr (12 sessions), then present
    _pupil(conn, tmp_path, WEEK * 4 + "O" * 12 + "/" * 8)
    check = check_penalty_notice(
        conn, upn=UPN1, parent="Jo Smith", on=D(2026, 4, 20), offence_from=start, offence_to=end
    )
    assert (check.passed, check.sessions, check.school_age_from) == (passes, 10, D(2026, 3, 31))
    assert all(says in p for p in check.problems[:1])
    if not passes:
        assert "Below compulsory school age" in check.problems[0]
        with pytest.raises(RefusedError, match="Below compulsory school age"):
            _add(conn, D(2026, 4, 20), offence_from=start, offence_to=end)
        forced = _add(
            conn,
            D(2026, 4, 20),
            offence_from=start,
            offence_to=end,
            force=True,
            force_reason="LA legal advice: the offence continued past 31 March",
        ).notice
        assert forced.force_reason == "LA legal advice: the offence continued past 31 March"
        entry = [a for a in list_audit(conn, upn=UPN1) if a.action == "add_penalty_notice"][-1]
        assert entry.detail["force_reason"] == forced.force_reason
        assert "Below compulsory school age" in entry.detail["failed_checks"][0]
    else:
        notice = _add(conn, D(2026, 4, 20), offence_from=start, offence_to=end).notice
        assert (notice.offence_from, notice.offence_to, len(notice.sessions)) == (start, end, 10)
        assert notice.reason == "unauthorised" and notice.contact_id == 1


def test_force_needs_a_reason(conn: sqlite3.Connection, tmp_path: Path) -> None:
    _pupil(conn, tmp_path, WEEK * 6)
    with pytest.raises(UsageError, match="--force needs --reason"):
        _add(conn, D(2026, 4, 20), force=True)


@pytest.mark.parametrize(
    ("unauthorised", "passes"),
    [pytest.param(9, False, id="9-sessions"), pytest.param(10, True, id="10-sessions")],
)
def test_threshold_checked_on_add_and_check(
    conn: sqlite3.Connection, tmp_path: Path, unauthorised: int, passes: bool
) -> None:
    # weeks 6-7 (6-17 Apr, after she reached compulsory school age): G sessions
    codes = WEEK * 5 + "G" * unauthorised + "/" * (20 - unauthorised)
    _pupil(conn, tmp_path, codes)
    period = {"offence_from": D(2026, 4, 6), "offence_to": D(2026, 4, 17)}
    check = check_penalty_notice(conn, upn=UPN1, parent="Jo Smith", on=D(2026, 4, 20), **period)
    assert (check.passed, check.threshold_count) == (passes, unauthorised)
    if passes:
        notice = _add(conn, D(2026, 4, 20), **period).notice
        assert notice.reason == "holiday"
    else:
        assert "Threshold not met: 9 unauthorised sessions" in check.problems[0]
        with pytest.raises(RefusedError, match="Threshold not met"):
            _add(conn, D(2026, 4, 20), **period)
        assert conn.connection.execute("SELECT count(*) FROM penalty_notice").fetchone() == (0,)


def test_without_a_period_the_notice_is_for_the_window_that_met_the_threshold(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    # U on Mon 6 Apr AM (week 6), G on Mon 13 - Fri 17 Apr AM (9 sessions, week 7): met at
    # the 9th G (Fri 17 Apr AM); the window's sessions are U + 9 G, so not a holiday
    codes = WEEK * 5 + "U" + "/" * 9 + "G" * 9 + "/"
    _pupil(conn, tmp_path, codes)
    notice = _add(conn, D(2026, 4, 20)).notice
    assert (notice.offence_from, notice.offence_to) == (D(2026, 4, 6), D(2026, 4, 17))
    assert len(notice.sessions) == 10 and notice.reason == "unauthorised"


# ---------------------------------------------------------------------- sessions and parents

HOLIDAY = WEEK * 5 + "G" * 10 + WEEK  # Mon 6 - Fri 10 Apr 2026: 10 G
PERIOD = {"offence_from": D(2026, 4, 6), "offence_to": D(2026, 4, 10)}


def test_the_same_sessions_cannot_found_a_second_notice(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    _pupil(conn, tmp_path, HOLIDAY)
    first = _add(conn, D(2026, 4, 20), **PERIOD).notice
    with pytest.raises(RefusedError, match=f"already in notice {first.id} to Jo Smith"):
        _add(conn, D(2026, 4, 21), **PERIOD)
    # the other parent may be given a notice for the same absence
    other = _add(conn, D(2026, 4, 20), parent="Sam Smith", **PERIOD).notice
    assert other.contact_id == 2
    # once the first is withdrawn, its sessions are free again
    withdraw_penalty_notice(
        conn,
        notice_id=first.id,
        withdrawn=D(2026, 4, 22),
        ground="material-error",
        reason="wrong dates on the notice",
        officer=OFFICER,
        today=LATER,
    )
    again = _add(conn, D(2026, 4, 23), **PERIOD).notice
    assert again.notice_number == 1  # the withdrawn notice does not count
    check = check_penalty_notice(conn, upn=UPN1, parent="jo smith", on=D(2026, 4, 24), **PERIOD)
    assert not check.passed and "already in notice" in check.problems[-1]


def test_a_variant_of_a_recorded_parent_is_refused(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    _pupil(conn, tmp_path, HOLIDAY)
    with pytest.raises(RefusedError, match="looks like Jo Smith \\(contact 1, Mother\\)"):
        _add(conn, D(2026, 4, 20), parent="J Smith", **PERIOD)


# ------------------------------------------------------------------------------- exclusion


def test_exclusion_notices_do_not_count_towards_the_limit(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    # weeks 6-7 G (20 sessions), week 8 Mon E (2 sessions)
    _pupil(conn, tmp_path, WEEK * 5 + "G" * 20 + "EE" + "/" * 8)
    one = _add(conn, D(2026, 4, 20), offence_from=D(2026, 4, 6), offence_to=D(2026, 4, 10))
    two = _add(conn, D(2026, 4, 21), offence_from=D(2026, 4, 13), offence_to=D(2026, 4, 17))
    assert (one.notice.notice_number, two.notice.notice_number) == (1, 2)
    exclusion = _add(
        conn,
        D(2026, 4, 22),
        kind="exclusion",
        offence_from=D(2026, 4, 20),
        offence_to=D(2026, 4, 20),
    ).notice
    assert (exclusion.kind, exclusion.reason, exclusion.notice_number) == (
        "exclusion",
        "exclusion",
        None,
    )
    assert not exclusion.counts_towards_limit
    assert (exclusion.reduced_amount_pence, exclusion.full_amount_pence) == (8000, 16000)
    # the 2-in-3-years limit still counts the two attendance notices only
    check = check_penalty_notice(conn, upn=UPN1, parent="Jo Smith", on=D(2026, 4, 23))
    assert not check.allowed and check.counted_notice_ids == [one.notice.id, two.notice.id]
    # an exclusion notice needs excluded sessions
    with pytest.raises(RefusedError, match="No excluded \\(E\\) sessions"):
        _add(
            conn,
            D(2026, 4, 22),
            parent="Sam Smith",
            kind="exclusion",
            offence_from=D(2026, 4, 6),
            offence_to=D(2026, 4, 10),
        )


# ------------------------------------------------------------------ service and payment


@pytest.mark.parametrize(
    ("posted", "received", "lower_until", "pay_by"),
    [
        # Fri 22 Aug 2025, bank holiday Mon 25 Aug: Tue 26 (1st), Wed 27 (2nd working day)
        pytest.param(
            D(2025, 8, 22), D(2025, 8, 27), D(2025, 9, 16), D(2025, 9, 23), id="august-bank-holiday"
        ),
        # Wed 24 Dec 2025: Christmas and Boxing Day, the weekend: Mon 29 (1st), Tue 30 (2nd)
        pytest.param(
            D(2025, 12, 24), D(2025, 12, 30), D(2026, 1, 19), D(2026, 1, 26), id="christmas"
        ),
        # Thu 2 Apr 2026: Good Friday 3 Apr, the weekend, Easter Monday 6 Apr: Tue 7, Wed 8
        pytest.param(D(2026, 4, 2), D(2026, 4, 8), D(2026, 4, 28), D(2026, 5, 5), id="easter"),
    ],
)
def test_posted_notice_periods_run_from_receipt(
    conn: sqlite3.Connection,
    tmp_path: Path,
    posted: dt.date,
    received: dt.date,
    lower_until: dt.date,
    pay_by: dt.date,
) -> None:
    _pupil(conn, tmp_path, HOLIDAY)
    notice = _add(
        conn,
        posted,
        served_by="post",
        force=True,
        force_reason="service dates only",
        today=D(2026, 6, 1),
    ).notice
    assert (notice.service_method, notice.served_on, notice.received_on) == (
        "post",
        posted,
        received,
    )
    assert (notice.reduced_rate_until, notice.pay_by, notice.periods_from) == (
        lower_until,
        pay_by,
        "receipt",
    )
    # the case action is due on the last day to pay, from receipt
    due = conn.connection.execute(
        "SELECT due FROM case_action WHERE penalty_notice_id = ?", (notice.id,)
    )
    assert due.fetchone() == (pay_by.isoformat(),)
    # £80 paid on the last day of the 21 days from receipt is the reduced rate
    paid = record_penalty_payment(
        conn, notice_id=notice.id, paid=lower_until, officer=OFFICER, today=D(2026, 6, 1)
    ).notice
    assert (paid.status, paid.amount_pence) == ("paid", 8000)


def test_email_is_not_a_way_to_serve_a_notice(conn: sqlite3.Connection, tmp_path: Path) -> None:
    _pupil(conn, tmp_path, HOLIDAY)
    with pytest.raises(RefusedError, match="cannot be served by email"):
        _add(conn, D(2026, 4, 20), served_by="email", **PERIOD)


def test_part_payments(conn: sqlite3.Connection, tmp_path: Path) -> None:
    _pupil(conn, tmp_path, HOLIDAY)
    # handed over Mon 20 Apr: £80 to Sun 10 May (day 21), £160 to Sun 17 May (day 28)
    notice = _add(conn, D(2026, 4, 20), **PERIOD).notice
    pay = {"notice_id": notice.id, "officer": OFFICER, "today": D(2026, 5, 15)}
    half = update_penalty_notice(conn, paid=D(2026, 4, 25), amount_pence=4000, part=True, **pay)
    assert (half.notice.status, half.notice.paid_so_far_pence, half.notice.paid) == (
        "outstanding",
        4000,
        None,
    )
    assert "Part payment: £40 paid of £80" in half.warnings[-1]
    with pytest.raises(RefusedError, match="more than the £40 still due"):
        record_penalty_payment(conn, paid=D(2026, 5, 1), amount_pence=5000, part=True, **pay)
    # the rest after day 21: the full rate applies, so £120 settles it
    rest = record_penalty_payment(conn, paid=D(2026, 5, 12), **pay).notice
    assert (rest.status, rest.amount_pence, rest.paid) == ("paid", 16000, D(2026, 5, 12))
    assert [p["amount_pence"] for p in rest.payments] == [4000, 12000]


# --------------------------------------------------- withdrawal, prosecution, corrections


def test_withdrawal_needs_its_ground(conn: sqlite3.Connection, tmp_path: Path) -> None:
    _pupil(conn, tmp_path, HOLIDAY)
    notice = _add(conn, D(2026, 4, 20), **PERIOD).notice
    with pytest.raises(UsageError, match="ground"):
        withdraw_penalty_notice(
            conn, notice_id=notice.id, withdrawn=D(2026, 4, 21), reason="x", officer=OFFICER
        )
    done = withdraw_penalty_notice(
        conn,
        notice_id=notice.id,
        withdrawn=D(2026, 4, 21),
        reason="sent to the father in error",
        ground="wrong-person",
        officer=OFFICER,
        today=LATER,
    ).notice
    assert (done.status, done.withdrawn_ground) == ("withdrawn", "wrong-person")


def test_prosecution_only_after_the_28_days(conn: sqlite3.Connection, tmp_path: Path) -> None:
    _pupil(conn, tmp_path, HOLIDAY)
    notice = _add(conn, D(2026, 4, 20), **PERIOD).notice  # pay by Sun 17 May
    with pytest.raises(RefusedError, match="before the 28 days to pay end \\(2026-05-17"):
        record_prosecution(
            conn, notice_id=notice.id, prosecuted_on=D(2026, 5, 17), officer=OFFICER, today=LATER
        )
    begun = record_prosecution(
        conn, notice_id=notice.id, prosecuted_on=D(2026, 5, 18), officer=OFFICER, today=LATER
    ).notice
    assert begun.prosecuted_on == D(2026, 5, 18) and begun.prosecution_outcome is None
    decided = record_prosecution(
        conn,
        notice_id=notice.id,
        outcome="convicted",
        outcome_on=D(2026, 6, 10),
        officer=OFFICER,
        today=LATER,
    ).notice
    assert (decided.prosecution_outcome, decided.prosecution_outcome_on) == (
        "convicted",
        D(2026, 6, 10),
    )
    with pytest.raises(RefusedError, match="already recorded"):
        record_prosecution(
            conn, notice_id=notice.id, prosecuted_on=D(2026, 5, 19), officer=OFFICER, today=LATER
        )


def test_a_mistyped_service_date_is_corrected_and_audited(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    _pupil(conn, tmp_path, HOLIDAY)
    notice = _add(conn, D(2026, 4, 20), served_by="post", **PERIOD).notice
    # posted Mon 20 Apr: received Wed 22 Apr; really posted Fri 24 Apr: received Tue 28 Apr
    assert notice.received_on == D(2026, 4, 22)
    fixed = correct_penalty_date(
        conn,
        notice_id=notice.id,
        field_name="served",
        to=D(2026, 4, 24),
        reason="posted on Friday, not Monday",
        officer=OFFICER,
        today=LATER,
    ).notice
    assert (fixed.served_on, fixed.received_on, fixed.pay_by) == (
        D(2026, 4, 24),
        D(2026, 4, 28),
        D(2026, 5, 25),
    )
    entry = list_audit(conn, upn=UPN1)[-1]
    assert entry.action == "correct_penalty_date"
    assert (entry.detail["field"], entry.detail["from"], entry.detail["to"]) == (
        "served",
        "2026-04-20",
        "2026-04-24",
    )
    assert entry.detail["reason"] == "posted on Friday, not Monday"
    with pytest.raises(UsageError, match="already 2026-04-24"):
        correct_penalty_date(
            conn,
            notice_id=notice.id,
            field_name="served",
            to=D(2026, 4, 24),
            reason="again",
            officer=OFFICER,
            today=LATER,
        )


# ---------------------------------------------------------------------- the annual figures


def test_the_annual_figures(conn: sqlite3.Connection, tmp_path: Path) -> None:
    # weeks 6-9 (6 Apr - 1 May): 10 G, 10 N, 10 U (late), 10 G; week 10 Mon: E E
    _pupil(conn, tmp_path, WEEK * 5 + "G" * 10 + "N" * 10 + "U" * 10 + "G" * 10 + "EE" + "/" * 8)
    week = {w: (D(2026, 4, 6) + dt.timedelta(weeks=w - 6)) for w in range(6, 11)}

    def period(w: int) -> dict[str, dt.date]:
        return {"offence_from": week[w], "offence_to": week[w] + dt.timedelta(days=4)}

    today = D(2026, 8, 31)
    # 1: holiday, Jo, handed over 11 May: paid £80 on day 21 (31 May)
    a = _add(conn, D(2026, 5, 11), today=today, **period(6)).notice
    record_penalty_payment(conn, notice_id=a.id, paid=D(2026, 5, 31), officer=OFFICER, today=today)
    # 2: other unauthorised absence, Sam: paid £160 on day 28 (7 Jun)
    b = _add(conn, D(2026, 5, 11), parent="Sam Smith", today=today, **period(7)).notice
    record_penalty_payment(conn, notice_id=b.id, paid=D(2026, 6, 7), officer=OFFICER, today=today)
    # 3: lateness, Jo (her second): withdrawn on a ground
    c = _add(conn, D(2026, 5, 12), today=today, **period(8)).notice
    update_penalty_notice(
        conn,
        notice_id=c.id,
        withdrawn=D(2026, 5, 13),
        ground="material-error",
        reason="wrong school named",
        officer=OFFICER,
        today=today,
    )
    # 4: holiday, Sam (his second): unpaid, prosecuted, convicted
    d = _add(conn, D(2026, 5, 12), parent="Sam Smith", today=today, **period(9)).notice
    record_prosecution(
        conn, notice_id=d.id, prosecuted_on=D(2026, 6, 15), officer=OFFICER, today=today
    )
    record_prosecution(
        conn,
        notice_id=d.id,
        outcome="convicted",
        outcome_on=D(2026, 7, 20),
        officer=OFFICER,
        today=today,
    )
    # 5: exclusion, Jo: unpaid, still in time on 31 Aug? handed over 25 Aug: yes
    _add(
        conn,
        D(2026, 8, 25),
        kind="exclusion",
        today=today,
        offence_from=week[10],
        offence_to=week[10],
    )
    report = penalty_report(conn, year=2025, today=today)
    assert (report.label, report.start, report.end) == ("2025/26", D(2025, 9, 1), D(2026, 8, 31))
    f = report.figures
    assert (f["issued"], f["issued_holiday"], f["issued_unauthorised"]) == (5, 2, 1)
    assert (f["issued_lateness"], f["issued_exclusion"], f["issued_not_recorded"]) == (1, 1, 0)
    assert (f["paid_within_21_days"], f["paid_within_28_days"], f["paid_after_28_days"]) == (
        1,
        2,
        0,
    )
    assert (f["withdrawn"], f["withdrawn_material_error"]) == (1, 1)
    assert (f["prosecuted"], f["outcome_convicted"], f["outcome_pending"]) == (1, 1, 0)
    assert f["unpaid_not_prosecuted"] == 1
    assert penalty_report(conn, year=2024, today=today).figures["issued"] == 0

    as_json = runner.invoke(app, ["penalty", "report", "--year", "2025", "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["figures"]["issued"] == 5
    as_csv = runner.invoke(app, ["penalty", "report", "--year", "2025", "--format", "csv"])
    assert as_csv.stdout.splitlines()[:2] == [
        "figure,label,count",
        "issued,Penalty notices issued,5",
    ]
    book = tmp_path / "pn.xlsx"
    written = runner.invoke(app, ["penalty", "report", "--year", "2025", "--output", str(book)])
    assert written.exit_code == 0, written.output
    assert book.stat().st_mode & 0o777 == 0o600
    again = runner.invoke(app, ["penalty", "report", "--year", "2025", "--output", str(book)])
    assert again.exit_code != 0  # never overwritten without --force
    from openpyxl import load_workbook

    sheet = load_workbook(book).active
    assert sheet is not None
    assert (sheet["B4"].value, sheet["C4"].value) == ("issued", 5)


# ------------------------------------------------------------------------------------- CLI


def test_cli_check_exits_8_when_the_answer_is_no(conn: sqlite3.Connection, tmp_path: Path) -> None:
    _pupil(conn, tmp_path, HOLIDAY)
    base = ["penalty", "check", UPN1, "--contact", "1", "--from", "06/04/2026", "--to"]
    yes = runner.invoke(app, [*base, "10/04/2026", "--on", "20/04/2026"])
    assert yes.exit_code == 0, yes.output
    assert yes.stdout.startswith("Yes: a first notice to Jo Smith")
    assert "for 10 sessions from 06/04/2026 to 10/04/2026" in yes.stdout
    # Mon 30 Mar - Fri 10 Apr: 10 G, but the period starts before 31 March... all the G are on
    # or after 6 Apr, so the only problem is none; a period with no unauthorised sessions fails
    no = runner.invoke(
        app, [*base[:-3], "--from", "02/03/2026", "--to", "06/03/2026", "-f", "json"]
    )
    assert no.exit_code == 8, no.output
    data = json.loads(no.stdout)
    assert data["passed"] is False and "No unauthorised sessions" in data["problems"][0]
    added = runner.invoke(
        app,
        ["penalty", "add", UPN1, "--contact", "1", "--issued", "20/04/2026", "--served-by"]
        + ["post", "--from", "06/04/2026", "--to", "10/04/2026", "-f", "json"],
    )
    assert added.exit_code == 0, added.output
    notice = json.loads(added.stdout)
    assert (notice["received_on"], notice["reason"], len(notice["sessions"])) == (
        "2026-04-22",
        "holiday",
        10,
    )
    assert get_penalty_notice(conn, notice["id"]).contact_id == 1


def test_withdrawing_an_exclusion_notice_renumbers_nothing(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    # week 5 Mon E (30 Mar), weeks 6-7 G: an exclusion notice first, then two attendance ones
    _pupil(conn, tmp_path, WEEK * 4 + "EE" + "/" * 8 + "G" * 20, dob="2015-01-10")
    exclusion = _add(
        conn,
        D(2026, 4, 1),
        kind="exclusion",
        offence_from=D(2026, 3, 30),
        offence_to=D(2026, 3, 30),
    ).notice
    first = _add(conn, D(2026, 4, 20), offence_from=D(2026, 4, 6), offence_to=D(2026, 4, 10))
    second = _add(conn, D(2026, 4, 21), offence_from=D(2026, 4, 13), offence_to=D(2026, 4, 17))
    assert (first.notice.notice_number, second.notice.notice_number) == (1, 2)
    withdrawn = withdraw_penalty_notice(
        conn,
        notice_id=exclusion.id,
        withdrawn=D(2026, 4, 2),
        ground="not-issued",
        reason="the exclusion had been lifted",
        officer=OFFICER,
        today=LATER,
    ).notice
    assert withdrawn.status == "withdrawn"
    assert get_penalty_notice(conn, second.notice.id).notice_number == 2
