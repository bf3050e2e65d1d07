"""Penalty notices under the national framework (../shared/domain/attendance-rules.md).

Hand-computed boundaries: a notice issued exactly 3 years after another (same calendar date) is
outside its 3 years; the day before is inside. The 21 days of the reduced rate and the 28 days to
pay begin with the issue date: issued 2025-01-10, reduced rate to 2025-01-30, pay by 2025-02-06.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from attendance_cli.cases import penalty
from attendance_cli.cases.audit import list_audit, verify_audit
from attendance_cli.cases.penalty import (
    add_penalty_notice,
    check_penalty_notice,
    list_penalty_notices,
    update_penalty_notice,
    withdraw_penalty_notice,
)
from attendance_cli.cases.penalty_rules import (
    NoticeHistory,
    Rates,
    assess_notice,
    check_amount,
    number_notices,
    parent_key,
    parse_amount,
    pounds,
    three_years_after,
)
from attendance_cli.cli.app import app
from attendance_cli.errors import InvalidInputError, NotFoundError, RefusedError, UsageError
from attendance_cli.registers.importer import import_registers
from tests.helpers import UPN1, UPN2, UPN3, write_csv

D = dt.date
TODAY = D(2030, 1, 1)
runner = CliRunner()

ROSTER_HEADER = [
    "UPN",
    "Surname",
    "Forename",
    "DOB",
    "Year",
    "LAESTAB",
    "School Name",
    "Entry Date",
    "Leaving Date",
    "Parent 1 Name",
    "Parent 1 Relationship",
    "Parent 2 Name",
    "Parent 2 Relationship",
]


def _roster(tmp_path: Path) -> Path:
    """Ann Smith moved from Riverside (8992001) to St Anne's (8992002) in September 2025; Ben
    Jones is at Riverside; Cal Brown (no parents recorded) at St Anne's."""
    return write_csv(
        tmp_path / "roster.csv",
        [
            ROSTER_HEADER,
            [UPN1, "Smith", "Ann", "2014-02-01", "6", "8992001", "Riverside Primary",
             "2019-09-04", "2025-07-22", "Jo Smith", "Mother", "Sam Smith", "Father"],
            [UPN1, "Smith", "Ann", "2014-02-01", "7", "8992002", "St Anne's",
             "2025-09-03", "", "Jo Smith", "Mother", "Sam Smith", "Father"],
            [UPN2, "Jones", "Ben", "2014-05-01", "6", "8992001", "Riverside Primary",
             "2019-09-04", "", "Kim Jones", "Mother", "", ""],
            [UPN3, "Brown", "Cal", "2014-06-01", "7", "8992002", "St Anne's",
             "2025-09-03", "", "", "", "", ""],
        ],
    )  # fmt: skip


@pytest.fixture
def pupils(conn: sqlite3.Connection, tmp_path: Path) -> sqlite3.Connection:
    result = import_registers(conn, paths=[_roster(tmp_path)])
    assert result.ok, [p for f in result.files for p in f.problems]
    return conn


def _add(conn: sqlite3.Connection, issued: dt.date, **kwargs: object) -> penalty.PenaltyResult:
    """Record a notice; these pupils have no register, so the offence checks (threshold,
    sessions) fail and the notice is forced (tests/cases/test_penalty_framework.py tests the
    checks themselves)."""
    options: dict[str, object] = {
        "upn": UPN1,
        "parent": "Jo Smith",
        "officer": "Officer A",
        "today": TODAY,
        "force": True,
        "force_reason": "history from before att: no register",
        "served_by": "hand",  # received on the issue date: the periods begin with it
    }
    options.update(kwargs)
    if options.get("withdrawn") is not None:
        options.setdefault("ground", "not-issued")
    result = add_penalty_notice(conn, issued=issued, **options)  # type: ignore[arg-type]
    forced = "Recorded although it fails the checks (--force): "
    assert any(w.startswith(forced) for w in result.warnings)
    result.warnings = [w for w in result.warnings if not w.startswith(forced)]
    return result


def _count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


# ------------------------------------------------------------------------------ pure rules


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(D(2024, 9, 10), D(2027, 9, 10), id="same-date-3-years-on"),
        pytest.param(D(2028, 2, 29), D(2031, 3, 1), id="29-feb-to-1-mar"),
        pytest.param(D(2025, 12, 31), D(2028, 12, 31), id="year-end"),
    ],
)
def test_three_years_after(day: dt.date, expected: dt.date) -> None:
    assert three_years_after(day) == expected


A = NoticeHistory(1, D(2024, 9, 10))
B = NoticeHistory(2, D(2025, 1, 15))


