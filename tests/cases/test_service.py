"""The casework core: actions, leads, notes, cases, documents, and their audit entries."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from attendance_cli.cases import actions, case, documents, leads, lists, notes
from attendance_cli.cases.audit import list_audit, verify_audit
from attendance_cli.errors import InvalidInputError, NotFoundError, RefusedError

UPN = "V899200116001"  # a persistently absent Castle Hill pupil in the sample LA
OTHER = "T899200125008"  # a Riverside Primary pupil
OFFICER = "Jo Officer"


def _actions(conn: sqlite3.Connection) -> list[str]:
    return [e.action for e in list_audit(conn)]


def test_add_action_opens_a_case_and_derives_overdue(sample_conn: sqlite3.Connection) -> None:
    today = dt.date.today()
    late = actions.add_action(
        sample_conn,
        upn=UPN.lower(),
        kind="Home Visit",
        action="Visit the family",
        owner="A. Smith",
        agency="early-help",
        due=today - dt.timedelta(days=1),
        officer=OFFICER,
    )
    assert (late.kind, late.tier, late.agency, late.status) == (
        "home visit",
        "support",
        "early help",
        "overdue",
    )
    on_time = actions.add_action(
        sample_conn, upn=UPN, kind="attendance contract", action="Sign", officer=OFFICER, due=today
    )
    assert on_time.status == "agreed" and on_time.tier == "formal"
    assert on_time.case_id == late.case_id  # one open case per pupil
    assert _actions(sample_conn) == ["open_case", "add_action", "add_action"]
    entry = list_audit(sample_conn, upn=UPN)[1]
    assert entry.officer == OFFICER and entry.detail["kind"] == "home visit"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"kind": "séance", "action": "x"}, InvalidInputError),
        ({"kind": "", "action": "x"}, InvalidInputError),
        ({"kind": "home visit", "action": "  "}, InvalidInputError),
        ({"kind": "home visit", "action": "x", "agency": "police"}, InvalidInputError),
        ({"kind": "home visit", "action": "x", "meeting_id": 99}, NotFoundError),
    ],
)
def test_add_action_rejects_bad_input_and_writes_nothing(
    sample_conn: sqlite3.Connection, kwargs: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        actions.add_action(sample_conn, upn=UPN, officer=OFFICER, **kwargs)  # type: ignore[arg-type]
    assert sample_conn.connection.execute("SELECT count(*) FROM pupil_case").fetchone()[0] == 0
    assert _actions(sample_conn) == []


def test_unknown_pupil(sample_conn: sqlite3.Connection) -> None:
    with pytest.raises(NotFoundError, match="No pupil with UPN"):
        notes.add_note(sample_conn, upn="A123456789012", text="x", officer=OFFICER)


def test_complete_action_once(sample_conn: sqlite3.Connection) -> None:
    action = actions.add_action(
        sample_conn, upn=UPN, kind="home visit", action="Visit", officer=OFFICER
    )
    with pytest.raises(InvalidInputError):
        actions.complete_action(sample_conn, action_id=action.id, outcome=" ", officer=OFFICER)
    with pytest.raises(InvalidInputError):
        actions.complete_action(
            sample_conn, action_id=action.id, outcome="x", status="agreed", officer=OFFICER
        )
    done = actions.complete_action(
        sample_conn, action_id=action.id, outcome="Mum engaged", officer="Sam"
    )
    assert (done.status, done.outcome) == ("done", "Mum engaged") and done.completed_at
    with pytest.raises(RefusedError, match="already done"):
        actions.complete_action(
            sample_conn, action_id=action.id, outcome="again", status="cancelled", officer=OFFICER
        )
    assert list_audit(sample_conn)[-1].officer == "Sam"
    assert _actions(sample_conn)[-1] == "action_done"


def test_lead_history_is_kept(sample_conn: sqlite3.Connection) -> None:
    leads.set_lead(sample_conn, upn=UPN, name="Mrs Patel", agency="school", officer=OFFICER)
    lead = leads.set_lead(
        sample_conn, upn=UPN, name="Dr Khan", agency="Health", role="GP", officer=OFFICER
    )
    assert (lead.name, lead.agency, lead.role) == ("Dr Khan", "health", "GP")
    assert (
        sample_conn.connection.execute("SELECT count(*) FROM lead_practitioner").fetchone()[0] == 2
    )
    with pytest.raises(InvalidInputError):
        leads.set_lead(sample_conn, upn=UPN, name="X", agency="", officer=OFFICER)


def test_close_and_reopen(sample_conn: sqlite3.Connection) -> None:
    with pytest.raises(RefusedError):
        case.close_case(sample_conn, upn=UPN, outcome="x", officer=OFFICER)
    with pytest.raises(NotFoundError):
        case.reopen_case(sample_conn, upn=UPN, officer=OFFICER)
    notes.add_note(sample_conn, upn=UPN, text="Called mum", officer=OFFICER)
    closed = case.close_case(
        sample_conn, upn=UPN, outcome="Attendance back above 95%", officer=OFFICER
    )
    assert (closed.status, closed.outcome) == ("closed", "Attendance back above 95%")
    again = case.reopen_case(sample_conn, upn=UPN, officer=OFFICER)
    assert again.status == "open" and again.id == closed.id
    with pytest.raises(RefusedError):
        case.reopen_case(sample_conn, upn=UPN, officer=OFFICER)
    assert _actions(sample_conn) == ["open_case", "add_note", "close_case", "reopen_case"]
    assert list_audit(sample_conn)[-1].detail == {
        "previous_outcome": "Attendance back above 95%",
        "happened_on": dt.date.today().isoformat(),
    }


def test_attach_document_copies_by_hash_privately(
    sample_conn: sqlite3.Connection, tmp_path: Path
) -> None:
    source = tmp_path / "../letter.pdf"
    source.write_bytes(b"%PDF-1.4 warning letter")
    store = tmp_path / "store"
    record = documents.attach_document(
        sample_conn,
        upn=UPN,
        file=source,
        kind="Letter",
        store=store,
        officer=OFFICER,
        document_date=dt.date(2025, 10, 5),
    )
    import hashlib

    digest = hashlib.sha256(b"%PDF-1.4 warning letter").hexdigest()
    stored = store / digest
    assert record.sha256 == digest and Path(record.stored_path) == stored
    assert stored.read_bytes() == b"%PDF-1.4 warning letter"
    assert stat.S_IMODE(os.stat(stored).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(store).st_mode) == 0o700
    listed = documents.list_documents(sample_conn, upn=UPN, store=store)
    assert [(d.file_name, d.kind, d.document_date) for d in listed] == [
        ("letter.pdf", "letter", dt.date(2025, 10, 5))
    ]
    with pytest.raises(InvalidInputError):
        documents.attach_document(
            sample_conn,
            upn=UPN,
            file=tmp_path / "nope.pdf",
            kind="letter",
            store=store,
            officer="x",
        )
    with pytest.raises(InvalidInputError):
        documents.attach_document(
            sample_conn, upn=UPN, file=source, kind="selfie", store=store, officer="x"
        )


def test_casework_summaries_and_lists(sample_conn: sqlite3.Connection) -> None:
    today = dt.date(2025, 11, 20)
    actions.add_action(
        sample_conn,
        upn=UPN,
        kind="home visit",
        action="Visit",
        due=dt.date(2025, 11, 1),
        officer=OFFICER,
    )
    actions.add_action(
        sample_conn,
        upn=UPN,
        kind="referral",
        action="School nurse",
        due=dt.date(2025, 12, 1),
        officer=OFFICER,
    )
    leads.set_lead(sample_conn, upn=OTHER, name="Ann", agency="LA", officer=OFFICER)
    pupil_ids = dict(
        sample_conn.connection.execute(
            "SELECT upn, id FROM pupil WHERE upn IN (?, ?)", (UPN, OTHER)
        )
    )
    summaries = lists.casework_summaries(sample_conn, list(pupil_ids.values()), today=today)
    first = summaries[pupil_ids[UPN]]
    assert (first.open_actions, first.overdue_actions, first.next_review, first.has_plan) == (
        2,
        1,
        dt.date(2025, 11, 1),
        True,
    )
    assert first.lead_practitioner is None
    second = summaries[pupil_ids[OTHER]]
    assert (second.lead_practitioner, second.has_plan) == ("Ann", False)

    def upns(**kwargs: object) -> list[str]:
        return [r.upn for r in lists.list_cases(sample_conn, today=today, **kwargs)]  # type: ignore[arg-type]

    assert sorted(upns()) == sorted([UPN, OTHER])
    assert upns(overdue=True) == [UPN]
    assert upns(no_lead=True) == [UPN]
    assert upns(lead_agency="la") == [OTHER]
    schools = {
        upn: {
            r[0]
            for r in sample_conn.connection.execute(
                "SELECT s.laestab FROM enrolment e JOIN school s ON s.id = e.school_id "
                "JOIN pupil p ON p.id = e.pupil_id WHERE p.upn = ?",
                (upn,),
            )
        }
        for upn in (UPN, OTHER)
    }
    assert schools[UPN] == {"8994001"} and "8994001" not in schools[OTHER]
    assert upns(school="Castle Hill") == [UPN]
    case.close_case(sample_conn, upn=OTHER, outcome="Moved away", officer=OFFICER)
    assert upns() == [UPN] and upns(status="closed") == [OTHER]
    with pytest.raises(InvalidInputError):
        upns(status="pending")


def test_audit_chain_detects_tampering(sample_conn: sqlite3.Connection) -> None:
    for text in ("one", "two", "three"):
        notes.add_note(sample_conn, upn=UPN, text=text, officer=OFFICER)
    assert verify_audit(sample_conn).ok and verify_audit(sample_conn).entries == 4
    sample_conn.connection.execute("UPDATE audit_log SET officer = 'Mallory' WHERE id = 3")
    check = verify_audit(sample_conn)
    assert (check.ok, check.first_broken_id) == (False, 3)
    assert "changed" in (check.problem or "")
    sample_conn.connection.execute("UPDATE audit_log SET officer = ? WHERE id = 3", (OFFICER,))
    assert verify_audit(sample_conn).ok
    sample_conn.connection.execute(
        "DELETE FROM audit_detail WHERE entry_id = 2"
    )  # its personal part first
    sample_conn.connection.execute(
        "DELETE FROM audit_log WHERE id = 2"
    )  # (a foreign key on PostgreSQL)
    check = verify_audit(sample_conn)
    assert (check.ok, check.first_broken_id) == (False, 3)
    assert "removed" in (check.problem or "")
