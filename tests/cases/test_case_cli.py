"""``att case`` and ``att audit`` through the CLI: scripted (options) and interactive (questionary
driven through prompt_toolkit's pipe input)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from typer.testing import CliRunner

from attendance_cli.cli import prompts
from attendance_cli.cli.app import app
from attendance_cli.config import document_store

runner = CliRunner()
UPN = "V899200116001"
DOWN, ENTER = "\x1b[B", "\r"


def att(*args: str) -> object:
    return runner.invoke(app, list(args))


def ok_json(*args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.stderr + result.stdout
    return json.loads(result.stdout)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Behave as on a terminal; keys sent to the returned pipe answer the prompts."""
    with create_pipe_input() as pipe:
        monkeypatch.setattr(prompts, "PROMPT_IO", (pipe, DummyOutput()))
        monkeypatch.setattr(prompts, "FORCE_TTY", True)
        yield pipe


@pytest.mark.sqlite_only  # --officer/ATT_OFFICER; on PostgreSQL the role (tests/team)
def test_add_action_scripted(sample_db: Path) -> None:
    data = ok_json(
        "case",
        "add-action",
        UPN,
        "--kind",
        "home visit",
        "--action",
        "Visit family",
        "--owner",
        "A. Smith",
        "--agency",
        "school",
        "--due",
        "05/12/2099",
        "--officer",
        "Kim",
    )
    assert data == {
        "id": 1,
        "upn": UPN,
        "tier": "support",
        "kind": "home visit",
        "action": "Visit family",
        "owner": "A. Smith",
        "agency": "school",
        "due": "2099-12-05",
        "status": "agreed",
        "outcome": None,
        "meeting_id": None,
        "created_at": data["created_at"],
        "completed_at": None,
        "officer": "Kim",
        "agreed_on": dt.date.today().isoformat(),
        "ended_on": None,
    }
    audit = ok_json("audit", UPN)
    assert [(e["action"], e["officer"]) for e in audit] == [
        ("open_case", "Kim"),
        ("add_action", "Kim"),
    ]


def test_add_action_not_a_terminal_lists_what_is_missing(sample_db: Path) -> None:
    result = runner.invoke(app, ["case", "add-action", UPN, "--owner", "A. Smith"])
    assert result.exit_code == 2
    assert "Missing --kind, --action" in result.stderr
    assert "run it in a terminal" in result.stderr
    assert ok_json("case", "list") == []  # nothing written


def test_add_action_interactive(sample_db: Path, terminal) -> None:  # type: ignore[no-untyped-def]
    ok_json("case", "set-lead", UPN, "--name", "Mrs Patel", "--agency", "health")
    # kind: third choice (early help assessment); action typed; owner: accept the lead's name;
    # agency: accept the default (the lead's agency); due: an invalid date first, then a good one
    terminal.send_text(
        DOWN
        + DOWN
        + ENTER
        + "Start an EHA"
        + ENTER
        + ENTER
        + ENTER
        + "31/02/2099"
        + ENTER
        + "\x15"  # Ctrl-U: clear the bad date
        + "01/03/2099"
        + ENTER
    )
    data = ok_json("case", "add-action", UPN)
    assert (data["kind"], data["action"], data["owner"], data["agency"], data["due"]) == (
        "early help assessment",
        "Start an EHA",
        "Mrs Patel",
        "health",
        "2099-03-01",
    )


def test_the_date_prompt_default_is_taken_by_enter_and_replaced_by_typing(
    sample_db: Path, terminal
) -> None:  # type: ignore[no-untyped-def]
    in_six_weeks = dt.date.today() + dt.timedelta(weeks=6)
    # kind: first; action typed; owner and agency: defaults; due: Enter takes the default
    terminal.send_text(ENTER + "Phone call" + ENTER + ENTER + ENTER + ENTER)
    assert ok_json("case", "add-action", UPN)["due"] == in_six_weeks.isoformat()
    # typed straight in, the date replaces the default (it used to run on from it)
    terminal.send_text(ENTER + "Home visit" + ENTER + ENTER + ENTER + "01/03/2099" + ENTER)
    assert ok_json("case", "add-action", UPN)["due"] == "2099-03-01"


def test_interactive_cancel_writes_nothing(sample_db: Path, terminal) -> None:  # type: ignore[no-untyped-def]
    terminal.send_text("\x03")  # Ctrl-C at the first question
    result = runner.invoke(app, ["case", "add-action", UPN])
    assert result.exit_code == 130 and "nothing was recorded" in result.stderr
    assert ok_json("case", "list", "--status", "all") == []


def test_set_lead_close_reopen_interactive(sample_db: Path, terminal) -> None:  # type: ignore[no-untyped-def]
    terminal.send_text("Mr Jones" + ENTER + DOWN + ENTER + "EWO" + ENTER + ENTER)
    lead = ok_json("case", "set-lead", UPN)
    assert (lead["name"], lead["agency"], lead["role"], lead["contact"]) == (
        "Mr Jones",
        "LA",
        "EWO",
        None,
    )
    terminal.send_text("Moved out of area" + ENTER)
    closed = ok_json("case", "close", UPN)
    assert (closed["status"], closed["outcome"]) == ("closed", "Moved out of area")
    assert ok_json("case", "reopen", UPN)["status"] == "open"