@pytest.mark.parametrize(
    ("others", "issued", "allowed", "number", "possible_from"),
    [
        pytest.param([], D(2024, 9, 10), True, 1, None, id="first"),
        pytest.param([A], D(2027, 9, 9), True, 2, None, id="second-one-day-before-3-years"),
        pytest.param([A], D(2027, 9, 10), True, 1, None, id="exactly-3-years-is-a-first-again"),
        pytest.param([A, B], D(2025, 6, 1), False, None, D(2027, 9, 10), id="third-refused"),
        pytest.param(
            [A, B], D(2027, 9, 9), False, None, D(2027, 9, 10), id="third-refused-day-before"
        ),
        pytest.param([A, B], D(2027, 9, 10), True, 2, None, id="third-on-first-possible-date"),
        pytest.param([A, B], D(2028, 1, 15), True, 1, None, id="both-out-of-window"),
        pytest.param(
            [A, NoticeHistory(2, D(2025, 1, 15), withdrawn=D(2025, 2, 1))],
            D(2025, 6, 1),
            True,
            2,
            None,
            id="withdrawn-before-does-not-count",
        ),
        pytest.param(
            [A, NoticeHistory(2, D(2025, 1, 15), withdrawn=D(2025, 6, 1))],
            D(2025, 6, 1),
            True,
            2,
            None,
            id="withdrawn-same-day-does-not-count",
        ),
        pytest.param(
            [A, NoticeHistory(2, D(2025, 1, 15), withdrawn=D(2025, 12, 1))],
            D(2025, 6, 1),
            False,
            None,
            D(2027, 9, 10),
            id="withdrawn-later-still-counted-then",
        ),
        pytest.param(
            [NoticeHistory(1, D(2024, 3, 1)), A],
            D(2025, 6, 1),
            True,
            2,
            None,
            id="before-framework-not-counted",
        ),
        pytest.param(
            [NoticeHistory(1, D(2028, 2, 29)), NoticeHistory(2, D(2028, 6, 1))],
            D(2031, 2, 28),
            False,
            None,
            D(2031, 3, 1),
            id="leap-day-first",
        ),
    ],
)
def test_assess_notice(
    others: list[NoticeHistory],
    issued: dt.date,
    allowed: bool,
    number: int | None,
    possible_from: dt.date | None,
) -> None:
    result = assess_notice(issued=issued, others=others)
    assert (result.allowed, result.notice_number, result.possible_from) == (
        allowed,
        number,
        possible_from,
    )


def test_rates_follow_the_notice_number() -> None:
    assert assess_notice(issued=D(2025, 1, 1), others=[]).rates == Rates(8000, 16000)
    assert assess_notice(issued=D(2025, 1, 1), others=[A]).rates == Rates(None, 16000)
    old = assess_notice(issued=D(2024, 8, 18), others=[])
    assert (old.notice_number, old.rates) == (None, Rates(6000, 12000))
    noted = assess_notice(issued=D(2025, 1, 1), others=[NoticeHistory(9, D(2024, 3, 1))])
    assert noted.notice_number == 1 and [n.id for n in noted.before_framework] == [9]


def test_number_notices_is_by_issue_date_not_entry_order() -> None:
    notices = [NoticeHistory(5, D(2025, 3, 1)), NoticeHistory(3, D(2024, 10, 1))]
    assert number_notices(notices) == {3: 1, 5: 2}


FIRST, SECOND, OLD = Rates(8000, 16000), Rates(None, 16000), Rates(6000, 12000)
ISSUED = D(2025, 1, 10)  # reduced rate to 30 Jan, pay by 6 Feb
OLD_ISSUED = D(2024, 3, 1)  # before the framework: reduced rate to 21 Mar, pay by 28 Mar


def _issued(rates: Rates) -> dt.date:
    return OLD_ISSUED if rates is OLD else ISSUED


@pytest.mark.parametrize(
    ("rates", "number", "paid", "amount", "warns"),
    [
        pytest.param(FIRST, 1, D(2025, 1, 30), 8000, False, id="first-80-on-day-21"),
        pytest.param(FIRST, 1, D(2025, 1, 31), 16000, False, id="first-160-on-day-22"),
        pytest.param(FIRST, 1, D(2025, 1, 31), 8000, True, id="first-80-on-day-22-warns"),
        pytest.param(FIRST, 1, None, 8000, False, id="unpaid-first-at-80"),
        pytest.param(SECOND, 2, D(2025, 1, 12), 16000, False, id="second-160"),
        pytest.param(SECOND, 2, None, 16000, False, id="unpaid-second-160"),
        pytest.param(OLD, None, D(2024, 3, 21), 6000, False, id="before-framework-60"),
        pytest.param(OLD, None, D(2024, 3, 22), 12000, False, id="before-framework-120"),
    ],
)
def test_check_amount_accepts(
    rates: Rates, number: int | None, paid: dt.date | None, amount: int, warns: bool
) -> None:
    warnings = check_amount(
        rates=rates, issued=_issued(rates), notice_number=number, paid=paid, amount_pence=amount
    )
    assert bool(warnings) is warns


