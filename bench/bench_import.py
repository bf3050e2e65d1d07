"""Benchmark: import a whole generated LA and print the figures (issue 2 targets).

    python bench/generate_la.py bench/out/la          # once: ~18.7M marks, grid + long CSVs
    python bench/bench_import.py bench/out/la
    python bench/bench_import.py bench/out/la --postgresql   # grid CSVs on SQLite, then on PG

``--postgresql`` (issue 16) imports the grid CSVs into a fresh SQLite file and then into a fresh
database on a private PostgreSQL server (``tests/postgres/server.py``: initdb + pg_ctl on a Unix
socket, fsync on as a real server has it), and prints both times and their ratio (target: PG
within 1.5x SQLite).

Each scenario runs ``att import`` in a fresh process on a fresh database and reports wall time,
peak memory (max RSS of the child) and database bytes per mark. Targets: grid CSVs <= 10 s,
long CSVs <= 20 s, peak memory <= 1 GiB, database <= 3 bytes per mark.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

# Measure as an installed att runs: with cached bytecode (some shells set this variable).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
from pathlib import Path


def run_import(files: list[Path], db: Path | str) -> tuple[float, int, dict]:
    env = {**os.environ, "ATT_DB": str(db)}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "attendance_cli", "import", *map(str, files), "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"import failed with exit {proc.returncode}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak_kib * 1024, json.loads(proc.stdout)


def db_info(db: Path | str) -> dict:
    env = {**os.environ, "ATT_DB": str(db)}
    out = subprocess.run(
        [sys.executable, "-m", "attendance_cli", "db", "info", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def import_la(files: list[Path], roster: Path, db: Path | str) -> tuple[float, dict]:
    subprocess.run(
        [sys.executable, "-m", "attendance_cli", "import", str(roster), "--format", "json"],
        env={**os.environ, "ATT_DB": str(db)},
        capture_output=True,
        check=True,
    )
    elapsed, _, summary = run_import(files, db)
    if not summary["ok"]:
        raise SystemExit("some files were rejected")
    return elapsed, db_info(db)


def main_postgresql(root: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.postgres.server import running_server

    files = sorted((root / "grid").glob("*.csv"))
    roster = root / "roster.csv"
    with tempfile.TemporaryDirectory() as tmp:
        on_sqlite, info = import_la(files, roster, Path(tmp) / "bench.sqlite")
    print(f"grid on SQLite:     {len(files)} files -> {info['marks']:,} marks in {on_sqlite:.1f} s")
    with running_server(fsync=True) as server:
        url = server.create_database("bench")
        on_pg, info = import_la(files, roster, url)
        print(
            f"grid on PostgreSQL: {len(files)} files -> {info['marks']:,} marks in {on_pg:.1f} s "
            f"= {on_pg / on_sqlite:.2f}x SQLite (target <= 1.5x); database "
            f"{info['size_bytes'] / 2**20:,.0f} MiB"
        )
        times = []
        school = "8992161"
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "attendance_cli", "tsm", "prepare", "--school", school],
                env={**os.environ, "ATT_DB": url},
                capture_output=True,
                check=True,
            )
            times.append(time.perf_counter() - start)
        times.sort()
        print(
            f"att tsm prepare --school {school} on PostgreSQL: median {times[2]:.2f} s, "
            f"worst {times[-1]:.2f} s (target <= 1 s)"
        )


def main() -> None:
    if "--postgresql" in sys.argv:
        sys.argv.remove("--postgresql")
        main_postgresql(Path(sys.argv[1] if len(sys.argv) > 1 else "bench/out/la"))
        return
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/out/la")
    roster = root / "roster.csv"
    print(f"LA data: {root}")
    for layout, target in (("grid", 10.0), ("marks", 20.0)):
        files = sorted((root / layout).glob("*.csv"))
        size = sum(f.stat().st_size for f in files)
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.sqlite"
            # the roster first, untimed: the target is for the register files
            subprocess.run(
                [sys.executable, "-m", "attendance_cli", "import", str(roster), "--format", "json"],
                env={**os.environ, "ATT_DB": str(db)},
                capture_output=True,
                check=True,
            )
            elapsed, peak, summary = run_import(files, db)
            info = db_info(db)
            marks = info["marks"]
            print(
                f"{layout:5s}: {len(files)} files, {size / 2**20:,.0f} MiB -> {marks:,} marks in "
                f"{elapsed:.1f} s (target <= {target:.0f} s), peak RSS {peak / 2**20:,.0f} MiB "
                f"(target <= 1024), database {info['size_bytes'] / 2**20:,.1f} MiB = "
                f"{info['size_bytes'] / max(marks, 1):.2f} bytes/mark (target <= 3)"
            )
            if not summary["ok"]:
                raise SystemExit("some files were rejected")
            # re-import: idempotence at scale
            elapsed2, _, summary2 = run_import(files[:10], db)
            changed = sum(f["marks_changed"] + f["marks_added"] for f in summary2["files"])
            print(
                f"       re-import of 10 files: {elapsed2:.1f} s, {changed} marks added or changed"
            )


if __name__ == "__main__":
    main()
