"""Subject access: every record type is in a child's report, no third party is, and the
release writes private files and audits itself."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from attendance_cli.config import document_store
from attendance_cli.errors import InvalidInputError
from attendance_cli.files import OutputExistsError
from attendance_cli.privacy.access import (
    ANOTHER_CHILD,
    SECTIONS,
    child_access,
    parent_access,
    release_report,
)
from attendance_cli.store import Store
from tests.privacy.builders import HARVEY, ISLA, KIERAN

LETTER_BYTES = b"%PDF-1.4\n% a letter to Claire Marsden\n"
THIRD_PARTIES = ("Isla", "Kieran", "Doyle", "Dawn", ISLA, KIERAN, "Mill Lane", "own note")


def _json(report: object) -> str:
    return json.dumps(report.as_json(), ensure_ascii=False)  # type: ignore[attr-defined]


def test_child_report_holds_every_record_type(
    store: Store, db_path: Path, family: dict[str, int]
) -> None:
    report = child_access(store, upn=HARVEY, documents=document_store(db_path), officer="SAR")
    records = report.records
    assert set(records) == set(SECTIONS)
    empty = {name for name, rows in records.items() if not rows}
    assert empty == {"children"}  # a parent's section only
    assert report.other == {}
    assert [r["upn"] for r in records["pupil"]] == [HARVEY]
    assert [(e["laestab"], e["school_name"]) for e in records["enrolments"]] == [
        ("8992001", "Castle Hill School")
    ]
    # 2018/19: Mon 4 Mar 2019 present twice; 2025/26: Mon 8 Sep present twice, Tue 9 Sep O O
    figures = {a["academic_year"]: a for a in records["attendance"]}
    assert (figures[2018]["possible"], figures[2018]["attended"]) == (2, 2)
    assert (figures[2025]["possible"], figures[2025]["attended"]) == (4, 2)
    assert figures[2025]["unauthorised"] == 2
    assert figures[2025]["attendance_pct"] == 50.0
    sessions = {m["academic_year"]: m["sessions"] for m in records["marks"]}
    assert [(s["date"], s["session"], s["code"]) for s in sessions[2018]] == [
        ("2019-03-04", "AM", "/"),
        ("2019-03-04", "PM", "\\"),
    ]
    assert [s["code"] for s in sessions[2025]] == ["/", "\\", "O", "O"]
    assert [(c["old_mark"], c["new_mark"], c["date"]) for c in records["mark_changes"]] == [
        ("I", "O", "2025-09-09")
    ]
    assert sorted(c["name"] for c in records["contacts"]) == ["Claire Marsden", "Paul Marsden"]
    assert [c["id"] for c in records["cases"]] == [family["case"]]
    assert [a["id"] for a in records["actions"]] == [family["action"]]
    assert [lead["name"] for lead in records["leads"]] == ["Mrs Patel"]
    assert [n["id"] for n in records["notes"]] == [family["note"]]
    assert [(m["id"], m["date"]) for m in records["meetings"]] == [
        (family["meeting"], "2025-09-18")
    ]
    [document] = records["documents"]
    assert document["sha256"] == hashlib.sha256(LETTER_BYTES).hexdigest()
    assert document["stored"] is True
    assert [p["parent_name"] for p in records["penalty_notices"]] == ["Claire Marsden"]
    assert [letter["id"] for letter in records["letters"]] == [family["letter"]]
    actions = {e["action"] for e in records["audit_entries"]}
    assert {"open_case", "set_lead", "add_action", "add_note", "attach_document"} <= actions


def test_child_report_names_no_third_party(
    store: Store, db_path: Path, family: dict[str, int]
) -> None:
    report = child_access(store, upn=HARVEY, documents=document_store(db_path), officer="SAR")
    text = _json(report)
    for name in THIRD_PARTIES:
        assert name not in text, name
    [note] = report.records["notes"]
    # Isla Marsden (sibling) and K. Doyle (another child) redacted; the child and parent kept
    assert note["text"] == (
        f"Spoke to Paul Marsden; {ANOTHER_CHILD} and her friend {ANOTHER_CHILD} were off too. "
        "Harvey upset."
    )
    [document] = report.records["documents"]
    assert document["file_name"] == f"{ANOTHER_CHILD}_and_Harvey_letter.pdf"
    assert report.redactions >= 4


def test_a_parent_asking_for_the_child_sees_no_other_parent(
    store: Store, db_path: Path, family: dict[str, int]
) -> None:
    report = child_access(
        store,
        upn=HARVEY,
        documents=document_store(db_path),
        officer="SAR",
        requester="Mrs Claire Marsden",
    )
    text = _json(report)
    for name in (*THIRD_PARTIES, "Paul"):
        assert name not in text, name
    paul = next(c for c in report.records["contacts"] if c["id"] == family["harvey:Paul Marsden"])
    assert paul["relationship"] == "Father"
    assert paul["name"].startswith("[withheld") and paul["phone"].startswith("[withheld")
    assert "[another parent]" in report.records["notes"][0]["text"]
    assert report.subject["requester"]["contact_id"] == family["harvey:Claire Marsden"]


def test_parent_report(store: Store, db_path: Path, family: dict[str, int]) -> None:
    report = parent_access(
        store, parent="claire  MARSDEN", documents=document_store(db_path), officer="SAR"
    )
    records = report.records
    assert report.subject["contact_ids"] == [
        family["harvey:Claire Marsden"],
        family["isla:Claire Marsden"],
    ]
    assert [c["upn"] for c in records["children"]] == [HARVEY, ISLA]
    assert [p["id"] for p in records["penalty_notices"]] == [family["notice"]]
    assert [letter["id"] for letter in records["letters"]] == [family["letter"]]
    assert [d["id"] for d in records["documents"]] == [family["document"]]
    assert records["notes"] == []  # the note names Paul, not Claire
    assert records["pupil"] == [] and records["marks"] == []
    text = _json(report)
    for name in ("Paul", "Kieran", "Doyle", "Dawn", "Mill Lane"):
        assert name not in text, name


def test_a_parent_name_at_two_addresses_needs_the_contact_id(
    store: Store, conn: object, db_path: Path, family: dict[str, int]
) -> None:
    store.connection.execute(
        "INSERT INTO contact (pupil_id, priority, name, address) "
        "VALUES (?, 2, 'Claire Marsden', '9 Other Road')",
        (family["kieran"],),
    )
    with pytest.raises(InvalidInputError, match="different addresses"):
        parent_access(
            store, parent="Claire Marsden", documents=document_store(db_path), officer="x"
        )
    report = parent_access(
        store,
        parent=str(family["harvey:Claire Marsden"]),
        documents=document_store(db_path),
        officer="x",
    )
    assert report.subject["contact_ids"] == [family["harvey:Claire Marsden"]]


def _audit_count(store: Store) -> int:
    return int(store.connection.execute("SELECT count(*) FROM audit_log").fetchone()[0])


def test_release_writes_private_files_and_audits_the_disclosure(
    store: Store, db_path: Path, tmp_path: Path, family: dict[str, int]
) -> None:
    out = tmp_path / "sar"
    report = child_access(store, upn=HARVEY, documents=document_store(db_path), officer="SAR")
    before = _audit_count(store)
    files = release_report(store, report, out=out, with_documents=True)
    assert files.json is not None and files.pdf is not None
    written = json.loads(files.json.read_text(encoding="utf-8"))
    assert written == json.loads(_json(report))
    assert files.pdf.read_bytes().startswith(b"%PDF")
    [copy] = files.documents
    assert copy.name == f"DOC{family['document']}.pdf"
    assert copy.read_bytes() == LETTER_BYTES
    for path in (files.json, files.pdf, copy):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in out.rglob("*") if "att-partial" in p.name]
    assert _audit_count(store) == before + 1
    entry = store.connection.execute(
        "SELECT action, entity, entity_id, upn, detail FROM audit_log JOIN audit_detail "
        "ON entry_id = id ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert entry[:4] == ("subject_access", "pupil", family["harvey"], HARVEY)
    detail = json.loads(entry[4])
    assert detail["json_sha256"] == hashlib.sha256(files.json.read_bytes()).hexdigest()
    assert detail["pdf_sha256"] == hashlib.sha256(files.pdf.read_bytes()).hexdigest()
    assert detail["released"]["notes"] == 1 and detail["documents_copied"] == 1
    assert "Marsden" not in entry[4] and "Harvey" not in entry[4]

    # never over the earlier files without force: nothing written, nothing audited
    with pytest.raises(OutputExistsError):
        release_report(store, report, out=out, with_documents=True)
    assert _audit_count(store) == before + 1
    assert written == json.loads(files.json.read_text(encoding="utf-8"))
    again = release_report(store, report, out=out, force=True)
    assert again.json == files.json and _audit_count(store) == before + 2
    assert not [p for p in os.listdir(out) if "att-partial" in p]


def test_another_child_written_joined_or_with_invisible_characters(
    store: Store, db_path: Path, family: dict[str, int]
) -> None:
    from attendance_cli.cases import notes
    from attendance_cli.privacy.erase import ErasureTarget, erase_records

    # the builder's note names "K. Doyle"; without it, Doyle is written only joined below
    erase_records(
        store,
        targets=[ErasureTarget("case_note", family["note"])],
        reason="request",
        officer="x",
        documents=document_store(db_path),
    )
    notes.add_note(
        store, upn=HARVEY, text="Seen with KieranDoyle and Doyle,\u200bKieran.", officer="x"
    )
    report = child_access(store, upn=HARVEY, documents=document_store(db_path), officer="SAR")
    [note] = report.records["notes"]
    assert note["text"] == f"Seen with {ANOTHER_CHILD} and {ANOTHER_CHILD}."


def test_a_parent_report_lists_their_earlier_disclosures(
    store: Store, db_path: Path, family: dict[str, int]
) -> None:
    first = parent_access(
        store, parent="Claire Marsden", documents=document_store(db_path), officer="x"
    )
    release_report(store, first, out=None)
    again = parent_access(
        store, parent="Claire Marsden", documents=document_store(db_path), officer="x"
    )
    # the document filed as her letter was attached (its entry), then her report was made
    assert [e["action"] for e in again.records["audit_entries"]] == [
        "attach_document",
        "subject_access",
    ]
    assert [e["action"] for e in first.records["audit_entries"]] == ["attach_document"]
