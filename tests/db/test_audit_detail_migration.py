"""Migration 0011_audit_detail: a version-1 log moves to chain version 2 with every entry's
personal part in ``audit_detail``, keeping the anchors officers already hold (a v1 head at its
id still verifies); a broken version-1 log is refused, leaving the database as it was; and a
rebuilt log is still caught by the version-1 hashes the version-2 chain carries."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from attendance_cli.cases import audited_tables
from attendance_cli.cases.audit import GENESIS, casework_findings, record_audit, verify_audit
from attendance_cli.cases.audited_tables import entry_digest, entry_digest_v2
from attendance_cli.db import migrate
from attendance_cli.db.engine import create_private_file, open_database
from attendance_cli.errors import DatabaseError
from attendance_cli.store import Store, transaction
from tests.db.test_audit_baseline import _casework_at_0005

V1_COLUMNS = (
    "id, at, officer, action, entity, entity_id, upn, detail, prev_hash, hash, row_table, "
    "row_id, row_hash, row_digests"
)


@pytest.fixture
def at_0010(tmp_path: Path) -> Path:
    """Casework written before 0009 (one genuine entry), then 0009's v1 baseline entries and
    one more v1 entry as release 0010 would append it: a version-1 log at 0010_team."""
    path = tmp_path / "casework-0010.sqlite"
    _casework_at_0005(path)
    migrate.upgrade_database(path, revision="0010_team")
    conn = sqlite3.connect(path)
    prev = conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()[0]
    at = "2025-10-02 10:00:00.000000"
    detail = json.dumps({"parent": "Paul Marsden", "route": "penalty"}, sort_keys=True)
    digest = entry_digest(prev, at, "Jo", "close_case", "case", 1, "B801200005001", detail)
    conn.execute(
        "INSERT INTO audit_log (at, officer, action, entity, entity_id, upn, detail, prev_hash, "
        "hash) VALUES (?, 'Jo', 'close_case', 'case', 1, 'B801200005001', ?, ?, ?)",
        (at, detail, prev, digest),
    )
    conn.commit()
    conn.close()
    return path


def _v1_log(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT {V1_COLUMNS} FROM audit_log ORDER BY id").fetchall()
    finally:
        conn.close()


def test_the_log_moves_to_version_2_keeping_every_personal_part_and_v1_anchor(
    at_0010: Path,
) -> None:
    before = _v1_log(at_0010)
    assert len(before) == 9  # the pre-0009 entry, 7 baselines, the close_case entry
    head_v1 = f"{before[-1][0]}:{before[-1][9]}"
    middle_v1 = f"{before[3][0]}:{before[3][9]}"
    conn, result = open_database(at_0010)
    assert result.upgraded_from == "0010_team"
    columns = {r[1] for r in conn.execute("PRAGMA table_info(audit_log)")}
    assert not columns & {"upn", "detail", "row_digests"}  # no personal data left in the log
    moved = conn.execute(
        "SELECT l.id, d.upn, d.detail, d.row_digests, l.v1_hash, length(d.salt) FROM audit_log l "
        "JOIN audit_detail d ON d.entry_id = l.id ORDER BY l.id"
    ).fetchall()
    assert moved == [(r[0], r[6], r[7], r[13], r[9], 32) for r in before]
    # re-chained: every hash is new, the chain starts at the genesis
    after = conn.execute("SELECT id, prev_hash, hash FROM audit_log ORDER BY id").fetchall()
    assert after[0][1] == GENESIS and not {r[2] for r in after} & {r[9] for r in before}
    check = verify_audit(Store(conn))
    assert (check.ok, check.entries, check.v1_entries) == (True, 9, 9)
    # the anchors taken before the upgrade: at their id, found; elsewhere, not
    assert verify_audit(Store(conn), anchor=head_v1).anchor_found is True
    assert verify_audit(Store(conn), anchor=middle_v1).anchor_found is True
    assert verify_audit(Store(conn), anchor=before[-1][9]).anchor_found is True  # HASH alone
    assert verify_audit(Store(conn), anchor=f"2:{before[-1][9]}").anchor_found is False
    assert casework_findings(Store(conn), upn="B801200005001", anchor=head_v1) == []
    # new entries follow in version 2; the old anchors still hold
    store = Store(conn)
    with transaction(store):
        record_audit(
            store, officer="Jo", action="reopen_case", entity="case", entity_id=1,
            upn="B801200005001", detail={"reason": "absent again"},
        )  # fmt: skip
    check = verify_audit(Store(conn), anchor=head_v1)
    assert (check.ok, check.entries, check.v1_entries, check.anchor_found) == (True, 10, 9, True)
    conn.close()


def test_a_broken_version_1_log_is_refused_and_left_as_it_was(at_0010: Path) -> None:
    conn = sqlite3.connect(at_0010)
    conn.execute('UPDATE audit_log SET detail = \'{"route": "none"}\' WHERE id = 9')
    conn.commit()
    conn.close()
    before = _v1_log(at_0010)
    with pytest.raises(DatabaseError) as raised:
        open_database(at_0010)
    assert "The audit log is broken at entry 9" in raised.value.message
    assert "will not upgrade it" in raised.value.message
    assert "the copy made before the upgrade is" in (raised.value.hint or "")
    conn = sqlite3.connect(at_0010)
    try:
        assert migrate.current_revision(conn) == "0010_team"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "audit_detail" not in tables
    finally:
        conn.close()
    assert _v1_log(at_0010) == before


def test_a_log_rebuilt_after_the_upgrade_is_caught_by_its_v1_hashes(at_0010: Path) -> None:
    """Someone changes a migrated entry's detail and recomputes its personal hash and the whole
    version-2 chain (no secret is needed): the v2 chain verifies on its own, but the entry no
    longer matches the version-1 hash the chain carries."""
    conn, _ = open_database(at_0010)
    target = 9
    salt = conn.execute("SELECT salt FROM audit_detail WHERE entry_id = ?", (target,)).fetchone()[0]
    forged = json.dumps({"parent": "Someone Else", "route": "penalty"}, sort_keys=True)
    conn.execute("UPDATE audit_detail SET detail = ? WHERE entry_id = ?", (forged, target))
    rows = conn.execute(
        "SELECT l.id, l.at, l.officer, l.action, l.entity, l.entity_id, l.row_table, l.row_id, "
        "l.row_hash, d.upn, d.detail, d.row_digests, d.salt, l.v1_hash FROM audit_log l "
        "JOIN audit_detail d ON d.entry_id = l.id ORDER BY l.id"
    ).fetchall()
    prev = GENESIS
    for r in rows:
        personal = audited_tables.personal_digest(r[12], r[9], r[10], r[11])
        digest = entry_digest_v2(prev, r[1], *r[2:9], personal, r[13], None)
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?, hash = ?, personal_hash = ? WHERE id = ?",
            (prev, digest, personal, r[0]),
        )
        prev = digest
    conn.commit()
    assert salt  # the forger kept the salt; it does not help
    check = verify_audit(Store(conn))
    assert check.detail_problems == []  # the personal part matches its (forged) hash...
    assert (check.ok, check.first_broken_id) == (False, target)  # ...the v1 hash does not
    assert "before the chain's upgrade to version 2" in (check.problem or "")
    conn.close()


def test_an_empty_log_upgrades(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    create_private_file(path)
    migrate.upgrade_database(path, revision="0010_team")
    conn, _ = open_database(path)
    assert verify_audit(Store(conn)).ok and verify_audit(Store(conn)).entries == 0
    conn.close()


def test_the_release_fixture_still_upgrades_through_0011(tmp_path: Path) -> None:
    saved = Path(__file__).parent / "fixtures" / "release-0.1.0.sqlite"
    path = tmp_path / saved.name
    shutil.copyfile(saved, path)
    conn, _ = open_database(path)
    assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD  # through 0011_audit_detail
    assert conn.execute("SELECT count(*) FROM audit_detail").fetchone() == (0,)
    conn.close()
