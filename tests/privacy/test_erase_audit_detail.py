"""Erasure reaches the audit log (chain version 2): after a pupil is erased, neither the database
file (SQLite: the file and its write-ahead log, free pages included) nor any text column
(either engine) holds the pupil's UPN, name or the texts of the entries about them; the chain,
every anchor and the casework still verify; what is left in the log says "[erased]"."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from attendance_cli.cases.audit import (
    ERASE_DETAIL_ACTION,
    ERASED,
    chain_head,
    list_audit,
    record_audit,
    verify_audit,
)
from attendance_cli.config import document_store
from attendance_cli.privacy.erase import ErasureTarget, erase_records
from attendance_cli.store import Store, transaction
from tests.privacy.builders import HARVEY, ISLA, NOTE

# what the log's entries about Harvey hold (checked present before the erasure)
NEEDLES = (
    HARVEY,
    "Mrs Patel",  # his lead practitioner (set_lead's entry)
    "Home visit (Isla Marsden also at home)",  # his action's description
    "Marsden_Isla_and_Harvey_letter",  # his letter's file name (attach's entry)
    "Harvey",
)


def _texts(store: Store) -> list[str]:
    """Every text value of every table, on either engine (the models name the tables)."""
    from sqlalchemy import String, select
    from sqlmodel.sql.sqltypes import AutoString

    from attendance_cli.db.models import metadata

    def textual(column: Any) -> bool:
        return isinstance(column.type, String | AutoString)

    found: list[str] = []
    for table in metadata.sorted_tables:
        columns = [c for c in table.columns if textual(c)]
        if columns:
            for row in store.execute(select(*columns)):
                found.extend(v for v in row if isinstance(v, str))
    return found


def _file_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def _pg_dump(database: Any) -> str:
    import shutil
    import subprocess

    from psycopg.conninfo import make_conninfo

    from attendance_cli.db.postgres import connect_arguments

    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:  # pragma: no cover - the server's binaries come with it here
        pytest.skip("pg_dump is not installed")
    conninfo = make_conninfo(**connect_arguments(database))
    done = subprocess.run(
        [pg_dump, "--format=plain", "--no-password", f"--dbname={conninfo}"],
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8")


def _harvey_in_the_log(store: Store, family: dict[str, int]) -> None:
    """More entries naming Harvey: one about a meeting (no UPN) whose detail writes his UPN."""
    with transaction(store):
        record_audit(
            store,
            officer="Jo Officer",
            action="record_meeting_note",
            entity="meeting",
            entity_id=family["meeting"],
            upn=None,
            detail={"discussed": f"{HARVEY} (Harvey Marsden)"},
        )


def _erase_harvey(store: Store, db_path: Path, family: dict[str, int]) -> Any:
    return erase_records(
        store,
        targets=[ErasureTarget("pupil", family["harvey"])],
        reason="request",
        officer="DPO",
        documents=document_store(db_path),
    )


def test_erasing_a_pupil_leaves_no_trace_in_the_log_and_it_still_verifies(
    store: Store, db_path: Path, family: dict[str, int], engine: str
) -> None:
    _harvey_in_the_log(store, family)
    anchor = chain_head(store)
    details = [e.detail for e in list_audit(store)]
    for needle in NEEDLES:
        assert any(needle in json.dumps(d, ensure_ascii=False) for d in details) or any(
            needle == e.upn for e in list_audit(store)
        ), needle  # each needle is in the log before: the test can fail
    about_harvey = [e.id for e in list_audit(store, upn=HARVEY)]
    assert len(about_harvey) >= 5

    result = _erase_harvey(store, db_path, family)

    texts = "\n".join(_texts(store))
    assert "Castle Hill School" in texts  # every text column is read
    for needle in NEEDLES:
        assert needle not in texts, needle
    # Isla keeps hers: her UPN, her note's entry
    assert ISLA in texts and list_audit(store, upn=ISLA)
    if engine == "sqlite":
        data = _file_bytes(Path(db_path))
        for needle in NEEDLES:
            assert needle.encode() not in data, needle
        assert NOTE[:20].encode() not in data  # the note itself (a casework row)
    else:  # what the server gives out: a plain pg_dump of the whole database
        dump = _pg_dump(db_path)
        assert "Castle Hill School" in dump
        for needle in NEEDLES:
            assert needle not in dump, needle
    # the entries stay, their hashes and the chain verify, and the anchor taken before holds
    check = verify_audit(store, anchor=anchor)
    assert check.ok, (check.problem, check.detail_problems, check.row_problems)
    assert check.erased_details == result.details_erased
    assert check.anchor_found is True
    entries = {e.id: e for e in list_audit(store)}
    for entry_id in about_harvey:
        assert entries[entry_id].erased and entries[entry_id].detail == {}
        assert entries[entry_id].upn is None
    [eraser] = [e for e in entries.values() if e.action == ERASE_DETAIL_ACTION]
    assert eraser.detail == {
        "reason": "request",
        "erased_with": [f"pupil:{family['harvey']}"],
        "entries": result.details_erased,
    }
    # about Harvey by UPN (his case, lead, action, notes, document) + the meeting entry
    assert result.details_erased == len(about_harvey) + 1


def test_a_personal_part_deleted_after_the_erasure_is_still_found(
    store: Store, db_path: Path, family: dict[str, int]
) -> None:
    _erase_harvey(store, db_path, family)
    isla_entry = list_audit(store, upn=ISLA)[0].id
    store.connection.execute("DELETE FROM audit_detail WHERE entry_id = ?", (isla_entry,))
    store.connection.commit()
    check = verify_audit(store)
    assert check.ok is False
    assert [(p.entry_id, p.problem) for p in check.detail_problems] == [(isla_entry, "deleted")]


def test_an_erased_personal_part_put_back_is_found(
    store: Store, db_path: Path, family: dict[str, int]
) -> None:
    harvey_entry = list_audit(store, upn=HARVEY)[0]
    saved = store.connection.execute(
        "SELECT entry_id, upn, detail, row_digests, salt FROM audit_detail WHERE entry_id = ?",
        (harvey_entry.id,),
    ).fetchone()
    _erase_harvey(store, db_path, family)
    store.connection.execute(
        "INSERT INTO audit_detail (entry_id, upn, detail, row_digests, salt) "
        "VALUES (?, ?, ?, ?, ?)",
        tuple(saved),
    )
    store.connection.commit()
    [problem] = verify_audit(store).detail_problems
    assert (problem.entry_id, problem.problem) == (harvey_entry.id, "erased-but-present")


def test_a_forged_erasure_list_breaks_the_chain(
    store: Store, db_path: Path, family: dict[str, int]
) -> None:
    """Covering a deletion by adding its id to an erase_detail entry changes that entry."""
    _erase_harvey(store, db_path, family)
    isla_entry = list_audit(store, upn=ISLA)[0].id
    eraser, erased = store.connection.execute(
        "SELECT id, erased_entries FROM audit_log WHERE action = ?", (ERASE_DETAIL_ACTION,)
    ).fetchone()
    store.connection.execute(
        "UPDATE audit_log SET erased_entries = ? WHERE id = ?",
        (json.dumps(sorted([*json.loads(erased), isla_entry]), separators=(",", ":")), eraser),
    )
    store.connection.execute("DELETE FROM audit_detail WHERE entry_id = ?", (isla_entry,))
    store.connection.commit()
    check = verify_audit(store)
    assert check.ok is False and check.first_broken_id == eraser
    assert check.detail_problems == []  # the forged list covers it: the chain is what fails


def test_erased_entries_show_erased_in_att_audit(
    store: Store, db_path: Path, family: dict[str, int]
) -> None:
    from typer.testing import CliRunner

    from attendance_cli.cli.app import app

    _erase_harvey(store, db_path, family)
    runner = CliRunner()
    shown = runner.invoke(app, ["audit"])
    assert shown.exit_code == 0, shown.output
    assert ERASED in shown.stdout and HARVEY not in shown.stdout
    rows = json.loads(runner.invoke(app, ["audit", "--format", "json"]).stdout)
    erased = [r for r in rows if r["erased"]]
    assert erased and all(r["detail"] == {} and r["upn"] is None for r in erased)
    verified = runner.invoke(app, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "Detail erased from" in verified.stdout


@pytest.mark.sqlite_only
def test_secure_delete_is_what_clears_the_file(
    store: Store, db_path: Path, family: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without secure_delete and the checkpoint the UPN stays in the file's free pages: the
    file test above can fail."""
    from attendance_cli.store import privacy as stored

    monkeypatch.setattr(stored, "scrub_deletes", lambda _store: None)
    monkeypatch.setattr(stored, "checkpoint", lambda _store: None)
    store.connection.execute("PRAGMA secure_delete = OFF")
    _erase_harvey(store, db_path, family)
    assert HARVEY not in "\n".join(_texts(store))  # gone from every row...
    assert HARVEY.encode() in _file_bytes(Path(db_path))  # ...but not from the file
    assert isinstance(store.connection, sqlite3.Connection)


