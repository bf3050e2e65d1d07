"""SIGKILL during ``att import``: the database stays intact and holds all or none of the file.

The file is sized so the import takes about a second. Kills are spread two ways: by time across
the whole run (start-up, reading, validating, writing), and by progress inside the write
transaction, watching the write-ahead log grow and killing at fractions of its final size, plus
once the main file starts growing (the checkpoint after the commit). After each kill: PRAGMA
integrity_check is ok, the database holds 0 or all of the file's marks (and an import log entry
exactly when it holds them), and importing the file again succeeds.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from attendance_cli.db.engine import connect
from attendance_cli.registers.importer import import_registers
from attendance_cli.store import Store
from tests.reliability.support import (
    att_command,
    child_env,
    integrity,
    marks_held,
    table_counts,
    write_big_marks_csv,
)

KILLS = 20
PUPILS, DAYS = 6000, 5


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("crash") / "big_marks.csv"
    return path, write_big_marks_csv(path, pupils=PUPILS, days=DAYS)


def _start(db: Path, file: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        att_command("import", str(file), db=db),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=child_env(),
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _calibrate(template: Path, tmp: Path, file: Path) -> tuple[float, int]:
    """One uninterrupted run: its duration and the largest write-ahead log seen."""
    db = tmp / "calibrate.sqlite"
    shutil.copyfile(template, db)
    wal = Path(f"{db}-wal")
    started = time.perf_counter()
    process = _start(db, file)
    largest = 0
    while process.poll() is None:
        largest = max(largest, _size(wal))
        time.sleep(0.0005)
    assert process.returncode == 0
    return time.perf_counter() - started, largest


def _kill_point(
    kind: str, at: float, started: float, db: Path, wal_peak: int, base_size: int
) -> Callable[[], bool]:
    """When to kill: ``at`` seconds after the start, the write-ahead log at fraction ``at`` of
    its peak (inside the write transaction), or the main file growing (the checkpoint)."""
    wal = Path(f"{db}-wal")
    if kind == "time":
        return lambda: time.perf_counter() - started >= at
    if kind == "wal":
        return lambda: _size(wal) >= max(1, int(wal_peak * at))
    return lambda: _size(db) > base_size


def _kill_when(
    process: subprocess.Popen[bytes], ready: Callable[[], bool], deadline: float
) -> bool:
    """SIGKILL the process as soon as ``ready()`` holds; False if it finished first."""
    while process.poll() is None:
        if ready() or time.perf_counter() > deadline:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return process.returncode == -signal.SIGKILL
        time.sleep(0.0002)
    return False


def test_sigkill_at_20_points_leaves_all_or_nothing(
    template_db: Path, tmp_path: Path, big_file: tuple[Path, int], figures
) -> None:  # type: ignore[no-untyped-def]
    file, total_marks = big_file
    duration, wal_peak = _calibrate(template_db, tmp_path, file)
    assert wal_peak > 0
    # Points: times across the whole run, fractions of the write-ahead log, the checkpoint.
    plan: list[tuple[str, float]] = [
        ("time", duration * f) for f in (0.1, 0.25, 0.4, 0.55, 0.7, 0.8, 0.9)
    ]
    plan += [("wal", f) for f in (0.02, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)]
    plan += [("checkpoint", 0.0)]
    outcomes: list[tuple[str, float, int]] = []
    attempts = 0
    while len(outcomes) < KILLS and attempts < 3 * KILLS:
        kind, at = plan[attempts % len(plan)]
        attempts += 1
        db = tmp_path / f"kill{attempts}.sqlite"
        shutil.copyfile(template_db, db)
        connect(db).close()  # WAL mode, as every att database is
        base_size = _size(db)
        started = time.perf_counter()
        process = _start(db, file)
        ready = _kill_point(kind, at, started, db, wal_peak, base_size)
        killed = _kill_when(process, ready, started + 4 * duration + 5)
        if not killed:
            continue  # finished before the point: not a kill; the plan goes round again
        assert integrity(db) == ["ok"], f"kill {kind} {at}: damaged"
        held = marks_held(db)
        logged = table_counts(db)["import_log"]
        assert held in (0, total_marks), f"kill {kind} {at}: {held} of {total_marks} marks"
        assert logged == (1 if held else 0)
        conn = Store(connect(db), db)
        try:
            again = import_registers(conn, paths=[file])
        finally:
            conn.close()
        summary = again.files[0]
        assert summary.status == "imported"
        assert summary.marks_added == (0 if held else total_marks)
        assert summary.marks_unchanged == (total_marks if held else 0)
        assert marks_held(db) == total_marks and integrity(db) == ["ok"]
        outcomes.append((kind, at, held))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    assert len(outcomes) == KILLS, f"only {len(outcomes)} kills landed in {attempts} attempts"
    figures("crash: SIGKILLs survived during att import", len(outcomes))
    figures("crash: kills that left none of the file", sum(1 for o in outcomes if o[2] == 0))
    figures("crash: kills that left all of the file", sum(1 for o in outcomes if o[2]))
    figures(
        "crash: kills inside the write transaction (WAL growing)",
        sum(1 for o in outcomes if o[0] == "wal"),
    )
