"""Benchmark: wall time of everyday commands on a whole LA (issue 11 targets).

    python bench/generate_la.py bench/out/la       # once
    python bench/bench_commands.py bench/out/la    # builds bench/out/la.sqlite on first run
    python bench/bench_commands.py bench/out/la --against ../main   # A/B with another checkout

Each command runs as a fresh process (start-up included), 5 times; the median and the worst are
printed. Targets: ``att --help`` <= 0.2 s; ``att tsm prepare --school X`` <= 0.5 s;
``att pupil show UPN`` <= 0.3 s; ``att report la`` <= 3 s, with ``--output la.xlsx`` too (the
workbooks are written beside the database).

``--against TREE`` runs every command alternately from this checkout and from TREE (another
checkout's folder, put first on PYTHONPATH) and prints both with their ratio: on a shared, noisy
host only the ratio of runs taken side by side means anything.
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


def timed(args: list[str], envs: list[dict[str, str]]) -> list[tuple[float, float]]:
    """(median, worst) per environment, the runs of the environments taken in turn."""
    times: list[list[float]] = [[] for _ in envs]
    for _ in range(RUNS):
        for env, runs in zip(envs, times, strict=True):
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "attendance_cli", *args], env=env, capture_output=True
            )
            runs.append(time.perf_counter() - start)
            if proc.returncode != 0:
                raise SystemExit(f"att {' '.join(args)} failed: {proc.stderr.decode()[-2000:]}")
    return [(statistics.median(runs), max(runs)) for runs in times]


def main() -> None:
    argv = sys.argv[1:]
    against = None
    if "--against" in argv:
        at = argv.index("--against")
        against = str(Path(argv[at + 1]).resolve())
        del argv[at : at + 2]
    root = Path(argv[0] if argv else "bench/out/la")
    db = root.with_suffix(".sqlite")
    env = {**os.environ, "ATT_DB": str(db)}
    here = str(Path(__file__).resolve().parents[1])
    envs = [{**env, "PYTHONPATH": here}]
    if against:
        envs.append({**env, "PYTHONPATH": against})
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
    if against:
        print(f"each command from {here} (this) and {against} (against), in turn")
    commands = [
        (["--help"], 0.2),
        (["tsm", "prepare", "--school", school], 0.5),
        (["tsm", "prepare", "--school", school, "--format", "json"], 0.5),
        (["tsm", "prepare", "--school", school, "--output", str(root.parent / "pack.xlsx")], None),
        (["pupil", "show", upn], 0.3),
        (["pupil", "show", upn, "--format", "json"], 0.3),
        (["report", "la"], 3.0),
        (["report", "la", "--format", "json"], 3.0),
        (["report", "la", "--output", str(root.parent / "la-report.xlsx")], 3.0),
        (["schools"], None),
        (["schools", "--format", "json"], None),
    ]
    for args, target in commands:
        try:
            results = timed(args, envs)
        except SystemExit as exc:
            print(f"att {' '.join(args)}: not available ({str(exc)[:120]})")
            continue
        goal = f"(target <= {target} s)" if target else ""
        (median, worst), *other = results
        line = f"att {' '.join(args):45s} median {median:.2f} s, worst {worst:.2f} s"
        if other:
            ((base, base_worst),) = other
            line += f" | against {base:.2f} s, worst {base_worst:.2f} s; ratio {median / base:.2f}"
        print(f"{line} {goal}")


if __name__ == "__main__":
    main()
