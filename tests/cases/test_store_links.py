"""Casework behind the store: links are keys, not text; case lists query per list, not per case;
check-then-write runs under the named lock."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from attendance_cli.cases import actions, lists, notes
from attendance_cli.cases.chronology import case_view
from attendance_cli.cases.penalty import add_penalty_notice, record_penalty_payment
from attendance_cli.store import LOCK_CASE_ACTIONS, LOCK_PENALTY_NOTICES, Store, transactions

UPN = "V899200116001"  # a Castle Hill pupil in the sample LA
OFFICER = "Jo Officer"
TODAY = dt.date(2025, 11, 20)


def test_a_notice_finds_its_action_by_key_not_by_its_text(
    sample_conn: sqlite3.Connection,
) -> None:
    notice = add_penalty_notice(
        sample_conn, upn=UPN, parent="Paul Marsden", new_parent=True,
        issued=dt.date(2025, 10, 1), officer=OFFICER, today=TODAY,
        force=True, force_reason="links only",
    ).notice  # fmt: skip
    # the description no longer says which notice it is: only the key links them
    sample_conn.connection.execute(
        "UPDATE case_action SET description = 'Fixed penalty (edited)' WHERE kind = 'penalty notice'"
    )
    view = case_view(sample_conn, UPN, today=TODAY)
    assert [e.type for e in view.chronology].count("action_agreed") == 0  # the notice says it
    record_penalty_payment(
        sample_conn, notice_id=notice.id, paid=dt.date(2025, 10, 10), officer=OFFICER, today=TODAY
    )
    status = sample_conn.connection.execute(
        "SELECT status, penalty_notice_id FROM case_action WHERE kind = 'penalty notice'"
    ).fetchall()
    assert status == [("done", notice.id)]


@pytest.mark.sqlite_only  # counts statements with sqlite3's trace callback
def test_a_case_list_runs_the_same_queries_for_1_case_or_40(
    sample_conn: sqlite3.Connection,
) -> None:
    pupils = [
        r[0] for r in sample_conn.connection.execute("SELECT upn FROM pupil ORDER BY upn LIMIT 40")
    ]

    def statements_for_list() -> int:
        seen: list[str] = []
        sample_conn.connection.set_trace_callback(seen.append)
        try:
            rows = lists.list_cases(sample_conn, status="all", today=TODAY)
        finally:
            sample_conn.connection.set_trace_callback(None)
        assert rows
        return len(seen)

    notes.add_note(sample_conn, upn=pupils[0], text="First", officer=OFFICER)
    one = statements_for_list()
    for upn in pupils[1:]:
        actions.add_action(
            sample_conn, upn=upn, kind="home visit", action="Visit", officer=OFFICER,
            due=TODAY - dt.timedelta(days=1),
        )  # fmt: skip
    assert len(lists.list_cases(sample_conn, status="all", today=TODAY)) == 40
    assert statements_for_list() == one


@pytest.mark.parametrize(
    ("run", "lock"),
    [
        pytest.param(
            lambda conn, ids: actions.complete_action(
                conn, action_id=ids["action"], outcome="Seen", officer=OFFICER
            ),
            LOCK_CASE_ACTIONS,
            id="complete-action",
        ),
        pytest.param(
            lambda conn, ids: add_penalty_notice(
                conn,
                upn=UPN,
                parent="Ann Marsden",
                new_parent=True,
                force=True,
                force_reason="locks only",
                issued=dt.date(2025, 10, 2),
                officer=OFFICER,
                today=TODAY,
            ),  # fmt: skip
            LOCK_PENALTY_NOTICES,
            id="penalty-notice",
        ),
    ],
)
def test_check_then_write_takes_its_named_lock(
    sample_conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch, run, lock: str
) -> None:  # type: ignore[no-untyped-def]
    ids = {"action": actions.add_action(
        sample_conn, upn=UPN, kind="home visit", action="Visit", officer=OFFICER
    ).id}  # fmt: skip
    taken: list[tuple[str, ...]] = []
    real = transactions.writing

    def spy(store: Store, *locks: str):  # type: ignore[no-untyped-def]
        taken.append(locks)
        return real(store, *locks)

    monkeypatch.setattr(transactions, "writing", spy)
    import attendance_cli.store as store_package

    monkeypatch.setattr(store_package, "writing", spy)
    for module in ("attendance_cli.cases.actions", "attendance_cli.cases.penalty",
                   "attendance_cli.store.audit"):  # fmt: skip
        monkeypatch.setattr(f"{module}.writing", spy)
    run(sample_conn, ids)
    assert (lock,) in taken
    assert ("audit-chain",) in taken  # its audit entry appended under the chain's lock
