"""The readiness check, item by item, at its boundaries (figures hand-computed from the sample LA
design in sample_data/README.md, or from a small register written here)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from attendance_cli.cases import actions, documents, notes
from attendance_cli.config import document_store
from attendance_cli.errors import InvalidInputError, UsageError
from attendance_cli.referrals.check import CheckItem, ReferralCheck, check_dict, check_referral
from attendance_cli.registers.importer import import_registers
from tests.helpers import SCHOOL, UPN1, weekdays, write_csv
from tests.referrals.builders import HARVEY, OFFICER, SIBLING, add_notice, build_case

D = dt.date
TODAY = dt.date(2025, 11, 20)
ELIZA = "K899200417003"  # one session with no mark yet ('-', Fri 14 Nov 2025 PM)
RUBY = "G899200417001"  # exactly 10% absence: 81 of 90 attended = 90.0%
CALLUM = "U899200515001"  # 9 unauthorised sessions; stepfather without parental responsibility
KIERAN = "M899200316001"  # 28 illness sessions
JAYDEN = "V899200116001"  # brother of Tyler Calloway (Riverside)


def _status(check: ReferralCheck) -> dict[str, str]:
    return {item.id: item.status for item in check.items}


def _item(check: ReferralCheck, key: str) -> CheckItem:
    return next(i for i in check.items if i.id == key)


def test_a_complete_case_is_ready_for_prosecution(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    build_case(sample_conn, sample_db, tmp_path)
    check = check_referral(sample_conn, upn=HARVEY, route="prosecution", today=TODAY)
    assert check.ready, [(i.id, i.detail) for i in check.missing]
    assert _status(check) == {
        "attendance": "met",
        "penalty_threshold": "not_applicable",
        "notice_limit": "not_applicable",
        "lead_practitioner": "met",
        "support": "met",
        "early_help": "met",
        "formal_support": "met",
        "notice_to_improve": "not_applicable",
        "warning_letters": "met",
        "eso_considered": "met",
        "social_care": "not_applicable",
        "prosecution": "not_applicable",
        "medical_evidence": "not_applicable",  # 2 I sessions
        "parents": "met",
        "siblings": "met",
    }
    f = check.case_file.figures
    assert (f.possible, f.attended, f.authorised, f.unauthorised) == (94, 78, 2, 14)
    assert check.period.start == dt.date(2025, 8, 1) and check.period.end == dt.date(2025, 11, 14)
    letters = _item(check, "warning_letters")
    assert [e.date for e in letters.evidence] == [dt.date(2025, 10, 1)] * 2
    assert check_dict(check)["ready"] is True


@pytest.mark.parametrize(
    ("leave_out", "item", "says"),
    [
        pytest.param(("lead",), "lead_practitioner", "No lead practitioner", id="no-lead"),
        pytest.param(("support_done",), "support", "none done", id="support-not-done"),
        pytest.param(("early_help",), "early_help", "No early help", id="no-early-help"),
        pytest.param(("formal_done",), "formal_support", "none done", id="contract-not-done"),
        pytest.param(
            ("paul_letter",),
            "warning_letters",
            "Paul Marsden: no warning letter",
            id="letter-missing-for-one-of-two-parents",
        ),
        pytest.param(("eso",), "eso_considered", "s.447", id="no-eso-considered"),
    ],
)
def test_each_missing_part_is_the_only_item_missing(
    sample_conn: sqlite3.Connection,
    sample_db: Path,
    tmp_path: Path,
    leave_out: tuple[str, ...],
    item: str,
    says: str,
) -> None:
    build_case(sample_conn, sample_db, tmp_path, leave_out=leave_out)
    check = check_referral(sample_conn, upn=HARVEY, route="prosecution", today=TODAY)
    assert [i.id for i in check.missing] == [item]
    assert says in _item(check, item).detail


def test_undated_letter_and_letter_action_without_a_copy_do_not_count(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    build_case(sample_conn, sample_db, tmp_path, leave_out=("paul_letter",))
    undated = tmp_path / "letter-paul.pdf"
    undated.write_bytes(b"undated")
    documents.attach_document(
        sample_conn,
        upn=HARVEY,
        file=undated,
        kind="letter",
        store=document_store(sample_db),
        officer=OFFICER,
        description="Warning letter, Paul Marsden",
    )
    check = check_referral(sample_conn, upn=HARVEY, route="prosecution", today=TODAY)
    assert "Paul Marsden: the letter is not dated" in _item(check, "warning_letters").detail

    sample_conn.connection.execute(
        "UPDATE case_document SET description = 'Letter home' WHERE file_name = ?",
        ("letter-paul.pdf",),
    )
    action = actions.add_action(
        sample_conn,
        upn=HARVEY,
        kind="warning letter",
        action="Warning letter to Paul Marsden",
        officer=OFFICER,
    )
    check = check_referral(sample_conn, upn=HARVEY, route="prosecution", today=TODAY)
    detail = _item(check, "warning_letters").detail
    assert f"warning letter action {action.id} recorded but no copy" in detail


def test_only_parents_with_parental_responsibility_need_a_letter(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    # Callum Whitlock: mother Donna Whitlock (PR), stepfather Dean Pryce (no PR)
    build_case(sample_conn, sample_db, tmp_path, upn=CALLUM, parents=("Donna Whitlock",))
    check = check_referral(sample_conn, upn=CALLUM, route="prosecution", today=TODAY)
    assert _item(check, "warning_letters").status == "met"
    assert [e.ref for e in _item(check, "parents").evidence] and "Dean Pryce" not in str(
        _item(check, "parents").evidence
    )


def test_penalty_threshold_met_and_nine_sessions_not(sample_conn: sqlite3.Connection) -> None:
    met = _item(
        check_referral(sample_conn, upn=HARVEY, route="penalty-notice", today=TODAY),
        "penalty_threshold",
    )
    assert met.status == "met"
    assert met.evidence[0].date == dt.date(2025, 10, 22)
    nine = _item(
        check_referral(sample_conn, upn=CALLUM, route="penalty-notice", today=TODAY),
        "penalty_threshold",
    )
    assert nine.status == "missing"
    assert "9 unauthorised sessions in the period" in nine.evidence[0].text


def test_exactly_90pct_attendance_is_not_below_90(sample_conn: sqlite3.Connection) -> None:
    check = check_referral(sample_conn, upn=RUBY, route="prosecution", today=TODAY)
    item = _item(check, "attendance")
    assert item.status == "missing"
    assert "Attended 81 of 90 possible sessions (90.0%)" in item.detail
    assert "not below 90%" in item.detail


def _register(conn: sqlite3.Connection, tmp_path: Path, codes: str) -> None:
    """UPN1 at one school, one session per character from Mon 1 Sep 2025."""
    rows: list[list[object]] = [["UPN", "Date", "Session", "Mark"]]
    days = weekdays(dt.date(2025, 9, 1), (len(codes) + 1) // 2)
    for i, code in enumerate(codes):
        rows.append([UPN1, days[i // 2].isoformat(), "AM" if i % 2 == 0 else "PM", code])
    result = import_registers(conn, paths=[write_csv(tmp_path / "r.csv", rows)], school=SCHOOL)
    assert result.ok


@pytest.mark.parametrize(
    ("codes", "status", "says"),
    [
        pytest.param("/" * 18 + "NN", "missing", "(90.0%)", id="exactly-90pct"),
        pytest.param("/" * 35 + "NNNN", "met", "Attended 35 of 39", id="89.7pct"),
        pytest.param(
            "/" * 17 + "III", "missing", "no unauthorised absence", id="below-90-all-authorised"
        ),
        pytest.param("#" * 4, "missing", "No possible sessions", id="no-possible-sessions"),
    ],
)
def test_attendance_boundaries(
    conn: sqlite3.Connection, tmp_path: Path, codes: str, status: str, says: str
) -> None:
    _register(conn, tmp_path, codes)
    item = _item(check_referral(conn, upn=UPN1, route="eso", today=TODAY), "attendance")
    assert (item.status, says in item.detail) == (status, True)


@pytest.mark.parametrize(
    ("illness", "status"),
    [
        pytest.param(9, "not_applicable", id="9-illness-sessions-not-frequent"),
        pytest.param(10, "missing", id="10-illness-sessions-need-evidence"),
    ],
)
def test_medical_evidence_when_illness_is_frequent(
    conn: sqlite3.Connection, tmp_path: Path, illness: int, status: str
) -> None:
    _register(conn, tmp_path, "I" * illness + "/" * 10 + "N")
    check = check_referral(conn, upn=UPN1, route="prosecution", today=TODAY)
    assert _item(check, "medical_evidence").status == status
    if status == "missing":
        note = tmp_path / "gp.pdf"
        note.write_bytes(b"gp letter")
        documents.attach_document(
            conn, upn=UPN1, file=note, kind="medical", store=tmp_path / "docs", officer=OFFICER
        )
        check = check_referral(conn, upn=UPN1, route="prosecution", today=TODAY)
        assert _item(check, "medical_evidence").status == "met"


def test_sample_pupil_with_frequent_illness(sample_conn: sqlite3.Connection) -> None:
    item = _item(
        check_referral(sample_conn, upn=KIERAN, route="prosecution", today=TODAY),
        "medical_evidence",
    )
    assert item.status == "missing" and "28 illness (I) sessions" in item.detail


# The notice limit is checked for a notice issued on LATER (the register period stays 2025/26).
# Notices before 19 Aug 2024 (the national framework) never count (``cases.penalty``).
LATER = dt.date(2027, 11, 20)


@pytest.mark.parametrize(
    ("notices", "status", "says"),
    [
        pytest.param([], "met", "No earlier notice counts", id="none"),
        pytest.param(
            [("Claire Marsden", dt.date(2025, 1, 10), None)],
            "met",
            "second notice (£160 flat) for: Claire Marsden",
            id="one-earlier-notice-second-allowed",
        ),
        pytest.param(
            [
                ("Claire Marsden", dt.date(2025, 1, 10), None),
                ("claire  marsden", dt.date(2025, 2, 3), None),
            ],
            "missing",
            "A third notice within 3 years is not allowed for: claire  marsden (two notices "
            "in 3 years; next possible from 2028-01-10)",
            id="two-earlier-notices-third-refused",
        ),
        pytest.param(
            [
                ("Claire Marsden", dt.date(2025, 1, 10), None),
                ("Claire Marsden", dt.date(2025, 2, 3), dt.date(2025, 2, 20)),
            ],
            "met",
            "second notice",
            id="withdrawn-notice-does-not-count",
        ),
        pytest.param(
            [
                ("Claire Marsden", dt.date(2024, 11, 20), None),
                ("Claire Marsden", dt.date(2025, 2, 3), None),
            ],
            "met",
            "second notice",
            id="notice-exactly-3-years-ago-does-not-count",
        ),
        pytest.param(
            [
                ("Claire Marsden", dt.date(2024, 11, 21), None),
                ("Claire Marsden", dt.date(2025, 2, 3), None),
            ],
            "missing",
            "next possible from 2027-11-21",
            id="notice-3-years-less-a-day-ago-counts",
        ),
        pytest.param(
            [
                ("Claire Marsden", dt.date(2024, 8, 18), None),
                ("Claire Marsden", dt.date(2025, 2, 3), None),
            ],
            "met",
            "second notice",
            id="notice-before-the-framework-does-not-count",
        ),
        pytest.param(
            [
                ("Claire Marsden", dt.date(2025, 1, 10), None),
                ("Paul Marsden", dt.date(2025, 2, 3), None),
            ],
            "met",
            "Claire Marsden, Paul Marsden",
            id="one-notice-to-each-parent",
        ),
    ],
)
def test_notice_limit(
    sample_conn: sqlite3.Connection,
    notices: list[tuple[str, dt.date, dt.date | None]],
    status: str,
    says: str,
) -> None:
    for parent, issued, withdrawn in notices:
        add_notice(sample_conn, HARVEY, parent, issued, withdrawn=withdrawn)
    item = _item(
        check_referral(
            sample_conn,
            upn=HARVEY,
            route="penalty-notice",
            start=dt.date(2025, 9, 1),
            end=TODAY,
            today=LATER,
        ),
        "notice_limit",
    )
    assert item.status == status, item.detail
    assert says in item.detail


def test_holiday_only_penalty_notice_needs_no_support_first(
    sample_conn: sqlite3.Connection,
) -> None:
    penalty = _status(check_referral(sample_conn, upn=HARVEY, route="penalty-notice", today=TODAY))
    assert (penalty["support"], penalty["early_help"], penalty["formal_support"]) == (
        "not_applicable",
    ) * 3
    # not a holiday: Callum's unauthorised absence is U, N and O
    callum = _status(check_referral(sample_conn, upn=CALLUM, route="penalty-notice", today=TODAY))
    assert (callum["support"], callum["early_help"], callum["formal_support"]) == ("missing",) * 3
    # and prosecution always needs support first
    prosecution = _status(check_referral(sample_conn, upn=HARVEY, route="prosecution", today=TODAY))
    assert prosecution["support"] == "missing"


def test_route_specific_items(sample_conn: sqlite3.Connection) -> None:
    eso = _status(check_referral(sample_conn, upn=HARVEY, route="eso", today=TODAY))
    assert (eso["social_care"], eso["warning_letters"], eso["eso_considered"]) == (
        "missing",
        "not_applicable",
        "not_applicable",
    )
    order = _status(check_referral(sample_conn, upn=HARVEY, route="parenting-order", today=TODAY))
    assert (order["prosecution"], order["eso_considered"]) == ("missing", "missing")
    actions.add_action(
        sample_conn,
        upn=HARVEY,
        kind="prosecution s.444(1)",
        action="Lay information",
        officer=OFFICER,
    )
    actions.add_action(
        sample_conn,
        upn=HARVEY,
        kind="referral",
        action="Children's social care",
        agency="social care",
        officer=OFFICER,
    )
    notes.add_note(
        sample_conn,
        upn=HARVEY,
        text="Considered an education supervision order: not suitable",
        officer=OFFICER,
    )
    order = _status(check_referral(sample_conn, upn=HARVEY, route="parenting-order", today=TODAY))
    assert (order["prosecution"], order["eso_considered"]) == ("met", "met")
    assert (
        _status(check_referral(sample_conn, upn=HARVEY, route="eso", today=TODAY))["social_care"]
        == "met"
    )


def test_parents_need_an_address(sample_conn: sqlite3.Connection) -> None:
    sample_conn.connection.execute(
        "UPDATE contact SET address = NULL WHERE name = 'Paul Marsden' AND pupil_id = "
        "(SELECT id FROM pupil WHERE upn = ?)",
        (HARVEY,),
    )
    item = _item(
        check_referral(sample_conn, upn=HARVEY, route="prosecution", today=TODAY), "parents"
    )
    assert (item.status, item.detail) == ("missing", "No address for: Paul Marsden.")


def test_siblings_by_name(sample_conn: sqlite3.Connection) -> None:
    harvey = check_referral(sample_conn, upn=HARVEY, route="prosecution", today=TODAY)
    assert harvey.case_file.siblings == [SIBLING]
    assert _item(harvey, "siblings").status == "met"
    jayden = check_referral(sample_conn, upn=JAYDEN, route="prosecution", today=TODAY)
    assert jayden.case_file.siblings == ["Tyler Calloway"]
    assert "siblings" not in [i["id"] for i in check_dict(jayden, include_siblings=False)["items"]]  # type: ignore[union-attr]


def test_unknown_route_and_backwards_period(sample_conn: sqlite3.Connection) -> None:
    with pytest.raises(UsageError, match="Unknown route"):
        check_referral(sample_conn, upn=HARVEY, route="fine")
    with pytest.raises(UsageError, match="before it starts"):
        check_referral(
            sample_conn,
            upn=HARVEY,
            route="eso",
            start=dt.date(2025, 11, 1),
            end=dt.date(2025, 10, 1),
        )


def test_custom_period(sample_conn: sqlite3.Connection) -> None:
    # 13 Oct - 24 Oct: two school weeks, INSET Fri 17 Oct (#): 18 possible, 14 G, 4 present
    check = check_referral(
        sample_conn,
        upn=HARVEY,
        route="penalty-notice",
        start=dt.date(2025, 10, 13),
        end=dt.date(2025, 10, 24),
        today=TODAY,
    )
    f = check.case_file.figures
    assert (f.possible, f.attended, f.unauthorised) == (18, 4, 14)
    assert check.period.label == "custom period"


# ------------------------------------------------------------------- the period of a referral
# Harvey's marks run Wed 3 Sep to Fri 14 Nov 2025 (sample_data/README.md); TODAY is 20 Nov.


@pytest.mark.parametrize(
    ("start", "end", "today", "period"),
    [
        pytest.param(None, None, TODAY, (D(2025, 8, 1), D(2025, 11, 14)), id="default-to-date"),
        pytest.param(
            D(2025, 9, 1), None, TODAY, (D(2025, 9, 1), D(2025, 11, 14)), id="from-only-capped"
        ),
        pytest.param(
            D(2025, 9, 1),
            D(2025, 11, 19),
            TODAY,
            (D(2025, 9, 1), D(2025, 11, 14)),
            id="to-after-last-mark-capped",
        ),
        pytest.param(
            None, D(2025, 10, 24), TODAY, (D(2025, 8, 1), D(2025, 10, 24)), id="to-before-kept"
        ),
        pytest.param(
            None, None, D(2025, 11, 12), (D(2025, 8, 1), D(2025, 11, 12)), id="capped-at-today"
        ),
    ],
)
def test_period_never_runs_past_the_last_mark_or_today(
    sample_conn: sqlite3.Connection,
    start: dt.date | None,
    end: dt.date | None,
    today: dt.date,
    period: tuple[dt.date, dt.date],
) -> None:
    check = check_referral(
        sample_conn, upn=HARVEY, route="penalty-notice", start=start, end=end, today=today
    )
    assert (check.period.start, check.period.end) == period


def test_period_to_after_today_or_from_after_the_last_mark_is_refused(
    sample_conn: sqlite3.Connection,
) -> None:
    with pytest.raises(InvalidInputError, match=r"--to 2031-01-01 is after today \(2025-11-20\)"):
        check_referral(
            sample_conn, upn=HARVEY, route="penalty-notice", end=D(2031, 1, 1), today=TODAY
        )
    with pytest.raises(InvalidInputError, match="last marked session is on 2025-11-14"):
        check_referral(
            sample_conn, upn=HARVEY, route="penalty-notice", start=D(2025, 11, 17), today=TODAY
        )


def test_sessions_with_no_mark_yet_are_reported(sample_conn: sqlite3.Connection) -> None:
    # Eliza Ali: 96 sessions 3 Sep - 14 Nov 2025 = 46 '/' + 45 '\' + L + M (93 possible, 92
    # attended, 1 authorised) + 2 '#' + one '-' (Fri 14 Nov PM, no mark yet)
    item = _item(
        check_referral(sample_conn, upn=ELIZA, route="prosecution", today=TODAY), "attendance"
    )
    assert "Attended 92 of 93 possible sessions (98.9%)" in item.detail
    assert "1 session with no mark yet (missing data, not counted)" in item.detail
    assert "1 session with no mark yet" in item.evidence[0].text
    harvey = _item(
        check_referral(sample_conn, upn=HARVEY, route="prosecution", today=TODAY), "attendance"
    )
    assert "no mark yet" not in harvey.detail


# ------------------------------------------------ the penalty threshold over two schools

SECOND_SCHOOL = "8992002"


def _two_schools(conn: sqlite3.Connection, tmp_path: Path, second_school_o_week: int) -> None:
    """UPN1 at SCHOOL weeks 1-3 (Mon 1 - Fri 19 Sep 2025) with O on Mon 1 - Wed 3 Sep (6
    sessions), then at SECOND_SCHOOL weeks 4-11 (Mon 22 Sep - Fri 14 Nov) with O on the
    Monday AM/PM, Tuesday AM/PM and Wednesday AM of week ``second_school_o_week`` (5
    sessions); every other session present. No half-term: 11 school weeks in a row."""
    header = ["UPN", "Date", "Session", "Mark"]
    first: list[list[object]] = [header]
    for n, day in enumerate(weekdays(D(2025, 9, 1), 15)):
        first += [[UPN1, day.isoformat(), s, "O" if n < 3 else "/"] for s in ("AM", "PM")]
    second: list[list[object]] = [header]
    o_days = weekdays(D(2025, 9, 1) + dt.timedelta(weeks=second_school_o_week - 1), 3)
    for day in weekdays(D(2025, 9, 22), 40):
        for s in ("AM", "PM"):
            unauthorised = day in o_days and not (day == o_days[2] and s == "PM")
            second.append([UPN1, day.isoformat(), s, "O" if unauthorised else "/"])
    for name, rows, school in (("a.csv", first, SCHOOL), ("b.csv", second, SECOND_SCHOOL)):
        result = import_registers(conn, paths=[write_csv(tmp_path / name, rows)], school=school)
        assert result.ok, [p for f in result.files for p in f.problems]


@pytest.mark.parametrize(
    ("week", "status", "says"),
    [
        # window at Tue 4 Nov PM: weeks 1-10 hold school one's 6 and school two's first 4
        pytest.param(
            10,
            "met",
            "10 unauthorised sessions within 10 school weeks reached on 2025-11-04 PM "
            "(window from 2025-09-01, every school); 11 unauthorised in the period",
            id="6-then-5-within-10-school-weeks",
        ),
        # week 11's window is weeks 2-11: school one's week 1 has dropped out, 5 remain
        pytest.param(
            11,
            "missing",
            "Not met: 11 unauthorised sessions in the period, 5 in the last 10 school weeks",
            id="6-then-5-in-the-11th-week-not",
        ),
    ],
)
def test_penalty_threshold_adds_the_schools_up(
    conn: sqlite3.Connection, tmp_path: Path, week: int, status: str, says: str
) -> None:
    _two_schools(conn, tmp_path, week)
    item = _item(
        check_referral(conn, upn=UPN1, route="penalty-notice", today=TODAY), "penalty_threshold"
    )
    assert item.status == status
    assert says in item.evidence[0].text
    assert [e.text.split(":")[1].strip() for e in item.evidence[1:]] == [
        "6 unauthorised sessions in the period",
        "5 unauthorised sessions in the period",
    ]
