"""Benchmark: roster imports with contacts updated in place and contact corrections in force.

    python bench/generate_la.py bench/out/la --formats ""   # once: the 48,000-pupil roster
    python bench/bench_rectify.py bench/out/la

Each import runs ``att import ROSTER`` in a fresh process on one database, in this order, and
prints its wall time: the first import (48,000 pupils, 96,000 contacts written); the same file
again (nothing changes); a file in which every pupil's first contact has a new phone (48,000
contacts updated in place, ids kept); then, after 1,000 contact corrections made with
``privacy.rectify.correct_contact``, the original file again (the 1,000 corrected fields kept,
the other 47,000 phones put back).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

CORRECTIONS = 1000


def run_import(path: Path, db: Path) -> float:
    env = {**os.environ, "ATT_DB": str(db)}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "attendance_cli", "import", str(path), "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"import failed with exit {proc.returncode}")
    return elapsed


def changed_phones(roster: Path, out: Path) -> Path:
    with roster.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    phone = rows[0].index("Parent 1 Phone")
    for number, row in enumerate(rows[1:]):
        row[phone] = f"07700 {number:06d}"
    with out.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return out


def correct(db: Path, count: int) -> float:
    from attendance_cli.privacy.rectify import correct_contact
    from attendance_cli.store import open_store

    store, _ = open_store(db)
    with store:
        ids = [
            r[0]
            for r in store.connection.execute(
                "SELECT id FROM contact WHERE priority = 1 ORDER BY id LIMIT ?", (count,)
            )
        ]
        start = time.perf_counter()
        for contact_id in ids:
            correct_contact(
                store,
                contact_id=contact_id,
                changes={"phone": f"01632 {contact_id:06d}"},
                reason="bench",
                officer="bench",
            )
        return time.perf_counter() - start


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    roster = Path(argv[0]) / "roster.csv"
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite"
        print(f"first import (48,000 pupils): {run_import(roster, db):.1f} s")
        print(f"same file again: {run_import(roster, db):.1f} s")
        changed = changed_phones(roster, Path(tmp) / "roster-phones.csv")
        print(
            f"every first contact's phone changed (updated in place): {run_import(changed, db):.1f} s"
        )
        spent = correct(db, CORRECTIONS)
        print(
            f"{CORRECTIONS} contact corrections: {spent:.1f} s ({1000 * spent / CORRECTIONS:.1f} ms each)"
        )
        print(
            f"original file with {CORRECTIONS} corrections in force: {run_import(roster, db):.1f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
