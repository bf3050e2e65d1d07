"""Attachments are stored under their real hash, repaired by attaching again and can be
withdrawn (issue 13.4); a note is corrected with its original kept (UK GDPR art. 16)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from attendance_cli.cases import documents
from attendance_cli.cases.audit import list_audit, verify_audit
from attendance_cli.cases.chronology import case_view
from attendance_cli.cases.notes import add_note, correct_note
from attendance_cli.cli.app import app
from attendance_cli.config import document_store
from attendance_cli.errors import InvalidInputError, NotFoundError, RefusedError
from attendance_cli.referrals.bundle import build_referral_bundle
from tests.referrals.builders import HARVEY, OFFICER, build_case

runner = CliRunner()
TODAY = dt.date(2025, 11, 20)
ORIGINAL = b"%PDF-1.4\n% minutes of the meeting, as signed\n"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _export(conn: sqlite3.Connection, db: Path, out: Path) -> Any:
    return build_referral_bundle(
        conn,  # type: ignore[arg-type]
        upn=HARVEY,
        route="prosecution",
        out=out,
        store=document_store(db),
        officer=OFFICER,
        today=TODAY,
    )


def _attach(conn: sqlite3.Connection, db: Path, file: Path) -> documents.DocumentRecord:
    return documents.attach_document(
        conn,
        upn=HARVEY,
        file=file,
        kind="minutes",
        store=document_store(db),
        officer=OFFICER,
        document_date=dt.date(2025, 10, 3),
    )


# ------------------------------------------------------------------------------ one read


def test_a_file_changing_while_attached_is_stored_under_its_real_hash(
    sample_conn: sqlite3.Connection,
    sample_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The file is rewritten the moment its hash has been computed (a program still saving
    it): what is stored must be the bytes that were hashed."""
    source = tmp_path / "minutes.pdf"
    source.write_bytes(ORIGINAL)
    real_sha256 = hashlib.sha256

    class SavingMeanwhile:
        def __init__(self) -> None:
            self.inner = real_sha256()

        def update(self, data: bytes) -> None:
            self.inner.update(data)

        def hexdigest(self) -> str:
            source.write_bytes(b"%PDF-1.4\n% a later, different draft of the minutes\n")
            return self.inner.hexdigest()

    calls = iter([SavingMeanwhile()])
    monkeypatch.setattr(
        documents.hashlib, "sha256", lambda *a: next(calls, None) or real_sha256(*a)
    )
    record = _attach(sample_conn, sample_db, source)
    stored = Path(record.stored_path).read_bytes()
    assert record.sha256 == _sha(ORIGINAL) == _sha(stored)
    assert record.bytes == len(ORIGINAL)
    assert not [p for p in document_store(sample_db).iterdir() if p.name.endswith(".partial")]


# ---------------------------------------------------------------------------- repairing


