"""The readiness check against the 2024 framework (issue 12, rule errors 1-3 and 9): figures
hand-computed from a register written here, one session per character from Mon 1 Sep 2025,
every weekday a school day (so 10 school weeks are 100 sessions)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from attendance_cli.cases import actions
from attendance_cli.errors import InvalidInputError
from attendance_cli.referrals.check import CheckItem, ReferralCheck, check_referral
from attendance_cli.registers.importer import import_registers
from attendance_cli.store.letters import insert_letter
from tests.helpers import SCHOOL, UPN1, weekdays, write_csv

TODAY = dt.date(2025, 12, 19)
OFFICER = "Jo Officer"


def _register(conn: sqlite3.Connection, tmp_path: Path, codes: str) -> None:
    rows: list[list[object]] = [["UPN", "Date", "Session", "Mark"]]
    days = weekdays(dt.date(2025, 9, 1), (len(codes) + 1) // 2)
    for i, code in enumerate(codes):
        rows.append([UPN1, days[i // 2].isoformat(), "AM" if i % 2 == 0 else "PM", code])
    result = import_registers(conn, paths=[write_csv(tmp_path / "r.csv", rows)], school=SCHOOL)
    assert result.ok


def _item(check: ReferralCheck, key: str) -> CheckItem:
    return next(i for i in check.items if i.id == key)


def _check(conn: sqlite3.Connection, route: str = "penalty-notice", **kw: object) -> ReferralCheck:
    return check_referral(conn, upn=UPN1, route=route, today=TODAY, **kw)  # type: ignore[arg-type]


def test_a_five_day_holiday_near_95pct_is_ready_for_a_notice_not_for_prosecution(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    # 190 sessions (19 weeks, every weekday marked): 180 present, then 10 G (Mon 5 - Fri 9 Jan
    # 2026): 180/190 = 94.7%
    _register(conn, tmp_path, "/" * 180 + "G" * 10)
    later = dt.date(2026, 1, 30)
    notice = check_referral(conn, upn=UPN1, route="penalty-notice", today=later)
    attendance = _item(notice, "attendance")
    assert attendance.status == "not_applicable"
    assert "Attended 180 of 190 possible sessions (94.7%)" in attendance.detail
    assert attendance.evidence  # the figures stay as evidence
    assert _item(notice, "penalty_threshold").status == "met"
    assert _item(notice, "notice_to_improve").status == "not_applicable"
    assert "not appropriate" in _item(notice, "notice_to_improve").detail
    assert _item(notice, "warning_letters").status == "not_applicable"
    assert _item(notice, "support").status == "not_applicable"
    prosecution = check_referral(conn, upn=UPN1, route="prosecution", today=later)
    assert _item(prosecution, "attendance").status == "missing"
    assert "not below 90%" in _item(prosecution, "attendance").detail
    assert _item(prosecution, "warning_letters").status == "missing"


@pytest.mark.parametrize(
    ("codes", "holiday"),
    [
        # U on Mon 1 Sep AM, 12 weeks before the holiday: outside the window that met the
        # threshold (weeks 4-13), so the notice's sessions are the 10 G
        pytest.param("U" + "/" * 119 + "G" * 10, True, id="earlier-U-outside-window"),
        # U on Fri 21 Nov PM (week 12), then 10 G in week 13: met at the 9th G, the notice's
        # sessions are U + 9 G
        pytest.param("/" * 109 + "U" + "/" * 10 + "G" * 10, False, id="U-inside-window"),
    ],
)
def test_holiday_exception_is_decided_from_the_notices_sessions(
    conn: sqlite3.Connection, tmp_path: Path, codes: str, holiday: bool
) -> None:
    _register(conn, tmp_path, codes)
    check = _check(conn, improvement_weeks=4)
    assert _item(check, "penalty_threshold").status == "met"
    expected = "not_applicable" if holiday else "missing"
    assert _item(check, "support").status == expected
    assert _item(check, "notice_to_improve").status == expected


def _nti_letter(conn: sqlite3.Connection, day: dt.date) -> None:
    store = conn
    pupil_id = conn.connection.execute("SELECT id FROM pupil WHERE upn = ?", (UPN1,)).fetchone()[0]
    with store.core.begin_nested() if store.in_transaction else _nothing():
        insert_letter(
            store,
            document_id=None,
            pupil_id=pupil_id,
            school_id=None,
            template="notice-to-improve",
            template_version="1",
            template_sha256="0" * 64,
            addressee="Claire Marsden",
            addressee_key="claire marsden",
            letter_date=day,
            file_name="nti.pdf",
            sha256="1" * 64,
            size=1,
            batch=None,
            officer=OFFICER,
        )
    conn.connection.commit()


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


# U sessions: 4 in week 2 (Mon 8 - Tue 9 Sep), then 6 in week 7 (Mon 13 - Wed 15 Oct): 10 in
# 10 weeks, met Wed 15 Oct PM. An NTI on Mon 20 Oct, 4 weeks: the period runs to Sun 16 Nov.
NOT_HOLIDAY = "/" * 10 + "UUUU" + "/" * 36 + "/" * 10 + "UUUUUU" + "/" * 44 + "/" * 70


@pytest.mark.parametrize(
    ("extra", "weeks", "status", "says"),
    [
        # one U in the period (Mon 27 Oct AM, session 80): attendance did not improve
        pytest.param(80, 4, "met", "1 unauthorised session in it", id="elapsed-not-improved"),
        pytest.param(None, 4, "missing", "attendance improved", id="elapsed-improved"),
        # 6 weeks from 20 Oct: to Sun 30 Nov; today 19 Dec is after it, so elapsed too
        pytest.param(80, 6, "met", "6-week", id="six-weeks"),
    ],
)
def test_notice_to_improve_and_its_improvement_period(
    conn: sqlite3.Connection,
    tmp_path: Path,
    extra: int | None,
    weeks: int,
    status: str,
    says: str,
) -> None:
    codes = list(NOT_HOLIDAY)
    if extra is not None:
        codes[extra] = "U"
    _register(conn, tmp_path, "".join(codes))
    assert _item(_check(conn, improvement_weeks=weeks), "notice_to_improve").status == "missing"
    _nti_letter(conn, dt.date(2025, 10, 20))
    item = _item(_check(conn, improvement_weeks=weeks), "notice_to_improve")
    assert (item.status, says in item.detail) == (status, True), item.detail
    assert "improvement period of" in item.evidence[0].text


def test_an_improvement_period_not_yet_elapsed(conn: sqlite3.Connection, tmp_path: Path) -> None:
    _register(conn, tmp_path, NOT_HOLIDAY)
    _nti_letter(conn, dt.date(2025, 12, 1))  # 4 weeks: to Sun 28 Dec, after 19 Dec
    item = _item(_check(conn, improvement_weeks=4), "notice_to_improve")
    assert item.status == "missing" and "ends 2025-12-28" in item.detail


@pytest.mark.parametrize(
    ("weeks", "ok"),
    [
        pytest.param(2, False, id="2-weeks-too-short"),
        pytest.param(3, True, id="3-weeks"),
        pytest.param(6, True, id="6-weeks"),
        pytest.param(7, False, id="7-weeks-too-long"),
    ],
)
def test_the_improvement_period_setting_is_validated(
    conn: sqlite3.Connection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    weeks: int,
    ok: bool,
) -> None:
    settings = tmp_path / "config.toml"
    settings.write_text(f"[letters]\nimprovement_weeks = {weeks}\n")
    monkeypatch.setenv("ATT_CONFIG", str(settings))
    _register(conn, tmp_path, NOT_HOLIDAY)
    if ok:
        _check(conn)
    else:
        with pytest.raises(InvalidInputError, match="3 to 6 weeks"):
            _check(conn)


@pytest.mark.parametrize(
    ("social_worker", "looked_after", "needed"),
    [
        pytest.param("CP", 0, True, id="child-protection-plan"),
        pytest.param("CIN", 0, True, id="child-in-need-plan"),
        pytest.param(None, 1, True, id="looked-after"),
        pytest.param(None, 0, False, id="neither"),
    ],
)
@pytest.mark.parametrize("route", ["penalty-notice", "prosecution", "parenting-order"])
def test_social_care_consulted_on_every_route_for_a_child_known_to_them(
    conn: sqlite3.Connection,
    tmp_path: Path,
    social_worker: str | None,
    looked_after: int,
    needed: bool,
    route: str,
) -> None:
    _register(conn, tmp_path, NOT_HOLIDAY)
    conn.connection.execute(
        "UPDATE pupil SET social_worker = ?, looked_after = ? WHERE upn = ?",
        (social_worker, looked_after, UPN1),
    )
    conn.connection.commit()
    item = _item(_check(conn, route, improvement_weeks=4), "social_care")
    assert item.status == ("missing" if needed else "not_applicable"), item.detail
    if needed:
        actions.add_action(
            conn,
            upn=UPN1,
            kind="referral",
            action="Consulted the social worker",
            agency="social care",
            officer=OFFICER,
        )
        assert _item(_check(conn, route, improvement_weeks=4), "social_care").status == "met"