@pytest.mark.parametrize(
    ("rates", "number", "paid", "amount", "reason"),
    [
        pytest.param(FIRST, 1, D(2025, 1, 30), 16000, "reduced rate £80", id="160-within-21-days"),
        pytest.param(SECOND, 2, D(2025, 1, 12), 8000, "no reduced rate", id="second-at-80"),
        pytest.param(FIRST, 1, D(2025, 1, 12), 10000, "£100 is not", id="not-a-framework-amount"),
        pytest.param(FIRST, 1, None, 16000, "first asks for, £80", id="unpaid-first-at-160"),
        pytest.param(OLD, None, None, 8000, "before 19 August 2024", id="old-notice-at-80"),
    ],
)
def test_check_amount_refuses(
    rates: Rates, number: int | None, paid: dt.date | None, amount: int, reason: str
) -> None:
    with pytest.raises(RefusedError) as caught:
        check_amount(
            rates=rates,
            issued=_issued(rates),
            notice_number=number,
            paid=paid,
            amount_pence=amount,
        )
    assert reason in caught.value.message


@pytest.mark.parametrize(
    ("name", "key"),
    [
        pytest.param("Jo Smith", "jo smith", id="plain"),
        pytest.param("  JO   smith ", "jo smith", id="case-and-spaces"),
        pytest.param("Mrs. Jo Smith", "jo smith", id="title"),
        pytest.param("Jane O\u2019Neill-Smith", "jane oneill smith", id="apostrophe-hyphen"),
        pytest.param("Mr", "mr", id="title-alone-kept"),
    ],
)
def test_parent_key(name: str, key: str) -> None:
    assert parent_key(name) == key


@pytest.mark.parametrize(
    ("text", "pence"),
    [("80", 8000), ("£160.00", 16000), (" 80.5 ", 8050), ("1,000", 100000)],
)
def test_parse_amount(text: str, pence: int) -> None:
    assert parse_amount(text) == pence