def test_complete_action(sample_db: Path) -> None:
    action = ok_json("case", "add-action", UPN, "--kind", "warning letter", "--action", "To mum")
    missing = runner.invoke(app, ["case", "complete-action", str(action["id"])])
    assert missing.exit_code == 2 and "--outcome" in missing.stderr
    done = ok_json(
        "case", "complete-action", str(action["id"]), "--outcome", "Sent", "--status", "CANCELLED"
    )
    assert (done["status"], done["outcome"]) == ("cancelled", "Sent")
    again = runner.invoke(app, ["case", "complete-action", str(action["id"]), "--outcome", "x"])
    assert again.exit_code == 5 and "already cancelled" in again.stderr
    unknown = runner.invoke(app, ["case", "complete-action", "999", "--outcome", "x"])
    assert unknown.exit_code == 4


def test_errors_name_the_problem(sample_db: Path) -> None:
    bad_kind = runner.invoke(app, ["case", "add-action", UPN, "--kind", "x", "--action", "y"])
    assert bad_kind.exit_code == 3 and "not a known kind of action" in bad_kind.stderr
    assert "home visit" in bad_kind.stderr  # the hint lists the choices
    bad_date = runner.invoke(
        app, ["case", "add-action", UPN, "--kind", "home visit", "--action", "y", "--due", "soon"]
    )
    assert bad_date.exit_code == 2
    nobody = runner.invoke(app, ["case", "note", "A123456789012", "hello"])
    assert nobody.exit_code == 4 and "No pupil with UPN" in nobody.stderr
    assert "Traceback" not in bad_kind.stderr + nobody.stderr


def test_note_attach_documents_show(sample_db: Path, tmp_path: Path) -> None:
    assert ok_json("case", "note", UPN, "=cmd|' /C calc'!A0")["text"] == "=cmd|' /C calc'!A0"
    letter = tmp_path / "warning letter.txt"
    letter.write_text("Dear parent")
    attached = ok_json(
        "case",
        "attach",
        UPN,
        str(letter),
        "--kind",
        "letter",
        "--date",
        "2025-10-05",
        "--description",
        "First warning",
    )
    assert attached["file_name"] == "warning letter.txt" and attached["date"] == "2025-10-05"
    assert Path(attached["stored_path"]).read_text() == "Dear parent"
    assert Path(attached["stored_path"]).parent == document_store(sample_db)
    listed = ok_json("case", "documents", UPN)
    assert [d["sha256"] for d in listed] == [attached["sha256"]]
    csv_out = runner.invoke(app, ["case", "documents", UPN, "--format", "csv"])
    assert csv_out.stdout.splitlines()[0] == (
        "id,kind,file_name,date,description,sha256,bytes,created_at,officer,stored_path,"
        "happened_on,withdrawn_at,withdrawn_reason"
    )
    shown = ok_json("case", "show", UPN)
    assert {
        "upn",
        "status",
        "lead_practitioner",
        "actions",
        "chronology",
        "penalty_notices",
    } <= set(shown)
    types = [e["type"] for e in shown["chronology"]]
    assert "letter" in types and "note" in types and "became_persistent" in types
    table = runner.invoke(app, ["case", "show", UPN])
    assert table.exit_code == 0 and "No lead practitioner" in table.stdout
    assert "=cmd|' /C calc'!A0" in table.stdout  # shown as text, not as markup
    audit_csv = runner.invoke(app, ["audit", "--format", "csv"])
    assert "'=cmd" not in audit_csv.stdout  # notes' text is not in the audit detail
    assert (
        audit_csv.stdout.splitlines()[0]
        == "id,at,officer,action,entity,entity_id,upn,detail,erased"
    )


def test_case_list_filters_and_csv(sample_db: Path) -> None:
    ok_json(
        "case", "add-action", UPN, "--kind", "home visit", "--action", "x", "--due", "2020-01-01"
    )
    ok_json("case", "set-lead", "T899200125008", "--name", "Ann", "--agency", "la")
    assert [r["upn"] for r in ok_json("case", "list", "--overdue")] == [UPN]
    assert [r["upn"] for r in ok_json("case", "list", "--no-lead")] == [UPN]
    assert [r["upn"] for r in ok_json("case", "list", "--lead-agency", "LA")] == ["T899200125008"]
    assert [r["upn"] for r in ok_json("case", "list", "--school", "riverside")] == ["T899200125008"]
    rows = runner.invoke(app, ["case", "list", "--format", "csv"]).stdout.splitlines()
    assert rows[0].startswith("case_id,upn,surname,forename,school_laestab") and len(rows) == 3
    table = runner.invoke(app, ["case", "list"])
    assert table.exit_code == 0 and "Castle Hill" in table.stdout
    bad = runner.invoke(app, ["case", "list", "--lead-agency", "police"])
    assert bad.exit_code == 3


