"""No hidden copies of children's data after a kill or a full disk (issue 13.10).

Every writer of a whole file (backup, restore, referral export, case attach, workbooks) writes a
private temporary file beside its target and renames it. A forked child is SIGKILLed at the
moment of that rename (os.replace / os.link patched to kill), so the temporary copy is left
behind exactly as after a kill or power cut; the next run of att in that folder must remove
it. A write that fails for lack of space (RLIMIT_FSIZE) must remove its temporary at once.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import signal
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from attendance_cli.config import document_store
from attendance_cli.db.backup import backup_database, restore_database
from attendance_cli.db.open import open_database
from attendance_cli.store import Store
from tests.helpers import connect_to, is_postgres
from tests.referrals.builders import HARVEY, OFFICER, build_case


def _backup(database: object, target: Path) -> object:
    """att db backup's core: a copy of the SQLite file, or pg_dump of a server database."""
    if is_postgres(database):
        from attendance_cli.db.postgres import dump_server_database

        return dump_server_database(database, target, force=False)  # type: ignore[arg-type]
    return backup_database(database, target)  # type: ignore[arg-type]


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def _killed_at_rename(work: Callable[[], object]) -> None:
    """Fork; the child runs ``work`` and is SIGKILLed when it renames a file into place."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:

            def kill(*_args: object, **_kwargs: object) -> None:
                os.kill(os.getpid(), signal.SIGKILL)

            os.replace = kill  # type: ignore[assignment]
            os.link = kill  # type: ignore[assignment]
            work()
        finally:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def _out_of_space(work: Callable[[], object], limit: int) -> int:
    """Fork; the child runs ``work`` unable to grow any file past ``limit`` bytes (EFBIG, as a
    full disk); returns its exit status (0: ``work`` raised, as it should)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 4
        try:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
            try:
                work()
            except BaseException:  # noqa: BLE001 - any failure will do; leftovers are checked
                code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_a_backup_killed_at_the_rename_is_swept_by_the_next_backup(
    sample_db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o700)
    _killed_at_rename(lambda: _backup(sample_db, folder / "b.sqlite"))
    assert _hidden(folder), "the kill should have left the temporary copy"
    assert not (folder / "b.sqlite").exists()
    _backup(sample_db, folder / "c.sqlite")
    assert _hidden(folder) == []
    assert sorted(p.name for p in folder.iterdir()) == ["c.sqlite"]


@pytest.mark.sqlite_only  # restoring the SQLite file (a server's restore is pg_restore's)
def test_a_restore_killed_at_the_rename_is_swept_when_att_next_opens(
    sample_db: Path, tmp_path: Path
) -> None:
    backup = backup_database(sample_db, tmp_path / "b.sqlite").backup
    _killed_at_rename(lambda: restore_database(backup, sample_db))
    assert _hidden(tmp_path), "the kill should have left the copy of the replaced database"
    open_database(sample_db)[0].close()
    assert _hidden(tmp_path) == []


def test_an_export_killed_at_the_rename_is_swept_by_the_next_export(
    sample_conn: sqlite3.Connection, sample_db: Path, tmp_path: Path
) -> None:
    from attendance_cli.referrals.bundle import build_referral_bundle

    build_case(sample_conn, sample_db, tmp_path)
    out = tmp_path / "out"
    out.mkdir(mode=0o700)

    def export(name: str) -> object:
        conn = Store(connect_to(sample_db), sample_db)
        try:
            return build_referral_bundle(
                conn,
                upn=HARVEY,
                route="prosecution",
                out=out / name,
                store=document_store(sample_db),
                officer=OFFICER,
                today=dt.date(2025, 11, 20),
            )
        finally:
            conn.close()

    _killed_at_rename(lambda: export("first.zip"))
    assert _hidden(out), "the kill should have left the bundle's temporary file"
    export("second.zip")
    assert sorted(p.name for p in out.iterdir()) == ["second.zip"]


def test_an_attachment_killed_at_the_rename_is_swept_when_att_next_opens(
    sample_db: Path, tmp_path: Path
) -> None:
    from attendance_cli.cases import documents

    upn = HARVEY
    letter = tmp_path / "letter.txt"
    letter.write_bytes(b"Dear parent, ... " * 1000)
    store = document_store(sample_db)

    def attach() -> object:
        conn = Store(connect_to(sample_db), sample_db)
        try:
            return documents.attach_document(
                conn, upn=upn, file=letter, kind="letter", store=store, officer=OFFICER
            )
        finally:
            conn.close()

    _killed_at_rename(attach)
    assert _hidden(store), "the kill should have left the attachment's temporary copy"
    open_database(sample_db)[0].close()
    assert _hidden(store) == []


def test_a_workbook_killed_at_the_rename_is_swept_by_the_next_workbook(
    sample_conn: sqlite3.Connection, tmp_path: Path
) -> None:
    from attendance_cli.tsm.pack import prepare_tsm_pack
    from attendance_cli.tsm.workbook import write_tsm_workbook

    pack = prepare_tsm_pack(sample_conn, school="8994001")
    out = tmp_path / "packs"
    out.mkdir(mode=0o700)
    _killed_at_rename(lambda: write_tsm_workbook(pack, out / "a.xlsx"))
    assert _hidden(out)
    write_tsm_workbook(pack, out / "b.xlsx")
    assert sorted(p.name for p in out.iterdir()) == ["b.xlsx"]


def test_a_backup_on_a_full_disk_leaves_nothing(sample_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o700)
    size = 100_000 if is_postgres(sample_db) else sample_db.stat().st_size  # the dump: ~600 kB
    assert _out_of_space(lambda: _backup(sample_db, folder / "b.sqlite"), size // 2) == 0
    assert list(folder.iterdir()) == []


def test_a_temporary_file_still_being_written_is_not_swept(tmp_path: Path) -> None:
    from attendance_cli.files import PartialFile, sweep_partials

    writing = PartialFile(tmp_path / "x.xlsx", force=False)
    try:
        assert sweep_partials(tmp_path) == []  # another process's: it holds the lock
        assert writing.path.exists()
    finally:
        writing.discard()
        writing.close()
    assert list(tmp_path.iterdir()) == []