def test_attaching_the_original_again_repairs_a_damaged_copy(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    build_case(sample_conn, sample_db, tmp_path)
    source = tmp_path / "minutes.pdf"
    source.write_bytes(ORIGINAL)
    first = _attach(sample_conn, sample_db, source)
    stored = Path(first.stored_path)
    stored.write_bytes(b"damaged on disk")
    with pytest.raises(RefusedError, match="has changed since it was attached"):
        _export(sample_conn, sample_db, tmp_path / "a.zip")
    count = sample_conn.connection.execute("SELECT count(*) FROM case_document").fetchone()[0]

    again = _attach(sample_conn, sample_db, source)
    assert (again.id, again.repaired) == (first.id, True)  # the same document, repaired
    assert stored.read_bytes() == ORIGINAL
    assert (
        sample_conn.connection.execute("SELECT count(*) FROM case_document").fetchone()[0] == count
    )
    [repair] = [e for e in list_audit(sample_conn) if e.action == "repair_document"]
    assert (repair.entity_id, repair.upn, repair.detail["sha256"]) == (
        first.id, HARVEY, _sha(ORIGINAL),
    )  # fmt: skip
    assert verify_audit(sample_conn).ok
    _export(sample_conn, sample_db, tmp_path / "b.zip")  # no longer refused


def test_an_intact_copy_is_not_rewritten_or_repaired(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    source = tmp_path / "minutes.pdf"
    source.write_bytes(ORIGINAL)
    first = _attach(sample_conn, sample_db, source)
    inode = Path(first.stored_path).stat().st_ino
    second = _attach(sample_conn, sample_db, source)
    assert second.repaired is False and second.id != first.id
    assert Path(first.stored_path).stat().st_ino == inode
    assert not [e for e in list_audit(sample_conn) if e.action == "repair_document"]


# ---------------------------------------------------------------------------- withdrawing


def test_a_withdrawn_document_is_kept_but_left_out_of_new_bundles(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    build_case(sample_conn, sample_db, tmp_path)
    source = tmp_path / "minutes.pdf"
    source.write_bytes(ORIGINAL)
    bad = _attach(sample_conn, sample_db, source)
    source.unlink()  # the original is lost: the copy cannot be repaired
    Path(bad.stored_path).write_bytes(b"damaged")
    with pytest.raises(RefusedError):
        _export(sample_conn, sample_db, tmp_path / "a.zip")

    withdrawn = documents.withdraw_document(
        sample_conn,
        document_id=bad.id,
        reason="Stored copy damaged, original lost",
        officer=OFFICER,
        store=document_store(sample_db),
    )
    assert withdrawn.withdrawn_reason == "Stored copy damaged, original lost"
    assert withdrawn.withdrawn_at is not None
    out = tmp_path / "b.zip"
    _export(sample_conn, sample_db, out)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
    assert not [n for n in names if n.startswith(f"attachments/{bad.id}-")]
    assert bad.id not in [x["document_id"] for x in manifest["exhibits"]]
    view = case_view(sample_conn, upn=HARVEY)
    assert [d.id for d in view.documents if d.withdrawn_at] == [bad.id]  # still listed
    [entry] = [e for e in view.chronology if e.type == "document" and e.ref == bad.id]
    assert "[withdrawn" in entry.summary and "original lost" in entry.summary
    [audit] = [e for e in list_audit(sample_conn) if e.action == "withdraw_document"]
    assert (audit.entity_id, audit.detail["reason"]) == (
        bad.id,
        "Stored copy damaged, original lost",
    )
    assert verify_audit(sample_conn).ok
    with pytest.raises(RefusedError, match="already withdrawn"):
        documents.withdraw_document(
            sample_conn, document_id=bad.id, reason="again", officer=OFFICER, store=tmp_path
        )


def test_withdraw_from_the_command_line(sample_db: Path, tmp_path: Path) -> None:
    source = tmp_path / "m.txt"
    source.write_text("minutes")
    attached = runner.invoke(
        app, ["case", "attach", HARVEY, str(source), "--kind", "minutes", "--format", "json"]
    )
    document_id = json.loads(attached.stdout)["id"]
    assert runner.invoke(app, ["case", "document", "withdraw", str(document_id)]).exit_code == 2
    done = runner.invoke(
        app,
        ["case", "document", "withdraw", str(document_id), "--reason", "wrong pupil",
         "--format", "json"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["withdrawn_reason"] == "wrong pupil"
    listed = json.loads(
        runner.invoke(app, ["case", "documents", HARVEY, "--format", "json"]).stdout
    )
    assert [d["withdrawn_reason"] for d in listed] == ["wrong pupil"]
    missing = runner.invoke(app, ["case", "document", "withdraw", "999", "--reason", "x"])
    assert missing.exit_code == 4


# --------------------------------------------------------------------------- rectification


def test_a_corrected_note_keeps_its_original(sample_conn: sqlite3.Connection) -> None:
    note = add_note(sample_conn, upn=HARVEY, text="Mum reports anxiety about maths", officer="Jo")
    fixed = correct_note(
        sample_conn,
        note_id=note.id,
        text="Mum reports anxiety about science",
        reason="misheard",
        officer="Sam",
    )
    assert fixed.note.text == "Mum reports anxiety about science" and fixed.note.corrected_at
    assert fixed.old_sha256 == _sha(b"Mum reports anxiety about maths")
    assert fixed.new_sha256 == _sha(b"Mum reports anxiety about science")
    assert sample_conn.connection.execute(
        "SELECT note_id, text, reason, officer FROM case_note_revision WHERE id = ?",
        (fixed.revision_id,),
    ).fetchone() == (note.id, "Mum reports anxiety about maths", "misheard", "Sam")
    entries = list_audit(sample_conn, upn=HARVEY)
    assert [e.action for e in entries][-2:] == ["keep_note_revision", "correct_note"]
    assert entries[-1].detail == {
        "old_sha256": fixed.old_sha256,
        "new_sha256": fixed.new_sha256,
        "revision_id": fixed.revision_id,
        "reason": "misheard",
    }
    assert verify_audit(sample_conn).ok  # both rows changed, both audited
    [shown] = [e for e in case_view(sample_conn, upn=HARVEY).chronology if e.type == "note"]
    assert shown.summary.startswith("Mum reports anxiety about science [corrected ")
    with pytest.raises(RefusedError, match="already says"):
        correct_note(sample_conn, note_id=note.id, text=fixed.note.text, officer="Sam")
    with pytest.raises(InvalidInputError):
        correct_note(sample_conn, note_id=note.id, text="  ", officer="Sam")
    with pytest.raises(NotFoundError):
        correct_note(sample_conn, note_id=999, text="x", officer="Sam")


def test_correct_from_the_command_line(sample_db: Path) -> None:
    made = runner.invoke(app, ["case", "note", HARVEY, "Saw Dad", "--format", "json"])
    note_id = json.loads(made.stdout)["id"]
    fixed = runner.invoke(
        app, ["case", "note", "correct", str(note_id), "--text", "Saw Mum", "--format", "json"]
    )
    assert fixed.exit_code == 0, fixed.output
    data = json.loads(fixed.stdout)
    assert (data["id"], data["text"], data["old_sha256"]) == (note_id, "Saw Mum", _sha(b"Saw Dad"))
    assert runner.invoke(app, ["case", "note", "correct", str(note_id)]).exit_code == 2
    assert runner.invoke(app, ["case", "note", "correct", "x1", "--text", "a"]).exit_code == 2
    assert runner.invoke(app, ["case", "note", HARVEY, "text", "--text", "a"]).exit_code == 2
    shown = json.loads(runner.invoke(app, ["case", "show", HARVEY, "--format", "json"]).stdout)
    assert shown["notes"][0]["corrected_at"] is not None
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0


def test_a_withdrawn_warning_letter_is_no_longer_evidence(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    from attendance_cli.referrals.check import check_referral

    ids = build_case(sample_conn, sample_db, tmp_path)
    assert check_referral(sample_conn, upn=HARVEY, route="prosecution", today=TODAY).ready
    documents.withdraw_document(
        sample_conn,
        document_id=ids["letter:Paul Marsden"],
        reason="sent to the wrong address",
        officer=OFFICER,
        store=document_store(sample_db),
    )
    check = check_referral(sample_conn, upn=HARVEY, route="prosecution", today=TODAY)
    [letters] = [i for i in check.items if i.id == "warning_letters"]
    assert not check.ready and "Paul Marsden: no warning letter" in letters.detail
