"""Full disk, read-only database, unwritable folders, missing and unreadable files: one clear
``Error:`` line (and a hint), a non-zero exit, no traceback, and nothing half-written.

A full disk is simulated with RLIMIT_FSIZE in the child process (see support.att_command): it
works for any user and fails writes with EFBIG exactly where a full disk would fail them.
Permission tests run the child as nobody when the suite runs as root (root ignores modes).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from attendance_cli.db.engine import connect
from tests.helpers import SCHOOL, UPN1, database_contents, write_csv
from tests.reliability.support import (
    hand_over,
    integrity,
    marks_held,
    run_att,
    table_counts,
    unprivileged_python,
    write_big_marks_csv,
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _clean_failure(result: subprocess.CompletedProcess[str], code: int | None = None) -> str:
    """The command failed with one Error line, no traceback; returns that line."""
    assert result.returncode != 0
    if code is not None:
        assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr and "Internal error" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def _temporaries(folder: Path) -> list[str]:
    return sorted(
        p.name for p in folder.rglob("*") if p.name.endswith((".tmp", ".partial", ".att-partial"))
    )


@pytest.fixture(scope="module")
def marks_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("faults") / "marks.csv"
    return path, write_big_marks_csv(path, pupils=3000, days=5)


def _wal_db(template: Path, path: Path) -> Path:
    shutil.copyfile(template, path)
    connect(path).close()
    return path


# ------------------------------------------------------------------------------- disk full


def test_disk_full_during_import_writes_nothing(
    template_db: Path, tmp_path: Path, marks_file: tuple[Path, int]
) -> None:
    file, total = marks_file
    db = _wal_db(template_db, tmp_path / "att.sqlite")
    result = run_att("import", str(file), db=db, file_size_limit=400_000)
    line = _clean_failure(result, 6)
    assert "disk" in line
    assert integrity(db) == ["ok"]
    assert marks_held(db) == 0 and table_counts(db)["import_log"] == 0
    again = run_att("import", str(file), db=db)
    assert again.returncode == 0, again.stderr
    assert marks_held(db) == total


def test_disk_full_creating_a_new_database_then_it_recovers(
    tmp_path: Path, marks_file: tuple[Path, int]
) -> None:
    file, total = marks_file
    db = tmp_path / "new" / "att.sqlite"
    _clean_failure(run_att("import", str(file), db=db, file_size_limit=10_000), 6)
    again = run_att("import", str(file), db=db)
    assert again.returncode == 0, again.stderr
    assert integrity(db) == ["ok"] and marks_held(db) == total


def test_disk_full_during_backup_leaves_no_file(sample_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "backup.sqlite"
    target.parent.mkdir()
    result = run_att("db", "backup", str(target), db=sample_db, file_size_limit=100_000)
    _clean_failure(result, 6)
    assert list(target.parent.iterdir()) == []
    assert integrity(sample_db) == ["ok"]


def test_disk_full_writing_the_tsm_workbook_keeps_the_old_one(
    sample_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    workbook = out / "pack.xlsx"
    workbook.write_bytes(b"the previous pack")
    result = run_att(
        "tsm", "prepare", "--school", "8994001", "--output", str(workbook), "--force",
        db=sample_db, file_size_limit=40_000,
    )  # fmt: skip
    line = _clean_failure(result)
    assert "too large" in line or "space" in line
    assert workbook.read_bytes() == b"the previous pack"
    assert _temporaries(out) == []


def test_disk_full_writing_rejected_rows_leaves_no_partial_list(
    db_path: Path, tmp_path: Path
) -> None:
    rows = [["UPN", "Date", "Session", "Mark"], [UPN1, "2025-09-03", "AM", "/"]]
    rows += [[UPN1, "2025-09-04", "AM", f"=BAD{n}" + "x" * 40] for n in range(3000)]
    file = write_csv(tmp_path / "bad.csv", rows)
    before = database_contents(db_path)
    result = run_att(
        "import",
        str(file),
        "--school",
        SCHOOL,
        "--skip-invalid",
        db=db_path,
        file_size_limit=60_000,
    )
    _clean_failure(result)
    assert not (tmp_path / "bad.rejected.csv").exists()
    assert _temporaries(tmp_path) == []
    assert marks_held(db_path) == 0
    assert database_contents(db_path) == before or integrity(db_path) == ["ok"]


# ----------------------------------------------------------------------- permissions (nobody)


@pytest.fixture
def user_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder the (unprivileged) child can use; as root, a fresh one given to nobody."""
    if os.geteuid() != 0:
        yield tmp_path
        for path in [tmp_path, *tmp_path.rglob("*")]:
            path.chmod(0o700 if path.is_dir() else 0o600)
        return
    if unprivileged_python() is None:
        pytest.skip("running as root and no interpreter lets nobody run this checkout's att")
    folder = Path(tempfile.mkdtemp(prefix="att-reliability-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _own_db(template: Path, folder: Path) -> Path:
    db = _wal_db(template, folder / "att.sqlite")
    db.chmod(0o600)
    small = folder / "small.csv"
    write_big_marks_csv(small, pupils=10, days=2)
    hand_over(folder)
    assert run_att("import", str(small), db=db, unprivileged=True).returncode == 0
    return db


def test_read_only_database_file(template_db: Path, user_folder: Path) -> None:
    db = _own_db(template_db, user_folder)
    more = user_folder / "more.csv"
    write_big_marks_csv(more, pupils=10, days=2, first=500)
    hand_over(user_folder)
    held = marks_held(db)
    db.chmod(0o400)
    line = _clean_failure(run_att("import", str(more), db=db, unprivileged=True), 6)
    assert "read-only" in line
    assert marks_held(db) == held and integrity(db) == ["ok"]
    info = run_att("db", "info", "--format", "json", db=db, unprivileged=True)
    assert info.returncode == 0, info.stderr  # reading still works


def test_read_only_database_folder(template_db: Path, user_folder: Path) -> None:
    db = _own_db(template_db, user_folder)
    held = marks_held(db)
    more = user_folder / "more.csv"
    write_big_marks_csv(more, pupils=10, days=2, first=500)
    hand_over(user_folder)
    user_folder.chmod(0o555)
    try:
        line = _clean_failure(run_att("import", str(more), db=db, unprivileged=True), 6)
        assert "read-only" in line
        backup = run_att("db", "backup", str(user_folder / "b.sqlite"), db=db, unprivileged=True)
        assert "read-only" in _clean_failure(backup, 6)
    finally:
        user_folder.chmod(0o755)
    assert not (user_folder / "b.sqlite").exists()
    assert marks_held(db) == held and integrity(db) == ["ok"]


def test_read_only_output_folder(template_db: Path, user_folder: Path) -> None:
    db = _own_db(template_db, user_folder)
    out = user_folder / "out"
    out.mkdir()
    hand_over(user_folder)
    out.chmod(0o555)
    try:
        backup = run_att("db", "backup", str(out / "b.sqlite"), db=db, unprivileged=True)
        assert "Permission denied" in _clean_failure(backup)
        pack = run_att(
            "tsm", "prepare", "--school", SCHOOL, "--output", str(out / "p.xlsx"),
            db=db, unprivileged=True,
        )  # fmt: skip
        assert "Permission denied" in _clean_failure(pack)
    finally:
        out.chmod(0o755)
    assert list(out.iterdir()) == []


def test_database_in_a_folder_that_cannot_be_written(user_folder: Path) -> None:
    locked = user_folder / "locked"
    locked.mkdir()
    hand_over(user_folder)
    locked.chmod(0o500)
    try:
        result = run_att("db", "init", db=locked / "att.sqlite", unprivileged=True)
        assert "Cannot create the database" in _clean_failure(result, 6)
    finally:
        locked.chmod(0o700)
    assert list(locked.iterdir()) == []


def test_unreadable_input_file(template_db: Path, user_folder: Path) -> None:
    db = _own_db(template_db, user_folder)
    held = marks_held(db)
    secret = user_folder / "secret.csv"
    write_big_marks_csv(secret, pupils=10, days=2, first=700)
    hand_over(user_folder)
    secret.chmod(0o000)
    result = run_att("import", str(secret), db=db, unprivileged=True)
    assert result.returncode in (2, 3)
    assert "secret.csv" in result.stderr and "Traceback" not in result.stderr
    assert marks_held(db) == held


def test_missing_input_file(db_path: Path, tmp_path: Path) -> None:
    result = run_att("import", str(tmp_path / "nope.csv"), db=db_path)
    assert result.returncode == 7  # a file problem (issue 14), not a rejected import
    assert "No such file" in result.stderr and "Traceback" not in result.stderr
    assert marks_held(db_path) == 0


def test_backup_of_a_missing_database(tmp_path: Path) -> None:
    result = run_att("db", "backup", str(tmp_path / "b.sqlite"), db=tmp_path / "none.sqlite")
    assert "no database" in _clean_failure(result, 4)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
