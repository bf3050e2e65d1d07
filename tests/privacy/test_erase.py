"""Erasure: everything of the record goes, in one transaction, each row leaves a tombstone
without personal data, the chain still verifies, and document files go after the commit."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from attendance_cli.cases import documents
from attendance_cli.cases.audit import verify_audit
from attendance_cli.config import document_store
from attendance_cli.errors import NotFoundError, UsageError
from attendance_cli.privacy import erase as erasure
from attendance_cli.privacy.erase import (
    ErasureTarget,
    erase_records,
    parse_target,
    past_retention_targets,
)
from attendance_cli.privacy.retention import RetentionPeriods
from attendance_cli.store import Store
from attendance_cli.store import privacy as stored
from tests.privacy.builders import HARVEY, ISLA

PUPIL_TABLES = (
    "pupil", "enrolment", "contact", "mark_year", "mark_change", "pupil_case",
    "case_action", "lead_practitioner", "case_note", "case_document", "penalty_notice", "letter",
)  # fmt: skip


def _counts(store: Store) -> dict[str, int]:
    return {
        t: store.connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in (*PUPIL_TABLES, "audit_log", "school", "meeting", "import_log")
    }


def _harvey_rows(store: Store, pupil_id: int) -> int:
    return stored.pupil_rows(store, pupil_id).count()


def _erase(store: Store, db_path: Path, *targets: ErasureTarget, reason: str = "request"):
    return erase_records(
        store,
        targets=list(targets),
        reason=reason,
        officer="DPO",
        documents=document_store(db_path),
    )


def test_erasing_a_pupil_removes_everything_and_leaves_tombstones(
    store: Store, db_path: Path, family: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_remove = erasure._remove_file
    removed_in_transaction: list[bool] = []

    def spy(*args: object) -> object:
        removed_in_transaction.append(store.in_transaction)
        return real_remove(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(erasure, "_remove_file", spy)
    before = _counts(store)
    held = stored.pupil_rows(store, family["harvey"])
    # every kind of row the builder made for Harvey, once each (2 contacts, 2 years of marks)
    expected = {
        "pupil": 1, "enrolment": 1, "contact": 2, "mark_year": 2, "mark_change": 1,
        "pupil_case": 1, "case_action": 1, "lead_practitioner": 1, "case_note": 1,
        "case_document": 1, "penalty_notice": 1, "letter": 1,
    }  # fmt: skip
    assert {t: len(rows) for t, rows in held.rows.items()} == expected
    file = document_store(db_path) / held.of("case_document")[0].values["sha256"]
    assert file.is_file()

    result = _erase(store, db_path, ErasureTarget("pupil", family["harvey"]))

    assert result.rows == expected and result.tombstones == 14 and result.files_removed == 1
    assert not file.exists()
    assert removed_in_transaction == [False]  # files go only after the commit
    after = _counts(store)
    for table, count in expected.items():
        assert after[table] == before[table] - count, table
    assert after["audit_log"] == before["audit_log"] + 14 + 1  # and the erase_detail entry
    # context is kept: schools, the meeting, the import
    assert (after["school"], after["meeting"], after["import_log"]) == (2, 1, 1)
    # Isla and Kieran untouched
    assert _harvey_rows(store, family["isla"]) == before_isla(family)
    tombstones = store.connection.execute(
        "SELECT entity, entity_id, upn, detail FROM audit_log JOIN audit_detail ON entry_id = id WHERE action = 'erase'"
    ).fetchall()
    by_entity = {}
    for entity, entity_id, upn, detail in tombstones:
        assert upn is None
        for word in ("Marsden", "Harvey", "Claire", HARVEY, "Barley", "Spoke"):
            assert word not in detail
        assert json.loads(detail)["reason"] == "request"
        by_entity.setdefault(entity, []).append(entity_id)
    assert sorted(by_entity) == sorted(expected)
    assert by_entity["case_note"] == [family["note"]]
    assert sorted(by_entity["contact"]) == [
        family["harvey:Claire Marsden"],
        family["harvey:Paul Marsden"],
    ]
    assert by_entity["mark_year"] == [family["harvey_enrolment"]] * 2
    assert verify_audit(store).ok


def before_isla(family: dict[str, int]) -> int:
    # Isla: pupil, enrolment, 2 contacts, her case and its note
    return 6


def test_a_document_file_shared_with_another_child_stays(
    store: Store, db_path: Path, tmp_path: Path, family: dict[str, int]
) -> None:
    letter = tmp_path / "same-bytes.pdf"
    letter.write_bytes(b"%PDF-1.4\n% a letter to Claire Marsden\n")
    documents.attach_document(
        store, upn=ISLA, file=letter, kind="letter", store=document_store(db_path), officer="x"
    )
    result = _erase(store, db_path, ErasureTarget("pupil", family["harvey"]))
    assert result.files_removed == 0
    sha256 = store.connection.execute("SELECT sha256 FROM case_document").fetchone()[0]
    assert (document_store(db_path) / sha256).is_file()


def test_erasing_one_row_and_one_year_of_marks(
    store: Store, db_path: Path, family: dict[str, int]
) -> None:
    result = _erase(
        store,
        db_path,
        parse_target(f"case_note:{family['note']}"),
        parse_target(f"mark_year:{family['harvey_enrolment']}:2018"),
    )
    assert result.rows == {"case_note": 1, "mark_year": 1}
    years = store.connection.execute("SELECT academic_year FROM mark_year").fetchall()
    assert years == [(2025,)]
    # the 2025/26 mark change stays with its year
    assert store.connection.execute("SELECT count(*) FROM mark_change").fetchone()[0] == 1
    assert _harvey_rows(store, family["harvey"]) == 14 - 2


def test_a_year_of_marks_takes_its_mark_changes(
    store: Store, db_path: Path, family: dict[str, int]
) -> None:
    result = _erase(store, db_path, ErasureTarget("mark_year", family["harvey_enrolment"], 2025))
    assert result.rows == {"mark_year": 1, "mark_change": 1}


def test_bad_and_missing_targets(store: Store, db_path: Path, family: dict[str, int]) -> None:
    for text in (
        "audit_log:1",
        "school:1",
        "case_note",
        "case_note:x",
        "mark_year:1",
        "case_note:0",
    ):
        with pytest.raises(UsageError):
            parse_target(text)
    before = _counts(store)
    with pytest.raises(NotFoundError):
        _erase(
            store,
            db_path,
            ErasureTarget("case_note", family["note"]),
            ErasureTarget("case_note", 999),
        )
    assert _counts(store) == before


def test_a_failure_before_the_commit_erases_nothing(
    store: Store, db_path: Path, family: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _counts(store)
    files = sorted(p.name for p in document_store(db_path).iterdir())
    real = stored.documents_still_used
    reached: list[int] = []

    def last_step_then_die(*args: object, **kwargs: object) -> object:
        if not args[1]:  # finish_erasures, before the erasure starts
            return real(*args, **kwargs)  # type: ignore[arg-type]
        # every row deleted and every tombstone written, the last read before the commit: killed
        reached.append(
            store.connection.execute(
                "SELECT count(*) FROM audit_log JOIN audit_detail ON entry_id = id WHERE action = 'erase'"
            ).fetchone()[0]
        )
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(stored, "documents_still_used", last_step_then_die)
    with pytest.raises(KeyboardInterrupt):
        _erase(store, db_path, ErasureTarget("pupil", family["harvey"]))
    assert reached == [14]
    assert _counts(store) == before
    assert sorted(p.name for p in document_store(db_path).iterdir()) == files


def test_files_left_by_a_kill_after_the_commit_go_next_time(
    store: Store, db_path: Path, family: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def killed(*args: object) -> object:
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:  # not undo(): that also undoes the test's env
        patched.setattr(erasure, "_remove_file", killed)
        with pytest.raises(KeyboardInterrupt):
            _erase(store, db_path, ErasureTarget("pupil", family["harvey"]))
    assert stored.pupil_rows(store, family["harvey"]).count() == 0  # committed
    assert len(list(document_store(db_path).iterdir())) == 1  # the file no row names
    result = _erase(store, db_path, ErasureTarget("pupil", family["kieran"]))
    assert result.leftovers_removed == 1
    assert list(document_store(db_path).iterdir()) == []


def test_erasing_everything_past_retention(
    store: Store, db_path: Path, family: dict[str, int]
) -> None:
    targets = past_retention_targets(store, periods=RetentionPeriods(), today=dt.date(2025, 8, 1))
    assert targets == [ErasureTarget("mark_year", family["harvey_enrolment"], 2018)]
    result = erase_records(
        store,
        targets=lambda s: past_retention_targets(
            s, periods=RetentionPeriods(), today=dt.date(2025, 8, 1)
        ),
        reason=erasure.REASON_RETENTION,
        officer="DPO",
        documents=document_store(db_path),
    )
    assert result.rows == {"mark_year": 1}
    detail = store.connection.execute(
        "SELECT detail FROM audit_log JOIN audit_detail ON entry_id = id WHERE action = 'erase'"
    ).fetchone()[0]
    assert json.loads(detail) == {
        "academic_year": 2018,
        "erased_with": f"mark_year:{family['harvey_enrolment']}:2018",
        "reason": "past retention",
    }


def test_several_pupils_at_once_each_row_under_its_own_pupil(
    store: Store, db_path: Path, family: dict[str, int]
) -> None:
    result = _erase(
        store,
        db_path,
        ErasureTarget("pupil", family["isla"]),
        ErasureTarget("pupil", family["kieran"]),
    )
    # Isla: pupil, enrolment, 2 contacts, case, note; Kieran: pupil, enrolment, 1 contact
    assert result.total == 9
    rows = store.connection.execute(
        "SELECT entity, entity_id, detail FROM audit_log JOIN audit_detail ON entry_id = id WHERE action = 'erase'"
    ).fetchall()
    under = {
        (entity, entity_id): json.loads(detail)["erased_with"] for entity, entity_id, detail in rows
    }
    assert under[("case_note", family["isla_note"])] == f"pupil:{family['isla']}"
    assert under[("contact", family["kieran:Dawn Doyle"])] == f"pupil:{family['kieran']}"
    assert _harvey_rows(store, family["harvey"]) == 14
