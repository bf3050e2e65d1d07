"""The audit log's hash chain (core level; ``att audit verify`` is built elsewhere): every edit,
deletion, reordering or forged insertion of an entry is found, at the first entry affected.

What the chain alone cannot show, and RELIABILITY.md says so: entries cut off the end, or a
whole chain recomputed by someone with write access to the file; a backup (att db backup)
holds the chain as it was and is the anchor to compare against."""

from __future__ import annotations

import sqlite3

import pytest

from attendance_cli.cases.audit import GENESIS, verify_audit
from attendance_cli.cases.notes import add_note


@pytest.fixture
def audited(sample_conn: sqlite3.Connection) -> sqlite3.Connection:
    upns = [
        r[0] for r in sample_conn.connection.execute("SELECT upn FROM pupil ORDER BY id LIMIT 3")
    ]
    for number in range(6):
        add_note(
            sample_conn,
            upn=upns[number % 3],
            text=f"Home visit {number}: spoke to parent",
            officer="Test Officer",
        )
    return sample_conn


def _ids(conn: sqlite3.Connection) -> list[int]:
    return [r[0] for r in conn.connection.execute("SELECT id FROM audit_log ORDER BY id")]


def test_an_untouched_chain_verifies(audited: sqlite3.Connection) -> None:
    check = verify_audit(audited)
    # six notes, and the three cases they opened
    assert (check.ok, check.entries, check.first_broken_id) == (True, 9, None)
    first = audited.connection.execute(
        "SELECT prev_hash FROM audit_log ORDER BY id LIMIT 1"
    ).fetchone()[0]
    assert first == GENESIS


@pytest.mark.parametrize(
    "column", ["at", "officer", "action", "entity", "entity_id", "personal_hash", "v1_hash"]
)
def test_an_edited_entry_is_found(audited: sqlite3.Connection, column: str) -> None:
    target = _ids(audited)[3]
    forged = {"entity_id": 999, "detail": '{"x": 1}', "at": "2001-01-01 00:00:00"}  # typed columns
    value = forged.get(column, "forged")
    audited.connection.execute(f"UPDATE audit_log SET {column} = ? WHERE id = ?", (value, target))
    check = verify_audit(audited)
    assert (check.ok, check.first_broken_id) == (False, target)
    assert "changed" in (check.problem or "")


@pytest.mark.parametrize("column", ["upn", "detail", "row_digests", "salt"])
def test_an_edited_personal_part_is_found(audited: sqlite3.Connection, column: str) -> None:
    """The personal part (audit_detail) is outside the chain's own hash but committed to by
    ``personal_hash``: a change to any of its columns is found at its entry."""
    target = _ids(audited)[3]
    forged = {"detail": '{"x": 1}', "row_digests": '{"x": 1}', "upn": "Z999999999999"}
    value = forged.get(column, "0" * 32)  # each fits its column (a UPN is 13 characters)
    audited.connection.execute(
        f"UPDATE audit_detail SET {column} = ? WHERE entry_id = ?", (value, target)
    )
    check = verify_audit(audited)
    assert check.first_broken_id is None  # the chain itself holds...
    assert check.ok is False  # ...but the entry's personal part is not what it committed to
    assert [(p.entry_id, p.problem) for p in check.detail_problems] == [(target, "changed")]


def test_a_deleted_personal_part_is_found(audited: sqlite3.Connection) -> None:
    target = _ids(audited)[3]
    audited.connection.execute("DELETE FROM audit_detail WHERE entry_id = ?", (target,))
    check = verify_audit(audited)
    assert check.ok is False and check.first_broken_id is None
    [problem] = check.detail_problems
    assert (problem.entry_id, problem.problem) == (target, "deleted")
    assert (
        problem.message
        == f"detail of entry {target} deleted behind att's back (no erasure covers it)"
    )


def test_a_deleted_entry_is_found_at_the_next_one(audited: sqlite3.Connection) -> None:
    ids = _ids(audited)
    audited.connection.execute("DELETE FROM audit_detail WHERE entry_id = ?", (ids[2],))
    audited.connection.execute("DELETE FROM audit_log WHERE id = ?", (ids[2],))
    check = verify_audit(audited)
    assert (check.ok, check.first_broken_id) == (False, ids[3])
    assert "removed or reordered" in (check.problem or "")


def test_swapped_entries_are_found(audited: sqlite3.Connection) -> None:
    ids = _ids(audited)
    columns = "at, officer, action, entity, entity_id, personal_hash, prev_hash, hash"
    rows = {
        i: audited.connection.execute(
            f"SELECT {columns} FROM audit_log WHERE id = ?", (i,)
        ).fetchone()
        for i in ids[1:3]
    }
    for target, source in ((ids[1], ids[2]), (ids[2], ids[1])):
        audited.connection.execute(
            "UPDATE audit_log SET at=?, officer=?, action=?, entity=?, entity_id=?, "
            "personal_hash=?, prev_hash=?, hash=? WHERE id = ?",
            (*rows[source], target),
        )
    check = verify_audit(audited)
    assert (check.ok, check.first_broken_id) == (False, ids[1])


def test_a_forged_entry_with_a_made_up_hash_is_found(audited: sqlite3.Connection) -> None:
    last_hash = audited.connection.execute(
        "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]
    audited.connection.execute(
        "INSERT INTO audit_log (at, officer, action, entity, entity_id, personal_hash, "
        "prev_hash, hash) VALUES ('2025-09-01 09:00:00', 'Someone', 'add_note', 'note', 1, ?, "
        "?, ?)",
        ("e" * 64, last_hash, "f" * 64),
    )
    check = verify_audit(audited)
    assert check.ok is False and check.first_broken_id == _ids(audited)[-1]
