"""Benchmark: what ``synchronous = FULL`` (every commit synced, issue 13.15) costs against
``NORMAL`` in WAL mode, on the disk holding the folder given (default: a temporary folder).

    python bench/bench_durability.py [FOLDER]

Prints, for each setting, the time of 200 small casework-sized commits (one row and one audit
entry each: what `att case note` does) and of one import-sized commit (20,000 rows of 540
characters, the shape of an LA's mark_year rows). Import runs one transaction per file, so FULL
adds one sync per file; casework pays one sync per command.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

SMALL_COMMITS = 200
BIG_ROWS = 20_000


def _connect(path: Path, synchronous: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute("CREATE TABLE IF NOT EXISTS note (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY, detail TEXT)")
    conn.execute("CREATE TABLE IF NOT EXISTS mark_year (id INTEGER PRIMARY KEY, marks TEXT)")
    return conn


def measure(folder: Path, synchronous: str) -> tuple[float, float]:
    path = folder / f"bench-{synchronous}.sqlite"
    conn = _connect(path, synchronous)
    started = time.perf_counter()
    for number in range(SMALL_COMMITS):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO note (text) VALUES (?)", (f"Home visit {number}" * 5,))
        conn.execute("INSERT INTO audit (detail) VALUES (?)", ("{'entity': 'note'}" * 4,))
        conn.execute("COMMIT")
    small = time.perf_counter() - started
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO mark_year (marks) VALUES (?)", (("/\\" * 270,) for _ in range(BIG_ROWS))
    )
    conn.execute("COMMIT")
    big = time.perf_counter() - started
    conn.close()
    return small, big


def main() -> None:
    with tempfile.TemporaryDirectory(dir=sys.argv[1] if len(sys.argv) > 1 else None) as tmp:
        folder = Path(tmp)
        print(f"folder: {folder}")
        results = {}
        for synchronous in ("NORMAL", "FULL", "NORMAL", "FULL"):  # twice each: noise shows
            results.setdefault(synchronous, []).append(measure(folder, synchronous))
        for synchronous, runs in results.items():
            small = min(r[0] for r in runs)
            big = min(r[1] for r in runs)
            print(
                f"{synchronous:6s}: {SMALL_COMMITS} casework commits {small * 1000:,.0f} ms "
                f"({small / SMALL_COMMITS * 1000:.2f} ms each); one import-sized commit of "
                f"{BIG_ROWS:,} rows {big * 1000:,.0f} ms"
            )


if __name__ == "__main__":
    main()
