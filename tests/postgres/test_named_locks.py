"""Named locks on PostgreSQL (issue 16; ``store.transactions``): a register import holds only
LOCK_REGISTERS, not the writers' lock, so casework at another school does not wait for it,
while another import and an erasure (which deletes register rows) still do.

Each test pauses a real ``import_registers`` inside its transaction (in a thread, on its own
connection) just before it writes the marks, and tries the other writer on a second
connection with a short ``lock_timeout``: a writer that must wait times out (a DatabaseError),
one that need not commits at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from attendance_cli.cases.notes import add_note
from attendance_cli.errors import DatabaseError
from attendance_cli.registers import importer
from attendance_cli.registers.importer import import_registers
from attendance_cli.store import LOCK_AUDIT_CHAIN, LOCK_REGISTERS, Store, writing
from tests.helpers import connect_to
from tests.referrals.builders import HARVEY
from tests.reliability.support import write_big_marks_csv

pytestmark = pytest.mark.parametrize("engine", ["postgresql"], indirect=True)


class PausedImport:
    """An import of ``file`` running in a thread, held inside its transaction (its locks taken,
    its schools and pupils written) until :meth:`finish`."""

    def __init__(self, database: Any, file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.inside = threading.Event()
        self.go_on = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        real = importer._write_marks

        def paused(*args: Any, **kwargs: Any) -> Any:
            if threading.current_thread() is self.thread:  # this import only
                self.inside.set()
                assert self.go_on.wait(30), "the test never let the import go on"
            return real(*args, **kwargs)

        monkeypatch.setattr(importer, "_write_marks", paused)
        self.conn = connect_to(database)
        self.database = database
        self.thread = threading.Thread(target=self._run, args=(file,), daemon=True)
        self.thread.start()
        assert self.inside.wait(60), "the import never reached its marks"

    def _run(self, file: Path) -> None:
        try:
            self.result = import_registers(Store(self.conn, self.database), paths=[file])
        except BaseException as exc:  # noqa: BLE001 - reported by finish()
            self.error = exc

    def stop(self) -> None:
        self.go_on.set()
        self.thread.join(60)
        self.conn.close()

    def finish(self) -> Any:
        self.stop()
        if self.error is not None:
            raise self.error
        assert self.result is not None and self.result.ok
        return self.result


@pytest.fixture
def paused_import(
    sample_db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[PausedImport]:
    file = tmp_path / "school_a.csv"
    write_big_marks_csv(file, pupils=20, days=3, school="8990001")
    paused = PausedImport(sample_db, file, monkeypatch)
    try:
        yield paused
    finally:
        paused.stop()


def _waiting_connection(database: Any) -> Any:
    conn = connect_to(database)
    conn.execute("SET lock_timeout = '1500ms'")
    return conn


def test_casework_at_another_school_does_not_wait_for_an_import(
    sample_db: Any, paused_import: PausedImport
) -> None:
    other = _waiting_connection(sample_db)
    try:
        # with the writers' lock held by the import, this would time out
        note = add_note(
            Store(other, sample_db), upn=HARVEY, text="Spoke to mother", officer="Test Officer"
        )
        held = other.execute("SELECT text FROM case_note WHERE id = ?", (note.id,)).fetchone()
        assert held == ("Spoke to mother",)
    finally:
        other.close()
    paused_import.finish()
    check = connect_to(sample_db)
    try:
        schools = [r[0] for r in check.execute("SELECT laestab FROM school")]
        assert "8990001" in schools  # the import committed too
        from attendance_cli.cases.audit import verify_audit

        assert verify_audit(Store(check, sample_db)).ok
    finally:
        check.close()


def test_a_second_import_waits_for_the_first(
    sample_db: Any, tmp_path: Path, paused_import: PausedImport
) -> None:
    """Imports merge marks read back from the database: one at a time (LOCK_REGISTERS)."""
    file = tmp_path / "school_b.csv"
    write_big_marks_csv(file, pupils=5, days=2, school="8990002", first=500)
    other = _waiting_connection(sample_db)
    try:
        with pytest.raises(DatabaseError):
            import_registers(Store(other, sample_db), paths=[file])
    finally:
        other.close()
    paused_import.finish()


def test_an_erasure_waits_for_an_import(
    sample_db: Any, tmp_path: Path, paused_import: PausedImport
) -> None:
    """An erasure deletes register rows (a pupil, their marks) the import may be writing: it
    takes LOCK_REGISTERS besides the writers' lock, and so waits."""
    from attendance_cli.config import document_store
    from attendance_cli.privacy.erase import ErasureTarget, erase_records

    other = _waiting_connection(sample_db)
    try:
        pupil_id = other.execute("SELECT id FROM pupil WHERE upn = ?", (HARVEY,)).fetchone()[0]
        with pytest.raises(DatabaseError):
            erase_records(
                Store(other, sample_db),
                targets=[ErasureTarget("pupil", pupil_id)],
                reason="request",
                officer="DPO",
                documents=document_store(sample_db),
            )
        still = other.execute("SELECT count(*) FROM pupil WHERE id = ?", (pupil_id,)).fetchone()
        assert still == (1,)
    finally:
        other.close()
    paused_import.finish()


def test_a_contact_correction_waits_for_an_import(
    sample_db: Any, paused_import: PausedImport
) -> None:
    """A correction writes a contact row that a roster import rewrites from the school's file
    (keeping the corrections it read): made during an import, the import would overwrite it.
    So it takes LOCK_REGISTERS too, and waits."""
    from attendance_cli.privacy.rectify import correct_contact

    other = _waiting_connection(sample_db)
    try:
        contact_id, phone = other.execute(
            "SELECT c.id, c.phone FROM contact c JOIN pupil p ON p.id = c.pupil_id "
            "WHERE p.upn = ? ORDER BY c.priority LIMIT 1",
            (HARVEY,),
        ).fetchone()
        with pytest.raises(DatabaseError):
            correct_contact(
                Store(other, sample_db),
                contact_id=contact_id,
                changes={"phone": "01632 960 999"},
                reason="mother phoned",
                officer="Test Officer",
            )
        assert other.execute(
            "SELECT phone FROM contact WHERE id = ?", (contact_id,)
        ).fetchone() == (phone,)
        assert other.execute("SELECT count(*) FROM contact_correction").fetchone() == (0,)
    finally:
        other.close()
    paused_import.finish()


def test_no_lock_is_taken_inside_a_block_that_holds_only_the_registers_lock(sample_db: Any) -> None:
    """Every block but a register import takes the writers' lock before any named lock, so
    locks are always taken in one order. A lock taken inside an import (which holds no writers'
    lock) could deadlock with an erasure, so it is refused: the import must name it outermost
    (a roster names LOCK_AUDIT_CHAIN, for the corrections it audits)."""
    store = Store(connect_to(sample_db), sample_db)
    try:
        with (
            pytest.raises(RuntimeError, match="name it in the outermost"),
            writing(store, LOCK_REGISTERS),
            writing(store, LOCK_AUDIT_CHAIN),
        ):
            pass
        # another registers block inside is fine; so is a lock named outermost
        with writing(store, LOCK_REGISTERS), writing(store, LOCK_REGISTERS):
            pass
        with writing(store, LOCK_REGISTERS, LOCK_AUDIT_CHAIN), writing(store, LOCK_AUDIT_CHAIN):
            pass
    finally:
        store.close()