def test_audit_verify(sample_db: Path) -> None:
    ok_json("case", "note", UPN, "one")
    good = runner.invoke(app, ["audit", "verify"])
    assert good.exit_code == 0 and "2 entries" in good.stdout
    from tests.helpers import connect_to

    conn = connect_to(sample_db)  # either engine
    conn.execute("UPDATE audit_log SET officer = 'Mallory' WHERE id = 2")
    conn.close()
    bad = runner.invoke(app, ["audit", "verify", "--format", "json"])
    assert bad.exit_code == 8
    found = json.loads(bad.stdout)
    assert {k: found[k] for k in ("entries", "ok", "first_broken_id", "problem")} == {
        "entries": 2,
        "ok": False,
        "first_broken_id": 2,
        "problem": "its content was changed after it was written",
    }


@pytest.mark.sqlite_only  # --officer/ATT_OFFICER; on PostgreSQL the role (tests/team)
def test_every_case_change_is_audited(sample_db: Path, tmp_path: Path) -> None:
    (tmp_path / "m.txt").write_text("minutes")
    action = ok_json("case", "add-action", UPN, "--kind", "home visit", "--action", "x")
    ok_json("case", "complete-action", str(action["id"]), "--outcome", "done")
    ok_json("case", "set-lead", UPN, "--name", "A", "--agency", "school")
    ok_json("case", "note", UPN, "n")
    ok_json("case", "attach", UPN, str(tmp_path / "m.txt"), "--kind", "minutes")
    ok_json("case", "close", UPN, "--outcome", "o")
    ok_json("case", "reopen", UPN)
    ok_json("tsm", "record", "--school", "8994001", "--date", dt.date.today().isoformat())
    assert [e["action"] for e in ok_json("audit")] == [
        "open_case",
        "add_action",
        "action_done",
        "set_lead",
        "add_note",
        "attach_document",
        "close_case",
        "reopen_case",
        "record_meeting",
    ]
    assert {e["officer"] for e in ok_json("audit")} == {"Test Officer"}  # from ATT_OFFICER


def test_complete_action_and_attach_interactive(  # type: ignore[no-untyped-def]
    sample_db: Path, tmp_path: Path, terminal
) -> None:
    # with the required options given nothing is asked, even on a terminal
    action = ok_json("case", "add-action", UPN, "--kind", "home visit", "--action", "Visit")
    assert (action["owner"], action["agency"], action["due"]) == (None, None, None)
    terminal.send_text(ENTER + "Family seen at home" + ENTER)  # an empty answer is asked again
    done = ok_json("case", "complete-action", str(action["id"]))
    assert (done["status"], done["outcome"]) == ("done", "Family seen at home")
    (tmp_path / "contract.pdf").write_bytes(b"%PDF contract")
    terminal.send_text(DOWN + DOWN + ENTER)  # letter, minutes, contract
    attached = ok_json("case", "attach", UPN, str(tmp_path / "contract.pdf"))
    assert attached["kind"] == "contract"


def test_prompts_are_not_asked_for_an_unknown_pupil(sample_db: Path, terminal) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["case", "add-action", "A123456789012"])
    assert result.exit_code == 4 and "No pupil with UPN" in result.stderr


@pytest.mark.sqlite_only  # the folder beside the database file
def test_a_file_problem_is_one_line_and_exit_7(sample_db: Path, tmp_path: Path) -> None:
    sample_db.with_name("att-documents").write_text("a file where the document folder goes")
    (tmp_path / "letter.txt").write_text("Dear parent")
    result = runner.invoke(
        app, ["case", "attach", UPN, str(tmp_path / "letter.txt"), "--kind", "letter"]
    )
    assert result.exit_code == 7
    assert result.stderr.startswith("Error: File exists") and "Traceback" not in result.stderr
    assert ok_json("case", "list", "--status", "all") == []  # nothing recorded


@pytest.mark.sqlite_only  # the folder beside the database file
def test_a_loose_document_folder_is_made_private(sample_db: Path, tmp_path: Path) -> None:
    import stat

    store = sample_db.with_name("att-documents")
    store.mkdir(mode=0o755)
    store.chmod(0o755)
    (tmp_path / "letter.txt").write_text("Dear parent")
    ok_json("case", "attach", UPN, str(tmp_path / "letter.txt"), "--kind", "letter")
    assert stat.S_IMODE(store.stat().st_mode) == 0o700


def test_a_penalty_notice_is_not_an_agreed_action(sample_db: Path) -> None:
    result = runner.invoke(
        app, ["case", "add-action", UPN, "--kind", "Penalty Notice", "--action", "PN to mum"]
    )
    assert result.exit_code == 5 and "att penalty add" in result.stderr
    assert ok_json("case", "list", "--status", "all") == []


def test_questions_go_to_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr(prompts, "PROMPT_IO", None)
    output = prompts._io()["output"]
    assert output.fileno() == sys.stderr.fileno()
