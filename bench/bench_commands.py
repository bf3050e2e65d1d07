"""Benchmark: wall time of everyday commands on a whole LA (issue 11 targets; bench/README.md).

    python bench/generate_la.py bench/out/la       # once
    python bench/bench_commands.py bench/out/la    # builds bench/out/la.sqlite on first run
    python bench/bench_commands.py bench/out/la --against ../main   # A/B with another checkout
    python bench/bench_commands.py bench/out/la --postgresql        # tsm prepare on PostgreSQL

Each command runs as a fresh process (start-up included), 5 times; the median and the worst wall
time are printed, with the median CPU time (user + system of the child: on a shared, loaded host
the steadier figure). Targets: ``att --help`` <= 0.2 s; ``att tsm prepare --school X`` <= 0.5 s;
``att pupil show UPN`` <= 0.3 s; ``att report la`` <= 3 s, with ``--output la.xlsx`` too (the
workbooks are written beside the database); ``att case show`` <= 0.4 s is in bench_cases.py.

``--against TREE`` runs every command alternately from this checkout and from TREE (another
checkout's folder, put first on PYTHONPATH and used as the working folder, so ``python -m`` finds
its package, not this one) on a database of its own (``la-against.sqlite``, imported by TREE: the
two schemas may differ) and prints both with their ratio: on a shared, noisy host only the ratio
of runs taken side by side means anything.

``--postgresql`` imports the LA's grid files into a private PostgreSQL server
(``tests/postgres/server.py``, fsync on) and runs ``att tsm prepare`` 10 times (target: the
worst <= 1 s); with ``--against`` TREE's runs alternate with these on a database of its own.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import time

# Measure as an installed att runs: with cached bytecode (some shells set this variable).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
from pathlib import Path

RUNS = 5


def timed(
    args: list[str], envs: list[dict[str, str]], runs: int = RUNS
) -> list[tuple[float, float, float]]:
    """(median wall, worst wall, median CPU) per environment, the environments taken in turn."""
    walls: list[list[float]] = [[] for _ in envs]
    cpus: list[list[float]] = [[] for _ in envs]
    for _ in range(runs):
        for env, wall, cpu in zip(envs, walls, cpus, strict=True):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "attendance_cli", *args],
                env=env,
                cwd=env["PYTHONPATH"],  # python -m looks in the working folder first
                capture_output=True,
            )
            wall.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            if proc.returncode != 0:
                raise SystemExit(f"att {' '.join(args)} failed: {proc.stderr.decode()[-2000:]}")
    return [
        (statistics.median(w), max(w), statistics.median(c))
        for w, c in zip(walls, cpus, strict=True)
    ]


def build(root: Path, db: str | Path, tree: str) -> None:
    """Import the LA (roster and grid files) into ``db`` with the att of ``tree``."""
    files = [str(root / "roster.csv"), *map(str, sorted((root / "grid").glob("*.csv")))]
    subprocess.run(
        [sys.executable, "-m", "attendance_cli", "import", *files, "--format", "json"],
        env={**os.environ, "ATT_DB": str(db), "PYTHONPATH": tree},
        cwd=tree,
        check=True,
        capture_output=True,
    )


def line(args: list[str], results: list[tuple[float, float, float]], target: float | None) -> str:
    goal = f"(target <= {target} s)" if target else ""
    (median, worst, cpu), *other = results
    text = f"att {' '.join(args):45s} median {median:.2f} s, worst {worst:.2f} s, cpu {cpu:.2f} s"
    if other:
        ((base, base_worst, base_cpu),) = other
        text += (
            f" | against {base:.2f} s, worst {base_worst:.2f} s, cpu {base_cpu:.2f} s; "
            f"ratio {median / base:.2f} (cpu {cpu / base_cpu:.2f})"
        )
    return f"{text} {goal}"


def main_postgresql(root: Path, here: str, against: str | None, school: str) -> None:
    sys.path.insert(0, here)
    from tests.postgres.server import running_server

    with running_server(fsync=True) as server:
        trees = [here, *([against] if against else [])]
        envs = []
        for n, tree in enumerate(trees):
            url = server.create_database(f"bench{n}")
            start = time.perf_counter()
            build(root, url, tree)
            print(f"{tree}: LA imported into PostgreSQL in {time.perf_counter() - start:.1f} s")
            envs.append({**os.environ, "ATT_DB": url, "PYTHONPATH": tree})
        for args in (["tsm", "prepare", "--school", school], ["pupil", "show", UPN_ON_PG[0]]):
            if args[0] == "pupil" and not UPN_ON_PG[0]:
                continue
            target = 1.0 if args[0] == "tsm" else None
            print("PostgreSQL: " + line(args, timed(args, envs, runs=10), target))


UPN_ON_PG = [""]


def main() -> None:
    argv = sys.argv[1:]
    against = None
    if "--against" in argv:
        at = argv.index("--against")
        against = str(Path(argv[at + 1]).resolve())
        del argv[at : at + 2]
    postgresql = "--postgresql" in argv
    if postgresql:
        argv.remove("--postgresql")
    root = Path(argv[0] if argv else "bench/out/la").resolve()
    db = root.with_suffix(".sqlite")
    here = str(Path(__file__).resolve().parents[1])
    envs = [{**os.environ, "ATT_DB": str(db), "PYTHONPATH": here}]
    if not db.exists():
        print(f"Building {db} from {root} (roster + grid files) ...")
        build(root, db, here)
    if against:
        other = root.with_name(root.name + "-against.sqlite")
        if not other.exists():
            print(f"Building {other} with {against} ...")
            build(root, other, against)
        envs.append({**os.environ, "ATT_DB": str(other), "PYTHONPATH": against})
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
    if postgresql:
        UPN_ON_PG[0] = upn
        main_postgresql(root, here, against, school)
        return
    commands = [
        (["--help"], 0.2),
        (["tsm", "prepare", "--school", school], 0.5),
        (["tsm", "prepare", "--school", school, "--format", "json"], 0.5),
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
        (["pupil", "show", upn], 0.3),
        (["pupil", "show", upn, "--format", "json"], 0.3),
        (["report", "la"], 3.0),
        (["report", "la", "--format", "json"], 3.0),
        (["report", "la", "--output", str(root.parent / "la-report.xlsx"), "--force"], 3.0),
        (["schools"], None),
        (["schools", "--format", "json"], None),
    ]
    for args, target in commands:
        try:
            results = timed(args, envs)
        except SystemExit as exc:
            print(f"att {' '.join(args)}: not available ({str(exc)[:120]})")
            continue
        print(line(args, results, target))


if __name__ == "__main__":
    main()
