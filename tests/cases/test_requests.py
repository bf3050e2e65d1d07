"""A school's request for a penalty notice, from the day it comes in to the outcome sent back.

Hand-computed: received Mon 3 Nov 2025 with the default 10 days to decide -> decide by Thu 13
Nov 2025; pending on the 13th, overdue on the 14th."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cases import requests
from attendance_cli.cases.audit import list_audit, verify_audit
from attendance_cli.cases.chronology import case_view
from attendance_cli.cli.app import app
from attendance_cli.errors import InvalidInputError, RefusedError, UsageError
from attendance_cli.settings import load_settings

UPN = "V899200116001"  # in the sample LA, with Stacey Calloway (mother) on record
RECEIVED = dt.date(2025, 11, 3)
TODAY = dt.date(2025, 11, 20)
runner = CliRunner()


def _add(conn: sqlite3.Connection, tmp_path: Path, **extra: object) -> requests.RequestRecord:
    evidence = tmp_path / "holiday-letter.txt"
    evidence.write_text("We are taking Eli to Spain")
    values: dict[str, object] = {
        "upn": UPN,
        "received_on": RECEIVED,
        "period_from": dt.date(2025, 9, 26),
        "period_to": dt.date(2025, 10, 21),
        "reason": "Holiday",
        "sessions": 16,
        "requested_by": "Mrs Head",
        "officer": "Jo",
        "evidence": [evidence],
        "document_store": tmp_path / "documents",
        "today": TODAY,
    }
    values.update(extra)
    return requests.add_request(conn, **values)  # type: ignore[arg-type]


def test_a_requests_life(sample_conn: sqlite3.Connection, tmp_path: Path) -> None:
    record = _add(sample_conn, tmp_path)
    request = record.request
    assert request.decide_by == dt.date(2025, 11, 13) and request.reason == "holiday"
    assert record.status == "overdue"  # on 20 Nov
    assert requests.get_request(sample_conn, request.id, today=dt.date(2025, 11, 13)).status == (
        "pending"
    )
    (document,) = case_view(sample_conn, UPN, today=TODAY).documents
    assert request.document_ids == (document.id,) and document.happened_on == RECEIVED
    assert case_view(sample_conn, UPN, today=TODAY).opened_on == RECEIVED
    assert [
        r.request.id for r in requests.list_requests(sample_conn, status="overdue", today=TODAY)
    ] == [request.id]
    assert requests.list_requests(sample_conn, status="decided", today=TODAY) == []

    with pytest.raises(UsageError, match="refusal needs its reason"):
        requests.decide_request(
            sample_conn, request_id=request.id, decision="refuse", officer="Jo", today=TODAY
        )
    with pytest.raises(UsageError, match="parent"):
        requests.decide_request(
            sample_conn, request_id=request.id, decision="issue", officer="Jo", today=TODAY
        )
    with pytest.raises(InvalidInputError, match="received on 03/11/2025"):
        requests.decide_request(
            sample_conn,
            request_id=request.id,
            decision="nti",
            officer="Jo",
            on=dt.date(2025, 11, 2),
            today=TODAY,
        )
    decided = requests.decide_request(
        sample_conn,
        request_id=request.id,
        decision="issue",
        parent="Stacey Calloway",
        officer="Jo",
        on=dt.date(2025, 11, 10),
        la_name="Kestrelford Council",
        today=TODAY,
    ).record
    assert decided.status == "decided" and decided.request.decision == "issue"
    notice_id = decided.request.penalty_notice_id
    assert notice_id is not None
    (notice,) = case_view(sample_conn, UPN, today=TODAY).penalty_notices
    assert (notice.id, notice.issued, notice.parent_name) == (
        notice_id,
        dt.date(2025, 11, 10),
        "Stacey Calloway",
    )
    text = decided.request.outcome_text or ""
    assert (
        f"penalty notice (number {notice_id}) was issued to Stacey Calloway on 10/11/2025" in text
    )
    assert "From: Kestrelford Council, Jo" in text and "after the date" not in text
    assert "16 unauthorised sessions (holiday) between 26/09/2025 and 21/10/2025" in text
    with pytest.raises(RefusedError, match="already decided on 10/11/2025"):
        requests.decide_request(
            sample_conn, request_id=request.id, decision="nti", officer="Jo", today=TODAY
        )
    actions = [e.action for e in list_audit(sample_conn, upn=UPN)]
    assert actions.count("add_penalty_request") == 1 and actions[-1] == "decide_penalty_request"
    assert "add_penalty_notice" in actions
    # the request, its notice, the notice's sessions, the case and its document: every row
    # committed to by its latest entry
    check = verify_audit(sample_conn)
    assert (check.ok, check.row_problem_count) == (True, 0), check.row_problems


def test_notice_to_improve_first_and_a_late_refusal(
    sample_conn: sqlite3.Connection, tmp_path: Path
) -> None:
    first = _add(sample_conn, tmp_path, evidence=[]).request
    second = _add(
        sample_conn, tmp_path, evidence=[], sessions=9, reason="unauthorised absence"
    ).request
    nti = requests.decide_request(
        sample_conn,
        request_id=first.id,
        decision="notice to improve",
        officer="Jo",
        on=dt.date(2025, 11, 5),
        today=TODAY,
    ).record.request
    assert nti.decision == "nti" and nti.penalty_notice_id is None
    (action,) = [
        a for a in case_view(sample_conn, UPN, today=TODAY).actions if a.kind == "notice to improve"
    ]
    assert (action.agreed_on, action.agency, action.status) == (
        dt.date(2025, 11, 5),
        "LA",
        "agreed",
    )
    assert "a notice to improve will be issued first" in (nti.outcome_text or "")
    refused = requests.decide_request(
        sample_conn,
        request_id=second.id,
        decision="refuse",
        reason="Threshold not met: 9 sessions.",
        officer="Jo",
        on=dt.date(2025, 11, 14),
        today=TODAY,
    ).record.request
    text = refused.outcome_text or ""
    assert "will not issue a penalty notice. Threshold not met: 9 sessions." in text
    assert "after the date we aimed to decide by, 13/11/2025" in text  # decided on the 14th
    assert case_view(sample_conn, UPN, today=TODAY).penalty_notices == []


def test_bad_requests_are_refused(sample_conn: sqlite3.Connection, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="reason"):
        _add(sample_conn, tmp_path, reason="illness")
    with pytest.raises(InvalidInputError, match="ends before it starts"):
        _add(sample_conn, tmp_path, period_from=dt.date(2025, 10, 22))
    with pytest.raises(InvalidInputError, match="after the day it was received"):
        _add(sample_conn, tmp_path, period_to=dt.date(2025, 11, 4))
    with pytest.raises(InvalidInputError, match="in the future"):
        _add(sample_conn, tmp_path, received_on=TODAY + dt.timedelta(days=1))
    with pytest.raises(InvalidInputError, match="No such file"):
        _add(sample_conn, tmp_path, evidence=[tmp_path / "missing.pdf"])
    assert requests.list_requests(sample_conn, today=TODAY) == []


def test_days_to_decide_come_from_the_settings(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert requests.decision_days(load_settings(path)) == requests.DEFAULT_DECISION_DAYS
    path.write_text("[penalty]\nrequest_decision_days = 5\n")
    assert requests.decision_days(load_settings(path)) == 5
    path.write_text("[penalty]\nrequest_decision_days = 0\n")
    with pytest.raises(InvalidInputError, match="between 1 and 90"):
        requests.decision_days(load_settings(path))


def test_the_commands(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[penalty]\nrequest_decision_days = 7\n[officer]\nname = "Jo Officer"\n')
    monkeypatch.setenv("ATT_CONFIG", str(config))
    added = runner.invoke(
        app,
        [
            "penalty",
            "request",
            "add",
            UPN,
            "--from",
            "06/10/2025",
            "--to",
            "17/10/2025",
            "--reason",
            "holiday",
            "--received",
            "03/11/2025",
            "--sessions",
            "16",
            "--format",
            "json",
        ],
    )
    assert added.exit_code == 0, added.stderr
    data = json.loads(added.stdout)
    assert data["decide_by"] == "2025-11-10" and data["school_laestab"]  # 3 Nov + 7 days
    listed = runner.invoke(app, ["penalty", "request", "list", "--format", "csv"])
    assert listed.exit_code == 0 and listed.stdout.splitlines()[0].startswith("id,upn,surname")
    letter = tmp_path / "outcome.txt"
    decided = runner.invoke(
        app,
        [
            "penalty",
            "request",
            "decide",
            str(data["id"]),
            "--decision",
            "refuse",
            "--reason",
            "Authorised by the head.",
            "--on",
            "04/11/2025",
            "--letter",
            str(letter),
        ],
    )
    assert decided.exit_code == 0, decided.stderr
    assert "Outcome for the school" in decided.stdout
    assert "From: the local authority, Jo Officer" in letter.read_text()
    assert oct(letter.stat().st_mode & 0o777) == "0o600"
    again = runner.invoke(
        app, ["penalty", "request", "decide", str(data["id"]), "--decision", "nti"]
    )
    assert again.exit_code == 5 and "already decided" in again.stderr
    shown = runner.invoke(app, ["penalty", "request", "show", str(data["id"]), "--format", "json"])
    assert json.loads(shown.stdout)["decision"] == "refuse"
    again_letter = runner.invoke(
        app,
        [
            "penalty",
            "request",
            "decide",
            str(data["id"]),
            "--decision",
            "nti",
            "--letter",
            str(letter),
        ],
    )
    assert again_letter.exit_code == 3 and "--force" in again_letter.stderr  # never overwritten
    second = json.loads(
        runner.invoke(
            app,
            [
                "penalty",
                "request",
                "add",
                UPN,
                "--from",
                "06/10/2025",
                "--to",
                "17/10/2025",
                "--reason",
                "holiday",
                "--received",
                "03/11/2025",
                "--format",
                "json",
            ],
        ).stdout
    )
    word = tmp_path / "outcome.docx"
    made = runner.invoke(
        app,
        [
            "penalty",
            "request",
            "decide",
            str(second["id"]),
            "--decision",
            "nti",
            "--letter",
            str(word),
        ],
    )
    assert made.exit_code == 0, made.stderr
    from docx import Document

    paragraphs = [p.text for p in Document(str(word)).paragraphs]
    assert paragraphs[0].startswith("To: Castle Hill Academy") and any(
        "notice to improve will be issued first" in p for p in paragraphs
    )
    missing = runner.invoke(app, ["penalty", "request", "show", "99"])
    assert missing.exit_code == 4


def test_the_registers_count_beside_the_schools(
    sample_conn: sqlite3.Connection, tmp_path: Path
) -> None:
    # Jayden Calloway's register (sample_data/README.md): N Mon 20 - Wed 22 Oct (6 sessions),
    # O Thu 23 - Fri 24 Oct (4): 10 unauthorised sessions that week at Castle Hill
    week = {"period_from": dt.date(2025, 10, 20), "period_to": dt.date(2025, 10, 24)}
    castle_hill = _add(sample_conn, tmp_path, evidence=[], sessions=12, **week)
    assert castle_hill.registers_unauthorised == 10 and castle_hill.request.sessions == 12
    assert castle_hill.as_dict()["registers_unauthorised_sessions"] == 10
    riverside = _add(sample_conn, tmp_path, evidence=[], school="8992001", **week)
    assert riverside.registers_unauthorised is None  # no marks of Riverside for Jayden


def test_issuing_from_a_request_applies_the_notice_rules(
    sample_conn: sqlite3.Connection, tmp_path: Path
) -> None:
    # V899200116001's registers hold 4 unauthorised sessions in 06/10-17/10/2025, not the
    # school's 16: the threshold (10 in 10 school weeks) is not met in the request's period, so
    # issuing is refused and the request stays undecided.
    record = _add(
        sample_conn, tmp_path, period_from=dt.date(2025, 10, 6), period_to=dt.date(2025, 10, 17)
    )
    with pytest.raises(RefusedError, match="Threshold not met: 4 unauthorised sessions"):
        requests.decide_request(
            sample_conn,
            request_id=record.request.id,
            decision="issue",
            parent="Stacey Calloway",
            officer="Jo",
            on=dt.date(2025, 11, 10),
            today=TODAY,
        )
    assert requests.get_request(sample_conn, record.request.id, today=TODAY).status == "overdue"
    assert case_view(sample_conn, UPN, today=TODAY).penalty_notices == []
