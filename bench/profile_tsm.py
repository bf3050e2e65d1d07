"""Where the time of ``att tsm prepare --school X`` goes (issue 11's profile summary).

    python bench/profile_tsm.py bench/out/la.sqlite [SCHOOL]

Prints (1) start-up: the import time of the libraries and of att's own modules in a fresh
process (``python -X importtime``, cumulative microseconds of the top-level imports), and (2) the
pack's steps in this process, each the best of 5 runs in CPU time of the main thread
(``time.thread_time``: a loaded, shared host disturbs it far less than wall time): finding the
school and loading its enrolments, counting them, the per-pupil analysis, the LA benchmark (read
from the cache, and counted again as after an import), the casework and siblings, and rendering
the table. The LA count runs in a second thread: its CPU time is printed apart.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GROUPS = {
    "numpy": "numpy",
    "typer": "typer (with its click)",
    "rich": "rich",
    "sqlite3": "sqlite3",
    "attendance_cli": "att's own modules",
}


def startup(db: str, school: str) -> None:
    env = {**os.environ, "ATT_DB": db, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-X", "importtime", "-m", "attendance_cli", "tsm", "prepare"]
    proc = subprocess.run(
        [*args, "--school", school], env=env, cwd=ROOT, capture_output=True, text=True
    )
    # the self time of every module, summed by its top-level package
    totals: dict[str, int] = defaultdict(int)
    for text in proc.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+\d+ \| *(\S+)", text)
        if found:
            top = found.group(2).split(".")[0]
            totals[top if top in GROUPS else "other"] += int(found.group(1))
    print("start-up (import time in a fresh process, self time by package, ms):")
    for key, label in [*GROUPS.items(), ("other", "the standard library, others")]:
        print(f"  {label:40s} {totals.get(key, 0) / 1000:7.1f}")
    print(f"  {'all imports':40s} {sum(totals.values()) / 1000:7.1f}")


def stages(db: str, school: str) -> None:
    import attendance_cli.tsm.pack as pack
    from attendance_cli.cli import tsm as cli_tsm
    from attendance_cli.exports.render import to_jsonable
    from attendance_cli.store import benchmark, open_store
    from attendance_cli.store import registers as store_registers

    spent: dict[str, float] = defaultdict(float)

    def wrap(module: Any, name: str, label: str) -> None:
        original = getattr(module, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] += time.thread_time() - start

        setattr(module, name, timed)

    wrap(store_registers, "load_enrolments", "load the school's enrolments")
    wrap(pack, "_analyse", "per-pupil analysis (172 pupils)")
    wrap(pack, "_la_summary", "LA benchmark: read (main thread)")
    wrap(pack, "_add_casework_history", "casework, siblings, notices")
    wrap(pack, "summarise_cohorts", "cohorts")
    counted = pack.count_period

    def count_period(*args: Any, **kwargs: Any) -> Any:
        start = time.thread_time()
        try:
            return counted(*args, **kwargs)
        finally:
            if threading_name() == "att-la-benchmark":
                spent["LA benchmark: count (second thread)"] += time.thread_time() - start

    pack.count_period = count_period
    store, _ = open_store(Path(db))

    def run(cached: bool) -> dict[str, float]:
        if not cached:
            with contextlib.ExitStack() as stack:
                stack.callback(setattr, benchmark, "cached_la_totals", benchmark.cached_la_totals)
                benchmark.cached_la_totals = lambda *a, **k: None  # type: ignore[assignment]
                return once()
        return once()

    def once() -> dict[str, float]:
        spent.clear()
        start = time.thread_time()
        result = pack.prepare_tsm_pack(store, school=school)
        spent["prepare_tsm_pack (main thread, all)"] = time.thread_time() - start
        start = time.thread_time()
        with contextlib.redirect_stdout(io.StringIO()):
            cli_tsm.print_pack(to_jsonable(result))
        spent["publish and render the table"] = time.thread_time() - start
        return dict(spent)

    run(cached=False)  # warm: the cache row for this period is written
    for cached in (True, False):
        best: dict[str, float] = {}
        for _ in range(5):
            for key, value in run(cached).items():
                best[key] = min(best.get(key, value), value)
        title = (
            "LA benchmark from the cache" if cached else "LA benchmark counted (after an import)"
        )
        print(f"pack steps, {title} (CPU ms, best of 5):")
        for key, value in sorted(best.items(), key=lambda item: -item[1]):
            print(f"  {key:40s} {value * 1000:7.1f}")


def threading_name() -> str:
    import threading

    return threading.current_thread().name


def main() -> None:
    db = str(Path(sys.argv[1] if len(sys.argv) > 1 else "bench/out/la.sqlite").resolve())
    school = sys.argv[2] if len(sys.argv) > 2 else _school(db)
    print(f"att tsm prepare --school {school} on {db}")
    startup(db, school)
    stages(db, school)


def _school(db: str) -> str:
    import sqlite3

    with contextlib.closing(sqlite3.connect(db)) as conn:
        return str(
            conn.execute(
                "SELECT laestab FROM school ORDER BY laestab LIMIT 1 OFFSET 60"
            ).fetchone()[0]
        )


if __name__ == "__main__":
    main()