@pytest.mark.parametrize("text", ["abc", "0", "-80", "80.001", "", "nan", "inf"])
def test_parse_amount_rejects(text: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_amount(text)


@given(st.integers(min_value=1, max_value=1_000_000))  # up to MAX_AMOUNT_POUNDS
def test_parse_amount_round_trips_pounds_and_pence(pence: int) -> None:
    assert parse_amount(f"{pence // 100}.{pence % 100:02d}") == pence
    assert parse_amount(pounds(pence)) == pence


@given(st.text(alphabet=st.sampled_from("abAB .-'\u2019\t"), max_size=30))
def test_parent_key_ignores_case_and_spacing(name: str) -> None:
    key = parent_key(name)
    assert parent_key(key) == key
    assert parent_key(f"  {name.upper()}  ") == key
    assert parent_key(name.replace(" ", "   ")) == key


# ------------------------------------------------------------------------- with a database


def test_first_notice_is_recorded_with_case_action_and_audit(pupils: sqlite3.Connection) -> None:
    result = _add(pupils, D(2025, 10, 1), today=D(2025, 10, 2))
    notice = result.notice
    assert (notice.upn, notice.parent_name, notice.notice_number) == (UPN1, "Jo Smith", 1)
    assert (notice.amount_pence, notice.amount_due_pence, notice.status) == (
        8000,
        8000,
        "outstanding",
    )
    assert (notice.reduced_rate_until, notice.pay_by) == (D(2025, 10, 21), D(2025, 10, 28))
    assert notice.schools == ["8992002"] and notice.counts_towards_limit
    assert result.warnings == []  # Jo Smith is a recorded contact
    case = pupils.connection.execute("SELECT id, status FROM pupil_case").fetchall()
    assert case == [(notice.case_id, "open")]
    action = pupils.connection.execute(
        "SELECT tier, kind, description, due, status FROM case_action"
    ).fetchone()
    assert action == (
        "legal",
        "penalty notice",
        f"Penalty notice {notice.id} to Jo Smith: £80 by 2025-10-21, £160 by 2025-10-28",
        "2025-10-28",
        "agreed",
    )
    audit = list_audit(pupils, upn=UPN1)
    assert [a.action for a in audit] == ["open_case", "add_penalty_notice", "add_action"]
    assert audit[1].officer == "Officer A" and audit[1].entity_id == notice.id
    assert audit[1].detail["amount_pence"] == 8000 and audit[1].detail["issued"] == "2025-10-01"
    assert verify_audit(pupils).ok


def test_second_notice_warns_and_is_160_flat(pupils: sqlite3.Connection) -> None:
    first = _add(pupils, D(2024, 9, 10)).notice
    result = _add(pupils, D(2027, 9, 9), parent="MRS  jo smith")
    assert (result.notice.notice_number, result.notice.amount_pence) == (2, 16000)
    assert result.notice.reduced_rate_until is None
    (warning,) = result.warnings
    assert "Second penalty notice" in warning and "£160 flat, with no reduced rate" in warning
    assert f"notice {first.id}, issued 2024-09-10" in warning
    assert "No third notice is possible before 2027-09-10" in warning


def test_notice_exactly_3_years_later_is_a_first_again(pupils: sqlite3.Connection) -> None:
    _add(pupils, D(2024, 9, 10))
    result = _add(pupils, D(2027, 9, 10))
    assert (result.notice.notice_number, result.notice.amount_pence, result.warnings) == (
        1,
        8000,
        [],
    )


def test_third_within_3_years_is_refused_and_nothing_written(pupils: sqlite3.Connection) -> None:
    _add(pupils, D(2024, 9, 10))
    _add(pupils, D(2025, 1, 15))
    before = (_count(pupils, "penalty_notice"), _count(pupils, "audit_log"))
    with pytest.raises(RefusedError) as caught:
        _add(pupils, D(2027, 9, 9))
    assert "Another is possible from 2027-09-10" in caught.value.message
    assert "prosecution" in caught.value.hint
    assert (_count(pupils, "penalty_notice"), _count(pupils, "audit_log")) == before
    allowed = _add(pupils, D(2027, 9, 10))
    assert allowed.notice.notice_number == 2  # 2025-01-15 is still within its 3 years


def test_other_parent_and_other_child_are_not_counted(pupils: sqlite3.Connection) -> None:
    _add(pupils, D(2024, 9, 10))
    _add(pupils, D(2025, 1, 15))
    other_parent = _add(pupils, D(2025, 2, 1), parent="Sam Smith").notice
    other_child = _add(pupils, D(2025, 2, 1), upn=UPN2, parent="Jo Smith", new_parent=True)
    assert (other_parent.notice_number, other_parent.amount_pence) == (1, 8000)
    assert (other_child.notice.notice_number, other_child.notice.amount_pence) == (1, 8000)
    assert other_child.notice.contact_id is None  # not Ben's recorded parent: --new-parent


def test_notices_at_two_schools_count_for_the_same_child(pupils: sqlite3.Connection) -> None:
    at_riverside = _add(pupils, D(2025, 3, 1)).notice
    at_st_annes = _add(pupils, D(2025, 10, 1)).notice
    assert at_riverside.schools == ["8992001"] and at_st_annes.schools == ["8992002"]
    assert at_st_annes.notice_number == 2
    with pytest.raises(RefusedError, match="possible from 2028-03-01"):
        _add(pupils, D(2026, 1, 5))
    riverside = list_penalty_notices(pupils, school="8992001", today=TODAY)
    st_annes = list_penalty_notices(pupils, school="St Anne", today=TODAY)
    assert [n.id for n in riverside] == [at_riverside.id]
    assert [n.id for n in st_annes] == [at_st_annes.id]


def test_withdrawn_notice_does_not_count(pupils: sqlite3.Connection) -> None:
    _add(pupils, D(2024, 9, 10))
    second = _add(pupils, D(2025, 1, 15)).notice
    result = withdraw_penalty_notice(
        pupils,
        notice_id=second.id,
        withdrawn=D(2025, 1, 20),
        ground="not-issued",
        reason="issued to the wrong parent",
        officer="Officer B",
        today=TODAY,
    )
    assert (result.notice.status, result.notice.counts_towards_limit) == ("withdrawn", False)
    assert result.notice.withdrawn_reason == "issued to the wrong parent"
    again = _add(pupils, D(2025, 6, 1))
    assert (again.notice.notice_number, again.notice.amount_pence) == (2, 16000)
    action = pupils.connection.execute(
        "SELECT status, outcome FROM case_action WHERE description LIKE ?",
        (f"Penalty notice {second.id} to %",),
    ).fetchone()
    assert action == ("cancelled", "Withdrawn on 2025-01-20: issued to the wrong parent")
    actions = [a.action for a in list_audit(pupils, upn=UPN1)]
    assert "withdraw_penalty_notice" in actions and "action_cancelled" in actions


def test_paid_or_withdrawn_before_issue_or_in_future_is_rejected(
    pupils: sqlite3.Connection,
) -> None:
    with pytest.raises(InvalidInputError, match="before the notice was issued"):
        _add(pupils, D(2025, 10, 1), paid=D(2025, 9, 30))
    with pytest.raises(InvalidInputError, match="in the future"):
        _add(pupils, D(2030, 1, 2))
    notice = _add(pupils, D(2025, 10, 1)).notice
    with pytest.raises(InvalidInputError, match="before the notice was issued"):
        update_penalty_notice(
            pupils, notice_id=notice.id, paid=D(2025, 9, 30), officer="x", today=TODAY
        )
    with pytest.raises(InvalidInputError, match="in the future"):
        update_penalty_notice(
            pupils,
            notice_id=notice.id,
            withdrawn=D(2030, 1, 2),
            ground="not-issued",
            reason="r",
            officer="x",
            today=TODAY,
        )
    assert _count(pupils, "penalty_notice") == 1


@pytest.mark.parametrize(
    ("paid", "amount", "notes"),
    [
        pytest.param(D(2025, 10, 21), 8000, 0, id="day-21-reduced"),
        pytest.param(D(2025, 10, 22), 16000, 1, id="day-22-full-with-note"),
        pytest.param(D(2025, 11, 5), 16000, 1, id="after-28-days-warned"),
    ],
)
def test_payment_amount_defaults_from_the_rule(
    pupils: sqlite3.Connection, paid: dt.date, amount: int, notes: int
) -> None:
    notice = _add(pupils, D(2025, 10, 1)).notice
    result = update_penalty_notice(
        pupils, notice_id=notice.id, paid=paid, officer="Officer B", today=TODAY
    )
    assert (result.notice.status, result.notice.paid, result.notice.amount_pence) == (
        "paid",
        paid,
        amount,
    )
    assert len(result.warnings) == notes
    action = pupils.connection.execute("SELECT status, outcome FROM case_action").fetchone()
    assert action == ("done", f"Paid {pounds(amount)} on {paid.isoformat()}")
    (entry,) = [e for e in list_audit(pupils, upn=UPN1) if e.action == "record_penalty_payment"]
    assert (entry.action, entry.officer, entry.detail["amount_pence"]) == (
        "record_penalty_payment",
        "Officer B",
        amount,
    )


def test_explicit_amount_contradicting_the_framework_is_refused(
    pupils: sqlite3.Connection,
) -> None:
    _add(pupils, D(2025, 1, 10))
    with pytest.raises(RefusedError, match="no reduced rate"):
        _add(pupils, D(2025, 3, 1), amount_pence=8000, paid=D(2025, 3, 5))
    first = _add(pupils, D(2025, 3, 1), upn=UPN2, parent="Kim Jones").notice
    with pytest.raises(RefusedError, match="reduced rate £80 applied"):
        update_penalty_notice(
            pupils, notice_id=first.id, paid=D(2025, 3, 10), amount_pence=16000, officer="x"
        )
    late = update_penalty_notice(
        pupils, notice_id=first.id, paid=D(2025, 3, 23), amount_pence=8000, officer="x"
    )
    assert late.notice.amount_pence == 8000 and "received later" in late.warnings[0]


def test_updates_never_overwrite(pupils: sqlite3.Connection) -> None:
    notice = _add(pupils, D(2025, 10, 1), paid=D(2025, 10, 5)).notice
    with pytest.raises(RefusedError, match="already recorded as paid"):
        update_penalty_notice(pupils, notice_id=notice.id, paid=D(2025, 10, 6), officer="x")
    withdrawn = update_penalty_notice(
        pupils,
        notice_id=notice.id,
        withdrawn=D(2025, 10, 9),
        ground="not-issued",
        reason="no offence: absence authorised later",
        officer="x",
        today=TODAY,
    )
    assert "must be returned" in withdrawn.warnings[0]
    assert (withdrawn.notice.paid, withdrawn.notice.status) == (D(2025, 10, 5), "withdrawn")
    with pytest.raises(RefusedError, match="cannot be paid"):
        update_penalty_notice(pupils, notice_id=notice.id, paid=D(2025, 10, 10), officer="x")
    with pytest.raises(RefusedError, match="already withdrawn"):
        update_penalty_notice(
            pupils,
            notice_id=notice.id,
            withdrawn=D(2025, 10, 10),
            reason="r",
            ground="not-issued",
            officer="x",
        )
    with pytest.raises(NotFoundError):
        update_penalty_notice(pupils, notice_id=999, paid=D(2025, 10, 10), officer="x")
    with pytest.raises(UsageError):
        update_penalty_notice(pupils, notice_id=notice.id, officer="x")


def test_duplicate_and_out_of_order_notices(pupils: sqlite3.Connection) -> None:
    _add(pupils, D(2025, 3, 1))
    with pytest.raises(RefusedError, match="already recorded"):
        _add(pupils, D(2025, 3, 1), parent="jo SMITH")
    later = _add(pupils, D(2026, 3, 1))
    assert later.notice.notice_number == 2
    with pytest.raises(RefusedError, match="would make notice"):
        _add(pupils, D(2024, 12, 1))  # before both: the 2026 notice would become a third
    second_child = _add(pupils, D(2026, 3, 1), upn=UPN2, parent="Kim Jones").notice
    backfilled = _add(pupils, D(2025, 12, 1), upn=UPN2, parent="Kim Jones")
    assert backfilled.notice.notice_number == 1
    assert any(f"Notice {second_child.id}" in w for w in backfilled.warnings)


def test_settled_history_does_not_open_a_case(pupils: sqlite3.Connection) -> None:
    old = _add(pupils, D(2024, 3, 1), paid=D(2024, 3, 10)).notice
    assert (old.case_id, old.notice_number, old.amount_pence, old.framework) == (
        None,
        None,
        6000,
        False,
    )
    assert _count(pupils, "pupil_case") == 0 and _count(pupils, "case_action") == 0
    current = _add(pupils, D(2024, 9, 10))
    assert current.notice.notice_number == 1
    assert any("before the national framework" in w for w in current.warnings)


def test_the_parent_is_chosen_from_the_recorded_contacts(pupils: sqlite3.Connection) -> None:
    # a parent not on record is refused, unless said to be new (--new-parent)
    with pytest.raises(RefusedError, match="Jo Smith \\(contact 1, Mother\\)") as caught:
        _add(pupils, D(2025, 3, 1), parent="Alex Smith")
    assert "--new-parent" in caught.value.hint
    new = _add(pupils, D(2025, 3, 1), parent="Alex Smith", new_parent=True).notice
    assert (new.parent_name, new.contact_id) == ("Alex Smith", None)
    # a recorded parent: the contact's id and name as recorded
    mother = _add(pupils, D(2025, 3, 1), parent="MRS jo  smith").notice
    assert (mother.parent_name, mother.contact_id) == ("Jo Smith", 1)
    by_id = _add(pupils, D(2025, 3, 2), parent=None, contact_id=2).notice
    assert (by_id.parent_name, by_id.contact_id) == ("Sam Smith", 2)
    # "J Smith" looks like Jo Smith: refused even as a new parent would start a second count
    with pytest.raises(RefusedError, match="looks like Jo Smith"):
        _add(pupils, D(2025, 3, 3), parent="J Smith")
    # no parents recorded at all: only as a new parent
    with pytest.raises(RefusedError, match="none"):
        _add(pupils, D(2025, 10, 1), upn=UPN3, parent="Pat Brown")
    assert _add(pupils, D(2025, 10, 1), upn=UPN3, parent="Pat Brown", new_parent=True).notice


def test_a_variant_spelling_counts_with_the_recorded_parent(pupils: sqlite3.Connection) -> None:
    """After two notices to Jo Smith, "Mrs J. Smith" is not a first notice: it is refused as
    a look-alike, and as Jo Smith it is a third."""
    _add(pupils, D(2025, 1, 10))
    _add(pupils, D(2025, 6, 10))
    with pytest.raises(RefusedError, match="looks like Jo Smith"):
        _add(pupils, D(2025, 9, 10), parent="Mrs J. Smith")
    with pytest.raises(RefusedError, match="third penalty notice"):
        _add(pupils, D(2025, 9, 10), parent="jo smith")


def test_check_writes_nothing(pupils: sqlite3.Connection) -> None:
    _add(pupils, D(2024, 9, 10))
    _add(pupils, D(2025, 1, 15))
    audit = _count(pupils, "audit_log")
    refused = check_penalty_notice(pupils, upn=UPN1, parent="jo smith", on=D(2026, 1, 1))
    assert (refused.allowed, refused.possible_from) == (False, D(2027, 9, 10))
    later = check_penalty_notice(pupils, upn=UPN1, parent="jo smith", on=D(2027, 9, 10))
    assert (later.allowed, later.notice_number, later.reduced_amount_pence) == (True, 2, None)
    assert _count(pupils, "audit_log") == audit


def test_list_filters_and_statuses(pupils: sqlite3.Connection) -> None:
    paid = _add(pupils, D(2025, 9, 10), paid=D(2025, 9, 12)).notice
    outstanding = _add(pupils, D(2025, 10, 1), upn=UPN2, parent="Kim Jones").notice
    statuses = {n.id: n.status for n in list_penalty_notices(pupils, today=D(2025, 10, 28))}
    assert statuses == {paid.id: "paid", outstanding.id: "outstanding"}
    overdue = list_penalty_notices(pupils, status="overdue", today=D(2025, 10, 29))
    assert [(n.id, n.amount_due_pence) for n in overdue] == [(outstanding.id, 16000)]
    assert [n.id for n in list_penalty_notices(pupils, upn=UPN2, today=TODAY)] == [outstanding.id]
    with pytest.raises(UsageError):
        list_penalty_notices(pupils, status="late")


# ------------------------------------------------------------------------------------- CLI

JSON_KEYS = {
    "id",
    "document_id",  # the notice's filed copy
    "upn",
    "surname",
    "forename",
    "schools",
    "school_names",
    "parent_name",
    "issued",
    "notice_number",
    "counts_towards_limit",
    "framework",
    "amount_pence",
    "amount_due_pence",
    "reduced_amount_pence",
    "full_amount_pence",
    "reduced_rate_until",
    "pay_by",
    "status",
    "paid",
    "withdrawn",
    "withdrawn_reason",
    "case_id",
    "created_at",
    "officer",
    "kind",
    "reason",
    "contact_id",
    "service_method",
    "served_on",
    "received_on",
    "periods_from",
    "offence_from",
    "offence_to",
    "sessions",
    "payments",
    "paid_so_far_pence",
    "force_reason",
    "withdrawn_ground",
    "prosecuted_on",
    "prosecution_outcome",
    "prosecution_outcome_on",
}


def _cli(*args: str) -> object:
    return runner.invoke(app, list(args))


@pytest.mark.sqlite_only  # the file named by ATT_DB, opened by a fresh process
def test_case_show_with_notices_does_not_import_sqlalchemy(pupils: sqlite3.Connection) -> None:
    """``att case show`` reads a pupil's notices, their sessions, payments and filed copies
    raw: SQLAlchemy and the models would cost it ~0.3 s of its 0.4 s (bench/profile_case.py)."""
    import subprocess
    import sys

    first = _add(pupils, D(2025, 1, 10), paid=D(2025, 1, 20))
    _add(pupils, D(2025, 3, 3), parent="Sam Smith")
    assert penalty.list_penalty_notices(pupils, upn=UPN1, today=TODAY)[0].payments
    assert first.notice.id
    code = (
        "import sys\n"
        "from attendance_cli.cli.app import main\n"
        f"sys.argv = ['att', 'case', 'show', {UPN1!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print('loaded:', ','.join(m for m in ('sqlalchemy', 'sqlmodel', 'alembic', 'reportlab',"
        " 'openpyxl') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "Penalty notices: 2" in out.stdout
    assert out.stdout.rstrip().endswith("loaded:"), out.stdout[-300:]


@pytest.mark.sqlite_only  # --officer/ATT_OFFICER; on PostgreSQL the role (tests/team)
def test_cli_add_update_list(pupils: sqlite3.Connection) -> None:
    added = runner.invoke(
        app,
        ["penalty", "add", UPN1, "--parent", "Jo Smith", "--issued", "10/09/2024"]
        + ["--officer", "Officer C", "--format", "json", "--force", "--reason", "no register"],
    )
    assert added.exit_code == 0, added.output
    data = json.loads(added.stdout)
    assert set(data) == JSON_KEYS
    assert (data["issued"], data["amount_pence"], data["officer"]) == (
        "2024-09-10",
        8000,
        "Officer C",
    )
    second = runner.invoke(
        app,
        ["penalty", "add", UPN1, "--parent", "jo smith", "--issued", "2025-01-15"]
        + ["--force", "--reason", "no register"],
    )
    assert second.exit_code == 0, second.output
    assert "Warning: Second penalty notice" in second.stderr
    assert "£160" in second.stdout
    paid = runner.invoke(
        app, ["penalty", "update", str(data["id"]), "--paid", "2024-09-20", "--format", "json"]
    )
    assert paid.exit_code == 0, paid.output
    assert (json.loads(paid.stdout)["status"], json.loads(paid.stdout)["amount_pence"]) == (
        "paid",
        8000,
    )
    listed = runner.invoke(app, ["penalty", "list", "--upn", UPN1, "--format", "json"])
    assert listed.exit_code == 0
    rows = json.loads(listed.stdout)
    assert [r["notice_number"] for r in rows] == [1, 2] and set(rows[0]) == JSON_KEYS
    csv_out = runner.invoke(app, ["penalty", "list", "--school", "8992001", "--format", "csv"])
    assert csv_out.exit_code == 0
    lines = csv_out.stdout.splitlines()
    assert lines[0].split(",")[:3] == ["id", "upn", "surname"] and len(lines) == 3
    table = runner.invoke(app, ["penalty", "list"])
    assert table.exit_code == 0 and "Jo Smith" in table.stdout
    second_id = str(rows[1]["id"])
    withdrawn = runner.invoke(
        app,
        ["penalty", "update", second_id, "--withdrawn", "2025-01-20", "--reason", "error"]
        + ["--ground", "material-error"]
        + ["--officer", "Officer D"],
    )
    assert withdrawn.exit_code == 0, withdrawn.output
    assert "withdrawn 20/01/2025: error" in withdrawn.stdout
    only = runner.invoke(app, ["penalty", "list", "--status", "withdrawn", "-f", "json"])
    assert [r["id"] for r in json.loads(only.stdout)] == [int(second_id)]
    # the withdrawal, its action cancelled, and the notice's copy marked withdrawn
    assert [e.action for e in list_audit(pupils, upn=UPN1)[-3:]] == [
        "withdraw_penalty_notice",
        "action_cancelled",
        "withdraw_document",
    ]
    assert verify_audit(pupils).ok
    entries = [a for a in list_audit(pupils, upn=UPN1) if a.action == "add_penalty_notice"]
    assert [e.officer for e in entries] == ["Officer C", "Test Officer"]  # --officer, ATT_OFFICER


def test_cli_third_notice_exits_5_with_the_date(pupils: sqlite3.Connection) -> None:
    for issued in ("2024-09-10", "2025-01-15"):
        assert _add(pupils, D.fromisoformat(issued)).notice
    result = runner.invoke(
        app, ["penalty", "add", UPN1, "--parent", "Jo Smith", "--issued", "2025-06-01"]
    )
    assert result.exit_code == 5
    assert result.stderr.startswith("Error: A third penalty notice")
    assert "possible from 2027-09-10" in result.stderr and result.stdout == ""
    check = runner.invoke(
        app, ["penalty", "check", UPN1, "--parent", "Jo Smith", "--on", "2025-06-01"]
    )
    assert check.exit_code == 8 and "possible from 10/09/2027" in check.stdout  # the answer: no
    check_json = runner.invoke(
        app,
        ["penalty", "check", UPN1, "--parent", "Jo Smith", "--on", "2027-09-10", "-f", "json"],
    )
    assert json.loads(check_json.stdout)["notice_number"] == 2


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        pytest.param(
            ["add", UPN1, "--parent", "Jo Smith", "--issued", "2025-02-30"],
            3,
            "not a real date",
            id="bad-date",
        ),
        pytest.param(
            ["add", UPN1, "--parent", "Jo Smith", "--issued", "2025-02-01", "--paid", "2025-01-31"],
            3,
            "before the notice was issued",
            id="paid-before-issued",
        ),
        pytest.param(
            ["add", UPN1, "--parent", "Jo Smith", "--issued", "2025-02-01", "--amount", "ten"],
            3,
            "not an amount",
            id="bad-amount",
        ),
        pytest.param(
            ["add", UPN1, "--parent", "Jo Smith", "--issued", "2025-02-01", "--amount", "120"]
            + ["--force", "--reason", "no register"],
            5,
            "not an amount this notice can have",
            id="amount-off-framework",
        ),
        pytest.param(
            # a well-formed UPN (its check letter right) that is not in the database
            ["add", "X899200115999", "--parent", "Jo Smith", "--issued", "2025-02-01"],
            4,
            "No pupil with UPN",
            id="unknown-pupil",
        ),
        pytest.param(
            ["add", "B899200115999", "--parent", "Jo Smith", "--issued", "2025-02-01"],
            3,
            "has check letter 'B'",
            id="malformed-upn",
        ),
        pytest.param(
            [
                "add",
                UPN1,
                "--parent",
                "Jo Smith",
                "--issued",
                "2025-02-01",
                "--withdrawn",
                "2025-02-02",
            ],
            2,
            "--withdrawn and --reason go together",
            id="withdrawn-without-reason",
        ),
        pytest.param(["update", "42", "--paid", "2025-02-01"], 4, "No penalty notice", id="no-id"),
        pytest.param(["update", "42"], 2, "--paid DATE or --withdrawn", id="update-nothing"),
        pytest.param(["list", "--school", "Nowhere"], 4, "No school matches", id="no-school"),
    ],
)
def test_cli_errors(pupils: sqlite3.Connection, args: list[str], code: int, message: str) -> None:
    result = runner.invoke(app, ["penalty", *args])
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert _count(pupils, "penalty_notice") == 0


