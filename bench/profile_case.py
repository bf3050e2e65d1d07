"""Where the time of ``att case show UPN`` goes (issue 11's profile summary for casework).

    python bench/profile_case.py DATABASE UPN

DATABASE is an att database with casework, e.g. the one ``bench/bench_cases.py`` builds (it is
deleted after its run; to keep one, copy ``bench/out/la.sqlite`` and run
``bench_cases.add_casework`` on it, as the README says). Prints (1) start-up: the import time of
the libraries and of att's own modules in a fresh process (``python -X importtime``, self time
summed by top-level package; SQLAlchemy must not appear), and (2) the steps of ``case_view`` and
the rendering in this process, each the best of 5 in CPU time (``time.thread_time``).
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
    "sqlalchemy": "sqlalchemy",
    "sqlmodel": "sqlmodel (and pydantic below)",
    "pydantic": "pydantic",
    "sqlite3": "sqlite3",
    "attendance_cli": "att's own modules",
}


def startup(db: str, upn: str) -> None:
    env = {**os.environ, "ATT_DB": db, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-X", "importtime", "-m", "attendance_cli", "case", "show", upn]
    proc = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)
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


def stages(db: str, upn: str) -> None:
    import attendance_cli.cases.audit as audit
    import attendance_cli.cases.chronology as chronology
    import attendance_cli.cases.penalty as penalty
    from attendance_cli.cli import cases as cli_cases
    from attendance_cli.exports.render import to_jsonable
    from attendance_cli.store import cases as stored
    from attendance_cli.store import open_store

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

    wrap(chronology, "find_pupil", "find the pupil")
    for name in ("latest_case_id", "get_case", "leads_of_pupil", "actions_of_pupil",
                 "meetings", "notes_of_pupil", "documents_of_pupil", "cases_of_pupil"):  # fmt: skip
        wrap(stored, name, "case, leads, actions, notes, documents")
    wrap(penalty, "list_penalty_notices", "penalty notices (sessions, payments, copies)")
    wrap(chronology, "enrolment_timelines", "enrolments, school calendars, timelines")
    wrap(chronology, "action_impact", "each action's impact")
    wrap(audit, "list_audit", "the pupil's audit entries (case events)")
    wrap(chronology, "attendance_milestones", "attendance milestones")

    store, _ = open_store(Path(db))

    def once() -> dict[str, float]:
        spent.clear()
        start = time.thread_time()
        view = chronology.case_view(store, upn)
        spent["case_view (all)"] = time.thread_time() - start
        start = time.thread_time()
        data = to_jsonable(chronology.case_view_dict(view))
        spent["case_view_dict + to_jsonable"] = time.thread_time() - start
        start = time.thread_time()
        with contextlib.redirect_stdout(io.StringIO()):
            cli_cases.print_case(data)
        spent["render the screen (rich)"] = time.thread_time() - start
        return dict(spent)

    first = once()  # the first run pays for lazy imports (numpy, the analysis modules)
    best: dict[str, float] = {}
    for _ in range(5):
        for key, value in once().items():
            best[key] = min(best.get(key, value), value)
    print("case show steps (CPU ms; first run, with its lazy imports / best of 5):")
    for key, value in sorted(best.items(), key=lambda item: -item[1]):
        print(f"  {key:48s} {first.get(key, 0) * 1000:7.1f} / {value * 1000:7.1f}")


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    db, upn = str(Path(sys.argv[1]).resolve()), sys.argv[2]
    print(f"att case show {upn} on {db}")
    startup(db, upn)
    stages(db, upn)


if __name__ == "__main__":
    main()