def test_another_pupils_entry_writing_the_upn_is_erased_and_shown_erased_in_their_chronology(
    store: Store, db_path: Path, family: dict[str, int]
) -> None:
    """Harvey's case was closed with a detail naming Kieran by UPN: erasing Kieran erases that
    detail too (a UPN names one child), and Harvey's chronology still lists the closure, as
    "[erased]"; everything verifies."""
    from attendance_cli.cases.chronology import case_view
    from tests.privacy.builders import KIERAN

    with transaction(store):
        record_audit(
            store, officer="Jo Officer", action="close_case", entity="case",
            entity_id=family["case"], upn=HARVEY,
            detail={"outcome": f"attends with {KIERAN}", "happened_on": "2025-10-20"},
        )  # fmt: skip
    before = [c.summary for c in case_view(store, HARVEY).chronology if c.type == "case_closed"]
    assert before == [f"Case closed: attends with {KIERAN} by Jo Officer"]
    # (the builder writes Harvey's notice and letter with SQL: those rows are unaudited)
    unaudited = verify_audit(store).row_problem_count
    result = erase_records(
        store,
        targets=[ErasureTarget("pupil", family["kieran"])],
        reason="request",
        officer="DPO",
        documents=document_store(db_path),
    )
    assert result.details_erased >= 1
    assert KIERAN not in "\n".join(_texts(store))
    closed = [c for c in case_view(store, HARVEY).chronology if c.type == "case_closed"]
    assert [c.summary for c in closed] == [f"Case closed {ERASED} by Jo Officer"]
    check = verify_audit(store)
    assert check.first_broken_id is None and check.detail_problems == []
    assert check.erased_details == result.details_erased
    assert check.row_problem_count == unaudited