def test_a_backdated_withdrawal_cannot_renumber_a_later_notice(sample_conn) -> None:  # type: ignore[no-untyped-def]
    from attendance_cli.cases.penalty import (
        add_penalty_notice,
        list_penalty_notices,
        withdraw_penalty_notice,
    )
    from attendance_cli.errors import RefusedError

    today = dt.date(2025, 11, 20)
    upn = "V899200116001"
    first = add_penalty_notice(
        sample_conn,
        upn=upn,
        parent="Paul Marsden",
        new_parent=True,
        issued=dt.date(2025, 9, 1),
        officer="Jo",
        today=today,
        force=True,
        force_reason="test of numbering only",
    ).notice
    second = add_penalty_notice(
        sample_conn,
        upn=upn,
        parent="Paul Marsden",
        new_parent=True,
        issued=dt.date(2025, 10, 1),
        officer="Jo",
        today=today,
        force=True,
        force_reason="test of numbering only",
    ).notice
    assert (second.notice_number, second.full_amount_pence, second.reduced_amount_pence) == (
        2,
        16000,
        None,
    )
    with pytest.raises(RefusedError, match="would make notice"):
        withdraw_penalty_notice(
            sample_conn,
            notice_id=first.id,
            withdrawn=dt.date(2025, 9, 15),
            ground="not-issued",
            reason="x",
            officer="Jo",
            today=today,
        )
    withdraw_penalty_notice(
        sample_conn,
        notice_id=first.id,
        withdrawn=dt.date(2025, 10, 2),
        ground="not-issued",
        reason="error",
        officer="Jo",
        today=today,
    )
    by_id = {n.id: n for n in list_penalty_notices(sample_conn, upn=upn, today=today)}
    assert by_id[second.id].notice_number == 2  # issued while the first stood
    assert by_id[first.id].counts_towards_limit is False
    assert by_id[second.id].counts_towards_limit is True
    later = {
        n.id: n for n in list_penalty_notices(sample_conn, upn=upn, today=dt.date(2028, 10, 1))
    }
    assert later[second.id].counts_towards_limit is False  # 3 years on


@pytest.mark.parametrize("amount", ["1e30", "99999999999999999999999999999", "10000.01"])
def test_absurd_amounts_are_clean_errors(amount: str) -> None:
    from attendance_cli.cases.penalty_rules import parse_amount
    from attendance_cli.errors import InvalidInputError

    with pytest.raises(InvalidInputError):
        parse_amount(amount)
