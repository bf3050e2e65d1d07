"""Two ``att import`` processes on one database at once, and an import while ``att tsm prepare``
reads: every process finishes with exit 0 (a writer waits for the other through the busy
timeout, or on PostgreSQL its lock), nobody sees "database is locked", and the database is intact
and complete. On both engines."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.reliability.support import (
    att_command,
    child_env,
    integrity,
    marks_held,
    table_counts,
    write_big_marks_csv,
)

ROUNDS = 3
PUPILS, DAYS = 3000, 5


@pytest.fixture(scope="module")
def two_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    folder = tmp_path_factory.mktemp("concurrent")
    first = folder / "school_a.csv"
    second = folder / "school_b.csv"
    a = write_big_marks_csv(first, pupils=PUPILS, days=DAYS, school="8990001")
    b = write_big_marks_csv(second, pupils=PUPILS, days=DAYS, school="8990002", first=PUPILS)
    assert a == b
    return first, second, a


def _popen(*args: str, db: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        att_command(*args, db=db),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    assert "database is locked" not in err
    assert "Traceback" not in err
    return process.returncode, out, err


def test_two_imports_at_once(
    db_path: Path, two_files: tuple[Path, Path, int], figures, copy_database
) -> None:  # type: ignore[no-untyped-def]
    first, second, per_file = two_files
    for round_number in range(ROUNDS):
        db = copy_database(db_path, f"two{round_number}")
        a = _popen("import", str(first), "--format", "json", db=db)
        b = _popen("import", str(second), "--format", "json", db=db)
        results = [_finish(a), _finish(b)]
        for code, out, _ in results:
            assert code == 0
            assert json.loads(out)["files"][0]["marks_added"] == per_file
        assert integrity(db) == ["ok"]
        assert marks_held(db) == 2 * per_file
        assert table_counts(db)["import_log"] == 2
        figures("concurrency: pairs of att import run at once", 1)


def test_the_same_file_imported_twice_at_once(
    db_path: Path, two_files: tuple[Path, Path, int], figures
) -> None:  # type: ignore[no-untyped-def]
    first, _, per_file = two_files
    db = db_path
    runs = [_popen("import", str(first), "--format", "json", db=db) for _ in range(2)]
    added = []
    for process in runs:
        code, out, _ = _finish(process)
        assert code == 0
        summary = json.loads(out)["files"][0]
        added.append((summary["marks_added"], summary["marks_unchanged"]))
    # one wrote the file; the other, waiting for it, found every mark already held
    assert sorted(added) == [(0, per_file), (per_file, 0)]
    assert integrity(db) == ["ok"] and marks_held(db) == per_file
    figures("concurrency: pairs of att import run at once", 1)


def test_import_while_tsm_prepare_reads(
    sample_db: Path, two_files: tuple[Path, Path, int], figures
) -> None:  # type: ignore[no-untyped-def]
    first, second, per_file = two_files
    before = marks_held(sample_db)
    expected = json.loads(
        subprocess.run(
            att_command("tsm", "prepare", "--school", "8994001", "--format", "json", db=sample_db),
            capture_output=True,
            text=True,
            env=child_env(),
            check=True,
        ).stdout
    )
    la_before = expected["la_summary"]["enrolments"]
    importer = _popen("import", str(first), db=sample_db)
    readers = 0
    while importer.poll() is None or readers < 3:
        reader = _popen("tsm", "prepare", "--school", "8994001", "--format", "json", db=sample_db)
        code, out, _ = _finish(reader)
        assert code == 0
        pack = json.loads(out)
        # the school's own pack is unchanged; the LA figures are from before or after the
        # other school's import, never from half of it
        assert (pack["summary"], pack["pupils"]) == (expected["summary"], expected["pupils"])
        assert pack["la_summary"]["enrolments"] in (la_before, la_before + PUPILS)
        readers += 1
    assert _finish(importer)[0] == 0
    # and the other way round: a reader of the school being imported sees before or after
    importer = _popen("import", str(second), db=sample_db)
    reader = _popen("tsm", "prepare", "--school", "8990002", "--format", "json", db=sample_db)
    reader_code, out, err = _finish(reader)
    assert _finish(importer)[0] == 0
    if reader_code == 0:  # the import had created the school: all of its pupils are there
        assert json.loads(out)["summary"]["enrolments"] == PUPILS
    else:  # not yet: the school is unknown, a clean "not found"
        assert reader_code == 4 and err.startswith("Error:")
    assert integrity(sample_db) == ["ok"]
    assert marks_held(sample_db) == before + 2 * per_file
    figures("concurrency: att tsm prepare runs during an import", readers + 1)


def test_three_imports_on_a_new_database_at_once(tmp_path: Path, figures) -> None:  # type: ignore[no-untyped-def]
    """Creating and migrating a new database is serialised: before this was, two commands
    started together both ran the migrations and one failed ("table pupil already exists")."""
    small = tmp_path / "small.csv"
    per_file = write_big_marks_csv(small, pupils=50, days=5)
    for round_number in range(ROUNDS):
        db = tmp_path / f"new{round_number}" / "att.sqlite"
        runs = [_popen("import", str(small), "--format", "json", db=db) for _ in range(3)]
        added = []
        for process in runs:
            code, out, err = _finish(process)
            assert code == 0, err
            added.append(json.loads(out)["files"][0]["marks_added"])
        assert sorted(added) == [0, 0, per_file]
        assert integrity(db) == ["ok"] and marks_held(db) == per_file
        assert sorted(p.name for p in db.parent.iterdir() if "lock" in p.name) == []
        assert db.stat().st_mode & 0o777 == 0o600
        figures("concurrency: att import runs started together on a new database", 3)
