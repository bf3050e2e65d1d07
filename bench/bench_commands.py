"""Benchmark: wall time of everyday commands on a whole LA (issue 2 and 3 targets).

    python bench/generate_la.py bench/out/la       # once
    python bench/bench_commands.py bench/out/la    # builds bench/out/la.sqlite on first run

Each command runs as a fresh process (start-up included), 5 times; the median and the worst are
printed. Targets: ``att --help`` <= 0.3 s; ``att tsm prepare --school X`` <= 1 s;
``att pupil show UPN`` <= 0.5 s; ``att report la`` <= 5 s, with ``--output la.xlsx`` too (the
workbooks are written beside the database).
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import time

# Measure as an installed att runs: with cached bytecode (some shells set this variable).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
from pathlib import Path

RUNS = 5


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "attendance_cli", *args], env=env, capture_output=True
        )
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"att {' '.join(args)} failed: {proc.stderr.decode()[-2000:]}")
    return statistics.median(times), max(times)


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/out/la")
    db = root.with_suffix(".sqlite")
    env = {**os.environ, "ATT_DB": str(db)}
    if not db.exists():
        print(f"Building {db} from {root} (roster + grid files) ...")
        files = [str(root / "roster.csv"), *map(str, sorted((root / "grid").glob("*.csv")))]
        subprocess.run(
            [sys.executable, "-m", "attendance_cli", "import", *files, "--format", "json"],
            env=env,
            check=True,
            capture_output=True,
        )
    conn = sqlite3.connect(db)
    school = conn.execute(
        "SELECT laestab FROM school ORDER BY laestab LIMIT 1 OFFSET 60"
    ).fetchone()[0]
    upn = conn.execute(
        "SELECT p.upn FROM pupil p JOIN enrolment e ON e.pupil_id = p.id JOIN school s ON s.id = e.school_id "
        "WHERE s.laestab = ? ORDER BY p.upn LIMIT 1",
        (school,),
    ).fetchone()[0]
    enrolments = conn.execute("SELECT count(*) FROM enrolment").fetchone()[0]
    conn.close()
    print(f"LA database {db}: {enrolments:,} enrolments; school {school}, pupil {upn}")
    commands = [
        (["--help"], 0.3),
        (["tsm", "prepare", "--school", school], 1.0),
        (["tsm", "prepare", "--school", school, "--format", "json"], 1.0),
        (
            [
                "tsm",
                "prepare",
                "--school",
                school,
                "--output",
                str(root.parent / "pack.xlsx"),
                "--force",
            ],
            None,
        ),
        (["pupil", "show", upn], 0.5),
        (["pupil", "show", upn, "--format", "json"], 0.5),
        (["report", "la"], 5.0),
        (["report", "la", "--format", "json"], 5.0),
        (["report", "la", "--output", str(root.parent / "la-report.xlsx"), "--force"], 5.0),
        (["schools"], None),
        (["schools", "--format", "json"], None),
    ]
    for args, target in commands:
        try:
            median, worst = timed(args, env)
        except SystemExit as exc:
            print(f"att {' '.join(args)}: not available ({str(exc)[:120]})")
            continue
        goal = f"(target <= {target} s)" if target else ""
        print(f"att {' '.join(args):45s} median {median:.2f} s, worst {worst:.2f} s {goal}")


if __name__ == "__main__":
    main()
