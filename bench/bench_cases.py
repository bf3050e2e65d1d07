"""Benchmark: casework commands on a whole LA, this checkout against another in the same run.

    python bench/bench_cases.py bench/out/la.sqlite [--other /path/to/main] [--runs 7]

``bench/out/la.sqlite`` is the LA database ``bench/bench_commands.py`` builds (or any att
database at the other checkout's schema). The script copies it twice into a temporary folder,
adds casework with the other checkout's CLI (so both start from the same rows): for the pupil
``bench_commands.py`` uses, a lead, 12 actions, 6 notes and two penalty notices (one paid); for
600 other pupils a case with a lead, a note and 3 actions (inserted with SQL: the CLI would take
minutes). Each checkout opens its own copy (this one upgrades its schema first, untimed).

Each command then runs as a fresh process (start-up included), alternating checkouts so both
see the same noise on a shared host; the median and the worst wall time are printed with the
ratio, and the median CPU time (user + system), which a busy host disturbs much less.
Target (issue 11): ``att case show`` <= 0.4 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # measure with cached bytecode, as installed
HERE = Path(__file__).resolve().parent.parent
STAMP = "2025-10-01 09:00:00.000000"


def att(checkout: Path, db: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "ATT_DB": str(db), "PYTHONPATH": str(checkout), "ATT_OFFICER": "Bench"}
    return subprocess.run(
        [sys.executable, "-m", "attendance_cli", *args], env=env, capture_output=True, cwd="/"
    )


def checked(checkout: Path, db: Path, *args: str) -> None:
    proc = att(checkout, db, *args)
    if proc.returncode != 0:
        raise SystemExit(f"att {' '.join(args)} failed: {proc.stderr.decode()[-2000:]}")


def add_casework(checkout: Path, db: Path) -> str:
    conn = sqlite3.connect(db)
    school = conn.execute(
        "SELECT laestab FROM school ORDER BY laestab LIMIT 1 OFFSET 60"
    ).fetchone()
    upn = conn.execute(
        "SELECT p.upn FROM pupil p JOIN enrolment e ON e.pupil_id = p.id JOIN school s "
        "ON s.id = e.school_id WHERE s.laestab = ? ORDER BY p.upn LIMIT 1",
        school,
    ).fetchone()[0]
    conn.close()
    checked(checkout, db, "case", "set-lead", upn, "--name", "A Lead", "--agency", "school")
    for i in range(12):
        checked(
            checkout, db, "case", "add-action", upn, "--kind", "home visit",
            "--action", f"Visit {i}", "--owner", "A Lead", "--agency", "school",
            "--due", f"2026-0{1 + i % 6}-1{i % 9}",
        )  # fmt: skip
    for i in range(6):
        checked(checkout, db, "case", "note", upn, f"Note {i} about attendance")
    checked(
        checkout, db, "penalty", "add", upn, "--parent", "Bench Parent", "--issued", "2025-10-01",
        "--new-parent", "--no-copy", "bench: no letter settings", "--force", "--reason", "bench",
    )  # fmt: skip
    checked(checkout, db, "penalty", "add", upn, "--parent", "Other Parent", "--issued",
            "2025-10-02", "--paid", "2025-10-10", "--new-parent", "--no-copy", "bench: no letter settings", "--force", "--reason", "bench")  # fmt: skip
    conn = sqlite3.connect(db)
    pupils = [
        r[0]
        for r in conn.execute("SELECT id FROM pupil WHERE upn != ? ORDER BY id LIMIT 600", (upn,))
    ]
    with conn:
        for pupil_id in pupils:
            case_id = conn.execute(
                "INSERT INTO pupil_case (pupil_id, status, opened_at, opened_by) "
                "VALUES (?, 'open', ?, 'Bench')",
                (pupil_id, STAMP),
            ).lastrowid
            conn.execute(
                "INSERT INTO lead_practitioner (case_id, name, agency, set_at, officer) "
                "VALUES (?, 'B Lead', 'school', ?, 'Bench')",
                (case_id, STAMP),
            )
            conn.execute(
                "INSERT INTO case_note (case_id, text, created_at, officer) "
                "VALUES (?, 'Bench note', ?, 'Bench')",
                (case_id, STAMP),
            )
            for due in ("2025-11-01", "2026-01-15", None):
                conn.execute(
                    "INSERT INTO case_action (case_id, tier, kind, description, due, status, "
                    "created_at, officer) VALUES (?, 'support', 'home visit', 'Visit', ?, "
                    "'agreed', ?, 'Bench')",
                    (case_id, due, STAMP),
                )
    conn.close()
    return upn


def timed(checkout: Path, db: Path, args: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = att(checkout, db, *args)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"att {' '.join(args)} failed: {proc.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--other", type=Path, help="another checkout to compare (e.g. main)")
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    checkouts = {"this": HERE}
    if options.other:
        checkouts = {"other": options.other.resolve(), "this": HERE}
    setup = checkouts.get("other", HERE)
    folder = Path(tempfile.mkdtemp(prefix="att-bench-cases-"))
    try:
        base = folder / "base.sqlite"
        shutil.copyfile(options.database, base)
        upn = add_casework(setup, base)
        dbs = {}
        for label, checkout in checkouts.items():
            dbs[label] = folder / f"{label}.sqlite"
            shutil.copyfile(base, dbs[label])
            checked(checkout, dbs[label], "case", "show", upn)  # upgrade the schema, untimed
        print(f"pupil {upn}; 601 cases with casework; {options.runs} runs each, alternating")
        commands = [
            (["case", "show", upn], 0.4),
            (["case", "show", upn, "--format", "json"], 0.4),
            (["case", "list"], None),
            (["case", "list", "--format", "json"], None),
            (["penalty", "list", "--upn", upn], None),
        ]
        for args, target in commands:
            times: dict[str, list[float]] = {label: [] for label in checkouts}
            cpus: dict[str, list[float]] = {label: [] for label in checkouts}
            for _ in range(options.runs):
                for label, checkout in checkouts.items():
                    wall, cpu = timed(checkout, dbs[label], args)
                    times[label].append(wall)
                    cpus[label].append(cpu)
            parts = []
            for label in checkouts:
                median, worst = statistics.median(times[label]), max(times[label])
                cpu = statistics.median(cpus[label])
                parts.append(f"{label} {median:.2f} s (worst {worst:.2f}, cpu {cpu:.2f})")
            line = f"att {' '.join(args):<40} " + "; ".join(parts)
            if "other" in times:
                ratio = statistics.median(times["this"]) / statistics.median(times["other"])
                line += f"; this/other {ratio:.2f}"
            if target is not None:
                line += f"; target {target} s"
            print(line, flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
