"""Benchmark: `att audit verify` over a whole LA's casework, and the 0009 baseline upgrade.

    python bench/bench_audit_verify.py [--cases 5000] [--runs 3]

Builds a database at schema 0005_letters in a temporary folder with ``--cases`` pupils, each
with a case, a lead practitioner, 3 notes, 4 actions and a document, and a penalty notice for
every tenth (inserted with SQL, as an LA upgrading from an older release would have them);
then times, each printed as median and worst of ``--runs``:

- the upgrade to this release's head (migration 0009 writes one ``baseline`` entry per row);
- ``verify_audit`` in-process (the chain, then every row against its latest entry), with rows
  and entries per second;
- ``att audit verify`` as a fresh process (start-up included);
- ``casework_findings`` for one pupil (what each ``att referral export`` runs first).

Memory stays flat: the chain is streamed once and each table is merged with its latest entries
(both in id order), so nothing grows with the log but the counters.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
STAMP = "2025-10-01 09:00:00.000000"


def build(path: Path, cases: int) -> tuple[int, str]:
    from attendance_cli.db import migrate
    from attendance_cli.db.engine import create_private_file

    create_private_file(path)
    migrate.upgrade_database(path, revision="0005_letters")
    conn = sqlite3.connect(path)
    rows = 0
    with conn:
        conn.execute(
            "INSERT INTO school (id, laestab, name, created_at) VALUES (1, '8990001', 'S', ?)",
            (STAMP,),
        )
        for number in range(1, cases + 1):
            upn = f"B{number:012d}"
            conn.execute(
                "INSERT INTO pupil (id, upn, surname, forename, created_at, updated_at) "
                "VALUES (?, ?, 'Surname', 'Forename', ?, ?)",
                (number, upn, STAMP, STAMP),
            )
            conn.execute(
                "INSERT INTO pupil_case (id, pupil_id, status, opened_at, opened_by) "
                "VALUES (?, ?, 'open', ?, 'Bench')",
                (number, number, STAMP),
            )
            conn.execute(
                "INSERT INTO lead_practitioner (case_id, name, agency, set_at, officer) "
                "VALUES (?, 'B Lead', 'school', ?, 'Bench')",
                (number, STAMP),
            )
            conn.executemany(
                "INSERT INTO case_note (case_id, text, created_at, officer) VALUES (?, ?, ?, ?)",
                [(number, f"Note {i}: home visit, spoke to mum about mornings", STAMP, "Bench")
                 for i in range(3)],
            )  # fmt: skip
            conn.executemany(
                "INSERT INTO case_action (case_id, tier, kind, description, due, status, "
                "created_at, officer) VALUES (?, 'support', 'home visit', 'Visit', ?, 'agreed', "
                "?, 'Bench')",
                [(number, "2026-01-15", STAMP)] * 4,
            )
            conn.execute(
                "INSERT INTO case_document (case_id, kind, file_name, sha256, bytes, "
                "document_date, created_at, officer) VALUES (?, 'letter', 'w.pdf', ?, 100, "
                "'2025-10-01', ?, 'Bench')",
                (number, f"{number:064x}", STAMP),
            )
            rows += 10
            if number % 10 == 0:
                conn.execute(
                    "INSERT INTO penalty_notice (pupil_id, case_id, parent_name, issued, "
                    "amount_pence, created_at, officer) VALUES (?, ?, 'P', '2025-09-01', 8000, "
                    "?, 'Bench')",
                    (number, number, STAMP),
                )
                rows += 1
    conn.close()
    return rows, f"B{cases // 2:012d}"


def median_worst(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} s, worst {max(values):.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()

    from attendance_cli.cases.audit import casework_findings, verify_audit
    from attendance_cli.db.engine import open_database

    folder = Path(tempfile.mkdtemp(prefix="att-bench-audit-"))
    try:
        base = folder / "base.sqlite"
        rows, upn = build(base, options.cases)
        print(f"{options.cases:,} cases, {rows:,} casework rows at schema 0005_letters")
        upgrades, db = [], folder / "att.sqlite"
        for _ in range(options.runs):
            shutil.copyfile(base, db)
            for backup in folder.glob("att.backup-*"):
                backup.unlink()
            start = time.perf_counter()
            conn, _ = open_database(db)
            upgrades.append(time.perf_counter() - start)
            conn.close()
        print(f"upgrade with baseline (backup included): {median_worst(upgrades)}")

        conn, _ = open_database(db)
        verifies, check = [], None
        for _ in range(options.runs):
            start = time.perf_counter()
            check = verify_audit(conn)
            verifies.append(time.perf_counter() - start)
        assert check is not None and check.ok, check
        best = statistics.median(verifies)
        print(
            f"verify_audit: {check.entries:,} entries, {check.rows_checked:,} rows: "
            f"{median_worst(verifies)} ({check.rows_checked / best:,.0f} rows/s)"
        )
        pupil = []
        for _ in range(options.runs):
            start = time.perf_counter()
            assert casework_findings(conn, upn=upn) == []
            pupil.append(time.perf_counter() - start)
        print(f"casework_findings for one pupil (before each export): {median_worst(pupil)}")
        conn.close()

        env = {**os.environ, "ATT_DB": str(db), "PYTHONPATH": str(HERE)}
        processes = []
        for _ in range(options.runs):
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "attendance_cli", "audit", "verify"],
                env=env, capture_output=True, cwd="/",
            )  # fmt: skip
            processes.append(time.perf_counter() - start)
            assert proc.returncode == 0, proc.stderr.decode()[-2000:]
        print(f"att audit verify (fresh process): {median_worst(processes)}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
