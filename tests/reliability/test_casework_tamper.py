"""Casework is tamper-evident (issue 13.3): the audit log commits to every casework row.

An UPDATE of a note behind att's back fails ``att audit verify``, the referral export and
``att referral verify``; a row inserted without att fails; a row deleted without a tombstone
fails; an emptied, truncated or rebuilt log fails against an anchor kept from earlier."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cases import audited_tables
from attendance_cli.cases.audit import (
    GENESIS,
    TOMBSTONE_ACTION,
    chain_head,
    record_audit,
    verify_audit,
)
from attendance_cli.cases.notes import add_note
from attendance_cli.cli.app import app
from attendance_cli.config import document_store
from attendance_cli.errors import RefusedError, UsageError
from attendance_cli.referrals.bundle import build_referral_bundle, verify_referral_bundle
from attendance_cli.store import transaction
from tests.helpers import connect_to, is_postgres
from tests.referrals.builders import HARVEY, OFFICER, build_case
from tests.reliability.figures import record

runner = CliRunner()
TODAY = dt.date(2025, 11, 20)


def _export(conn: sqlite3.Connection, db: Path, out: Path) -> object:
    return build_referral_bundle(
        conn,  # type: ignore[arg-type]
        upn=HARVEY,
        route="prosecution",
        out=out,
        store=document_store(db),
        officer=OFFICER,
        today=TODAY,
    )


@pytest.fixture
def noted(sample_conn: sqlite3.Connection) -> tuple[sqlite3.Connection, int]:
    note = add_note(sample_conn, upn=HARVEY, text="Home visit: mother says ill", officer=OFFICER)
    add_note(sample_conn, upn=HARVEY, text="Phoned school", officer=OFFICER)
    return sample_conn, note.id


# ----------------------------------------------------------------------- the canonical form


def test_the_canonical_form_is_the_documented_text() -> None:
    values = {
        "id": 7,
        "case_id": 3,
        "text": "Visité à 9h",
        "created_at": dt.datetime(2025, 10, 1, 9, 0, 0),
        "officer": "Jo",
        "corrected_at": None,
    }
    expected = (
        '{"table":"case_note","values":{"case_id":3,"created_at":"2025-10-01T09:00:00.000000",'
        '"id":7,"officer":"Jo","text":"Visité à 9h"}}'
    )
    assert audited_tables.canonical_form("case_note", values) == expected
    assert (
        audited_tables.row_hash("case_note", values)
        == hashlib.sha256(expected.encode("utf-8")).hexdigest()
    )
    # the same instant in another zone, and a date: the same text on any database
    aware = {
        **values,
        "created_at": dt.datetime(2025, 10, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    }
    assert audited_tables.canonical_form("case_note", aware) == expected
    assert audited_tables.canonical_value(dt.date(2025, 9, 1)) == "2025-09-01"
    assert audited_tables.canonical_value(True) is True
    with pytest.raises(TypeError, match="float"):
        audited_tables.canonical_value(80.0)


def test_every_casework_model_table_is_registered() -> None:
    """Every table of the schema is either casework the log commits to, or named here as not
    casework: a table added later cannot go unaudited by default."""
    from attendance_cli.db.models import metadata

    casework = {
        "pupil_case", "lead_practitioner", "meeting", "meeting_workbook", "case_action",
        "case_note", "case_note_revision", "case_document", "penalty_notice", "letter",
        "penalty_notice_session", "penalty_payment", "penalty_request",
        "contact_correction", "legal_hold",  # rectification and legal holds (privacy/)
    }  # fmt: skip
    not_casework = {
        "school", "pupil", "enrolment", "contact", "mark_year", "mark_change",  # registers
        "import_log", "column_map",  # how registers were read
        "audit_log", "audit_detail",  # the log itself, and its entries' personal parts
        "penalty_request_document",  # a link (request, document): both ends are audited rows
        "officer", "school_allocation", "case_allocation",  # the team: who, and who has what
        # (each change audited as an entry, not court evidence; keyed by school/case, no id)
        "marks_version", "la_benchmark",  # a cache of figures counted from the registers
    }  # fmt: skip
    registered = {t.table for t in audited_tables.AUDITED_TABLES}
    assert registered == casework
    assert registered | not_casework == set(metadata.tables)
    assert not registered & not_casework


# ------------------------------------------------------------------------- edits behind att


def test_an_untouched_database_verifies_with_every_row_checked(
    noted: tuple[sqlite3.Connection, int],
) -> None:
    conn, _ = noted
    check = verify_audit(conn)
    # one case and two notes: three rows, three entries
    assert (check.ok, check.entries, check.rows_checked, check.row_problem_count) == (
        True, 3, 3, 0,
    )  # fmt: skip
    assert check.head_id == 3 and check.head == f"3:{check.head_hash}"


def test_a_note_updated_behind_atts_back_fails_verify(
    noted: tuple[sqlite3.Connection, int],
) -> None:
    conn, note_id = noted
    conn.connection.execute(
        "UPDATE case_note SET text = 'Home visit: nobody in' WHERE id = ?", (note_id,)
    )
    conn.connection.commit()
    check = verify_audit(conn)
    assert check.ok is False and check.first_broken_id is None  # the chain itself is intact
    [problem] = check.row_problems
    assert (problem.table, problem.row_id, problem.upn, problem.problem, problem.columns) == (
        "case_note", note_id, HARVEY, "changed", ["text"],
    )  # fmt: skip
    record("tamper: casework edits behind att's back found by verify", 1)

    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 8
    assert f"case_note {note_id} (pupil {HARVEY})" in result.stderr
    assert "changed behind att's back in text" in result.stderr


def test_a_changed_officer_or_date_is_named_too(noted: tuple[sqlite3.Connection, int]) -> None:
    conn, note_id = noted
    conn.connection.execute(
        "UPDATE case_note SET officer = 'Mallory', created_at = '2025-01-01 00:00:00.000000' "
        "WHERE id = ?",
        (note_id,),
    )
    [problem] = verify_audit(conn).row_problems
    assert problem.columns == ["created_at", "officer"]


def test_an_inserted_row_with_no_entry_fails(noted: tuple[sqlite3.Connection, int]) -> None:
    conn, _ = noted
    case_id = conn.connection.execute("SELECT id FROM pupil_case").fetchone()[0]
    conn.connection.execute(
        "INSERT INTO case_note (case_id, text, created_at, officer) "
        "VALUES (?, 'Parent admitted the holiday', '2025-10-02 09:00:00.000000', 'Jo')",
        (case_id,),
    )
    conn.connection.commit()
    [problem] = verify_audit(conn).row_problems
    assert (problem.table, problem.problem, problem.upn) == ("case_note", "unaudited", HARVEY)
    record("tamper: unaudited casework rows found by verify", 1)


def test_a_deleted_row_fails_unless_its_latest_entry_is_a_tombstone(
    noted: tuple[sqlite3.Connection, int],
) -> None:
    conn, note_id = noted
    conn.connection.execute("DELETE FROM case_note WHERE id = ?", (note_id,))
    conn.connection.commit()
    [problem] = verify_audit(conn).row_problems
    assert (problem.table, problem.row_id, problem.problem) == ("case_note", note_id, "deleted")
    store = conn
    with transaction(store):  # what an erasure writes (branch privacy)
        record_audit(
            store,
            officer=OFFICER,
            action=TOMBSTONE_ACTION,
            entity="note",
            entity_id=note_id,
            upn=HARVEY,
            detail={"reason": "retention period over"},
        )
    assert verify_audit(conn).ok
    entry = conn.connection.execute(
        "SELECT row_table, row_id, row_hash FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert entry == ("case_note", note_id, None)


def test_a_tombstone_for_a_row_still_there_is_refused(
    noted: tuple[sqlite3.Connection, int],
) -> None:
    conn, note_id = noted
    with pytest.raises(RuntimeError, match="still exists"):
        record_audit(
            conn, officer=OFFICER, action=TOMBSTONE_ACTION, entity="note",
            entity_id=note_id, upn=HARVEY,
        )  # fmt: skip


def test_a_row_hash_edited_in_the_log_breaks_the_chain(
    noted: tuple[sqlite3.Connection, int],
) -> None:
    """Making the log agree with an edited note means editing the entry: its hash covers the
    row hash, so the chain breaks there."""
    conn, note_id = noted
    conn.connection.execute("UPDATE case_note SET text = 'forged' WHERE id = ?", (note_id,))
    values = {
        "id": note_id,
        "case_id": conn.connection.execute(
            "SELECT case_id FROM case_note WHERE id = ?", (note_id,)
        ).fetchone()[0],
        "text": "forged",
        "created_at": dt.datetime.fromisoformat(
            conn.connection.execute(
                "SELECT created_at FROM case_note WHERE id = ?", (note_id,)
            ).fetchone()[0]
        ),
        "officer": OFFICER,
        "happened_on": dt.date.fromisoformat(
            conn.connection.execute(
                "SELECT happened_on FROM case_note WHERE id = ?", (note_id,)
            ).fetchone()[0]
        ),
    }
    conn.connection.execute(
        "UPDATE audit_log SET row_hash = ? WHERE row_table = 'case_note' AND row_id = ?",
        (audited_tables.row_hash("case_note", values), note_id),
    )
    check = verify_audit(conn)
    assert check.row_problem_count == 0  # the rows now match the (forged) entries...
    assert check.ok is False and check.first_broken_id == 2  # ...whose hashes do not


# ------------------------------------------------------------------------------- the anchor


def test_an_emptied_log_fails_against_an_anchor(noted: tuple[sqlite3.Connection, int]) -> None:
    conn, _ = noted
    anchor = str(chain_head(conn))
    conn.connection.execute("DELETE FROM audit_detail")
    conn.connection.execute("DELETE FROM audit_log")
    conn.connection.execute("DELETE FROM case_note")
    conn.connection.execute("DELETE FROM pupil_case")
    conn.connection.commit()
    check = verify_audit(conn, anchor=anchor)
    assert (check.entries, check.row_problem_count, check.anchor_found, check.ok) == (
        0, 0, False, False,
    )  # fmt: skip
    assert check.head_id is None and check.head_hash == GENESIS
    result = runner.invoke(app, ["audit", "verify", "--anchor", anchor])
    assert result.exit_code == 8 and "NOT in the chain" in result.stderr
    record("tamper: emptied or truncated logs found against an anchor", 1)


def test_an_emptied_log_fails_even_without_an_anchor_while_casework_remains(
    noted: tuple[sqlite3.Connection, int],
) -> None:
    conn, _ = noted
    conn.connection.execute("DELETE FROM audit_detail")
    conn.connection.execute("DELETE FROM audit_log")
    conn.connection.commit()
    check = verify_audit(conn)
    assert (check.ok, check.entries, check.row_problem_count) == (False, 0, 3)
    assert {p.problem for p in check.row_problems} == {"unaudited"}


def test_a_truncated_log_fails_against_an_anchor(noted: tuple[sqlite3.Connection, int]) -> None:
    conn, _ = noted
    anchor = str(chain_head(conn))
    earlier = conn.connection.execute("SELECT id, hash FROM audit_log WHERE id = 2").fetchone()
    # the last note and its entry cut off the end: the chain left is valid, rows match
    conn.connection.execute("DELETE FROM case_note WHERE id = (SELECT max(id) FROM case_note)")
    conn.connection.execute("DELETE FROM audit_detail WHERE entry_id = 3")
    conn.connection.execute("DELETE FROM audit_log WHERE id = 3")
    conn.connection.commit()
    assert verify_audit(conn).ok  # without an anchor nothing shows
    assert verify_audit(conn, anchor=anchor).anchor_found is False
    assert verify_audit(conn, anchor=f"{earlier[0]}:{earlier[1]}").ok  # an older anchor holds
    assert verify_audit(conn, anchor=f"1:{earlier[1]}").anchor_found is False  # wrong place
    record("tamper: emptied or truncated logs found against an anchor", 1)


def test_a_rebuilt_log_fails_against_an_anchor(noted: tuple[sqlite3.Connection, int]) -> None:
    """Someone edits a note and recomputes the whole chain (no secret is needed to): the log
    verifies on its own, but no longer holds the head the officer kept."""
    conn, note_id = noted
    anchor = str(chain_head(conn))
    conn.connection.execute("UPDATE case_note SET text = 'forged' WHERE id = ?", (note_id,))
    rows = conn.connection.execute(
        "SELECT id, at, officer, action, entity, entity_id, upn, detail, row_table, row_id "
        "FROM audit_log JOIN audit_detail ON entry_id = id ORDER BY id"
    ).fetchall()
    conn.connection.execute("DELETE FROM audit_detail")
    conn.connection.execute("DELETE FROM audit_log")
    conn.connection.commit()
    store = conn
    with transaction(store):
        for r in rows:
            record_audit(
                store, officer=r[2], action=r[3], entity=r[4], entity_id=r[5], upn=r[6],
                detail=json.loads(r[7]), row=(r[8], r[9]),
            )  # fmt: skip
    assert verify_audit(conn).ok
    assert verify_audit(conn, anchor=anchor).ok is False
    record("tamper: rebuilt logs found against an anchor", 1)


@pytest.mark.parametrize(
    "text",
    ["abc", "12:" + "g" * 64, "x:" + "a" * 64, "a" * 63],
    ids=["short", "not-hex", "bad-id", "63"],
)
def test_a_malformed_anchor_is_a_usage_error(sample_conn: sqlite3.Connection, text: str) -> None:
    with pytest.raises(UsageError):
        verify_audit(sample_conn, anchor=text)
    assert runner.invoke(app, ["audit", "verify", "--anchor", text]).exit_code == 2


# ------------------------------------------------------------------ export and bundle verify


def test_export_refuses_and_bundle_verify_fails_after_an_edit(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    build_case(sample_conn, sample_db, tmp_path)
    note = add_note(sample_conn, upn=HARVEY, text="Mother: he was ill", officer=OFFICER)
    head = str(chain_head(sample_conn))
    out = tmp_path / "bundle.zip"
    _export(sample_conn, sample_db, out)
    import zipfile

    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("manifest.json"))["audit_head"] == head
    assert verify_referral_bundle(out, conn=sample_conn).ok  # type: ignore[arg-type]

    sample_conn.connection.execute(
        "UPDATE case_note SET text = 'Mother: no excuse' WHERE id = ?", (note.id,)
    )
    sample_conn.connection.commit()
    found = verify_referral_bundle(out, conn=sample_conn)  # type: ignore[arg-type]
    assert found.ok is False
    assert found.casework_problems and "case_note" in found.casework_problems[0]
    with pytest.raises(RefusedError, match="casework differs from the audit log"):
        _export(sample_conn, sample_db, tmp_path / "again.zip")
    assert not (tmp_path / "again.zip").exists()
    result = runner.invoke(app, ["referral", "verify", str(out)])
    assert result.exit_code == 8 and "case_note" in result.stderr


def test_bundle_verify_fails_when_the_stamped_head_left_the_chain(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    build_case(sample_conn, sample_db, tmp_path)
    out = tmp_path / "bundle.zip"
    _export(sample_conn, sample_db, out)
    # the log rebuilt from scratch: every entry re-recorded, so the rows still match
    rows = sample_conn.connection.execute(
        "SELECT officer, action, entity, entity_id, upn, detail, row_table, row_id "
        "FROM audit_log JOIN audit_detail ON entry_id = id ORDER BY id"
    ).fetchall()
    sample_conn.connection.execute("DELETE FROM audit_detail")
    sample_conn.connection.execute("DELETE FROM audit_log")
    sample_conn.connection.commit()
    store = sample_conn
    with transaction(store):
        for r in rows:
            record_audit(
                store, officer=r[0], action=r[1], entity=r[2], entity_id=r[3], upn=r[4],
                detail=json.loads(r[5]), row=(r[6], r[7]) if r[6] else None,
            )  # fmt: skip
    found = verify_referral_bundle(out, conn=sample_conn)  # type: ignore[arg-type]
    assert found.ok is False
    assert any("no longer in the chain" in p for p in found.casework_problems)


# -------------------------------------------------------------------------------- backups


def test_backup_restore_and_info_show_the_chain_head(
    noted: tuple[sqlite3.Connection, int], sample_db: Path, tmp_path: Path
) -> None:
    conn, _ = noted
    head = str(chain_head(conn))
    backup = tmp_path / "b.sqlite"
    made = runner.invoke(app, ["db", "backup", str(backup)])
    assert made.exit_code == 0 and f"Audit chain head in the backup: {head}" in made.stdout
    add_note(conn, upn=HARVEY, text="later", officer=OFFICER)
    info = json.loads(runner.invoke(app, ["db", "info", "--format", "json"]).stdout)
    assert info["audit_head"] == str(chain_head(conn)) != head
    if is_postgres(sample_db):  # a server's restore is pg_restore's (tests/postgres/test_engine)
        return
    restored = runner.invoke(app, ["db", "restore", str(backup)])
    assert restored.exit_code == 0 and f"Audit chain head restored: {head}" in restored.stdout


def test_every_att_write_leaves_the_casework_verifying(sample_db: Path, tmp_path: Path) -> None:
    """Each command that writes casework commits the rows it changed: after all of them verify
    checks every row and finds none differing (a write without its entry would be unaudited,
    a change after its entry would differ)."""

    def ok(*args: str) -> dict[str, object]:
        result = runner.invoke(app, [*args, "--format", "json"])
        assert result.exit_code == 0, (args, result.output)
        return json.loads(result.stdout) if result.stdout.strip() else {}

    (tmp_path / "m.txt").write_text("minutes")
    action = ok("case", "add-action", HARVEY, "--kind", "home visit", "--action", "x")
    ok("case", "complete-action", str(action["id"]), "--outcome", "done")
    ok("case", "set-lead", HARVEY, "--name", "A", "--agency", "school")
    note = ok("case", "note", HARVEY, "n")
    ok("case", "note", "correct", str(note["id"]), "--text", "n2")
    document = ok("case", "attach", HARVEY, str(tmp_path / "m.txt"), "--kind", "minutes")
    ok("case", "document", "withdraw", str(document["id"]), "--reason", "wrong")
    ok("case", "close", HARVEY, "--outcome", "o")
    ok("case", "reopen", HARVEY)
    ok("tsm", "record", "--school", "8994001", "--date", dt.date.today().isoformat())
    # Harvey's unauthorised sessions 15-22 Oct 2025 meet the threshold (10 in 10 school weeks):
    # the notice is for those 10 sessions
    notice = ok("penalty", "add", HARVEY, "--parent", "Claire Marsden", "--issued", "2025-11-10")
    ok("penalty", "update", str(notice["id"]), "--paid", "2025-11-20")
    conn = connect_to(sample_db)
    rows = sum(
        conn.execute(f"SELECT count(*) FROM {t.table}").fetchone()[0]
        for t in audited_tables.AUDITED_TABLES
    )
    conn.close()
    check = json.loads(runner.invoke(app, ["audit", "verify", "--format", "json"]).stdout)
    assert (check["ok"], check["rows_checked"], check["row_problem_count"]) == (True, rows, 0)
    # a case, 2 actions (the visit and the notice's), a lead, a note and its revision, a
    # document, a meeting, a notice, the notice's 10 sessions and its payment, the notice's
    # filed copy (a case document and its letter row)
    assert rows == 22
