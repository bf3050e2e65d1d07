"""Benchmark: a legal referral bundle for a full year's register with 20 attachments (issue 5).

    python bench/bench_referral.py [WORK_FOLDER]

Builds a small database (one school of 60 pupils with registers for 2023/24 and 2024/25, the
pupil's parents, a case with 30 actions, 20 attached documents of ~250 KB and 2 penalty
notices), then times ``build_referral_bundle`` in-process and ``att referral export`` as a fresh
process (start-up included), 5 runs each; prints the median and the worst. Target: <= 3 s.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

from attendance_cli.analysis.calendar import assumed_school_days  # noqa: E402
from attendance_cli.cases import actions, documents, leads  # noqa: E402
from attendance_cli.config import document_store  # noqa: E402
from attendance_cli.db.engine import open_database  # noqa: E402
from attendance_cli.identifiers import make_upn  # noqa: E402
from attendance_cli.referrals.bundle import build_referral_bundle  # noqa: E402
from attendance_cli.registers.importer import import_registers  # noqa: E402

RUNS = 5
SCHOOL = "8994001"
PUPILS = 60
OFFICER = "Bench Officer"


def build(folder: Path) -> tuple[Path, str]:
    db = folder / "bench.sqlite"
    conn, _ = open_database(db)
    rng = random.Random(5)
    upns = [make_upn(899, 4001, 15, n) for n in range(1, PUPILS + 1)]
    upn = upns[0]
    roster = folder / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["UPN", "Surname", "Forename", "DOB", "Gender", "Year", "LAESTAB", "School Name"]
            + [
                f"Parent {n} {f}"
                for n in (1, 2)
                for f in ("Name", "Relationship", "Address", "Parental Responsibility")
            ]
        )
        for i, u in enumerate(upns):
            out.writerow(
                [u, f"Surname{i}", f"Zoë{i}", "2012-03-04", "F", "9", SCHOOL, "Castle Hill Academy"]
                + [f"Parent{i} A", "Mother", f"{i} High Street", "Y"]
                + [f"Parent{i} B", "Father", f"{i} High Street", "Y"]
            )
    marks = folder / "marks.csv"
    with marks.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["UPN", "Date", "Session", "Mark"])
        for year in (2023, 2024):
            for day in assumed_school_days(year):
                for u in upns:
                    for session in ("AM", "PM"):
                        roll = rng.random()
                        absent = 0.25 if u == upn else 0.05
                        code = (
                            ("/" if session == "AM" else "\\")
                            if roll > absent
                            else rng.choice("IONG")
                        )
                        out.writerow([u, day.isoformat(), session, code])
    result = import_registers(conn, paths=[roster, marks], school=SCHOOL)
    assert result.ok, result.files[0].problems[:3]

    store = document_store(db)
    leads.set_lead(conn, upn=upn, name="Mrs Patel", agency="school", officer=OFFICER)
    kinds = ["home visit", "meeting with family", "early help assessment", "attendance contract"]
    for n in range(30):
        action = actions.add_action(
            conn,
            upn=upn,
            kind=kinds[n % 4],
            action=f"Action {n}: " + "words " * 20,
            officer=OFFICER,
        )
        actions.complete_action(conn, action_id=action.id, outcome="Outcome " * 15, officer=OFFICER)
    for n in range(20):
        file = folder / f"document {n}.pdf"
        file.write_bytes(b"%PDF-1.4\n" + rng.randbytes(250_000))
        documents.attach_document(
            conn,
            upn=upn,
            file=file,
            kind="letter",
            store=store,
            officer=OFFICER,
            document_date=dt.date(2025, 1, 1) + dt.timedelta(days=n),
            description=f"Warning letter to Parent0 {'A' if n % 2 else 'B'}",
        )
    pupil_id = conn.execute("SELECT id FROM pupil WHERE upn = ?", (upn,)).fetchone()[0]
    for issued in ("2024-11-04", "2025-03-10"):
        conn.execute(
            "INSERT INTO penalty_notice (pupil_id, parent_name, issued, amount_pence, created_at, "
            "officer) VALUES (?, 'Parent0 A', ?, 8000, '2025-01-01 00:00:00', ?)",
            (pupil_id, issued, OFFICER),
        )
    conn.close()
    return db, upn


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="att-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"Building the bench database in {folder} ...")
    db, upn = build(folder)
    period = ["--from", "2024-09-01", "--to", "2025-07-31"]

    conn, _ = open_database(db)
    times = []
    for run in range(RUNS):
        start = time.perf_counter()
        result = build_referral_bundle(
            conn,
            upn=upn,
            route="prosecution",
            out=folder / f"core-{run}.zip",
            store=document_store(db),
            officer=OFFICER,
            start=dt.date(2024, 9, 1),
            end=dt.date(2025, 7, 31),
            force=True,
            reason="benchmark",
            overwrite=True,  # a folder reused from an earlier run
        )
        times.append(time.perf_counter() - start)
    conn.close()
    sessions = result.files[1].bytes
    print(
        f"bundle: {len(result.files)} files, {result.pages} PDF pages, "
        f"{(folder / 'core-0.zip').stat().st_size / 1e6:.1f} MB zip, register CSV {sessions:,} bytes"
    )
    print(
        f"build_referral_bundle (in-process)        median {statistics.median(times):.2f} s, "
        f"worst {max(times):.2f} s (target <= 3 s)"
    )

    env = {**os.environ, "ATT_DB": str(db), "ATT_OFFICER": OFFICER}
    times = []
    for run in range(RUNS):
        start = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "attendance_cli",
                "referral",
                "export",
                upn,
                "--route",
                "prosecution",
                "--out",
                str(folder / f"cli-{run}.zip"),
                *period,
                "--force",
                "--reason",
                "benchmark",
                "--overwrite",
            ],
            env=env,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(proc.stderr.decode()[-2000:])
    print(
        f"att referral export (fresh process)       median {statistics.median(times):.2f} s, "
        f"worst {max(times):.2f} s (target <= 3 s)"
    )
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "attendance_cli", "referral", "verify", str(folder / "cli-0.zip")],
        env=env,
        capture_output=True,
        check=True,
    )
    print(f"att referral verify (fresh process)       {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
