"""Benchmark: letters (issue 15) on the bundled sample LA.

    python bench/bench_letters.py [WORK_FOLDER]

Imports the sample LA into a fresh database, then times, 3 runs each (median and worst):
``att letter generate UPN`` as a fresh process (start-up included, no PDF), the same with PDFs
when LibreOffice is installed, and in-process bulk generation for Castle Hill's persistently
absent pupils (one letter per parent, the combined document and the CSV list; no PDF), printing
the letters per second; and ``att penalty add`` as a fresh process with the notice's copy made
and filed in its transaction, against ``--no-copy``. No target is asserted here; the figures go
in the report.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from attendance_cli.db.engine import open_database
from attendance_cli.demo import sample_files
from attendance_cli.letters import generate
from attendance_cli.registers.importer import import_registers
from attendance_cli.settings import load_settings

RUNS = 3
ROOT = Path(__file__).resolve().parents[1]
SETTINGS = """
[officer]
name = "Bench Officer"
job_title = "Education Welfare Officer"
phone = "01632 960 123"
email = "bench@example.gov.uk"
[la]
name = "Kestrelford Council"
service = "Attendance Support Service"
address = "Town Hall, High Street, Kestrelford KF1 1AA"
phone = "01632 960 000"
email = "attendance@example.gov.uk"
[penalty]
how_to_pay = "Online at www.example.gov.uk/pay quoting the notice number"
pay_to = "Kestrelford Council, Income Team"
"""


def _median_worst(times: list[float]) -> str:
    return f"median {statistics.median(times):.2f} s, worst {max(times):.2f} s"


def main(folder: Path) -> None:
    config = folder / "config.toml"
    config.write_text(SETTINGS, encoding="utf-8")
    os.environ["ATT_CONFIG"] = str(config)
    template = folder / "template.sqlite"
    conn, _ = open_database(template)
    import_registers(conn, paths=[ROOT / "sample_data" / "roster.csv", *sample_files()])
    conn.close()

    def fresh(name: str) -> Path:
        db = folder / f"{name}.sqlite"
        shutil.copyfile(template, db)
        return db

    for pdf in (False, True):
        if pdf and shutil.which("soffice") is None:
            print("single pupil with PDF: skipped (LibreOffice not installed)")
            continue
        times = []
        for run in range(RUNS):
            db = fresh(f"one-{pdf}-{run}")
            args = [sys.executable, "-m", "attendance_cli", "--db", str(db), "letter", "generate",
                    "A899200218001", "--template", "notice-to-improve",
                    "--out", str(folder / f"one-{pdf}-{run}")]  # fmt: skip
            if not pdf:
                args.append("--no-pdf")
            start = time.perf_counter()
            subprocess.run(args, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        print(
            f"att letter generate, one pupil (2 letters){' with PDF' if pdf else ''}: {_median_worst(times)}"
        )

    times, count = [], 0
    for run in range(RUNS):
        db = fresh(f"bulk-{run}")
        conn, _ = open_database(db)
        start = time.perf_counter()
        result = generate.generate_bulk(
            conn, database=db, school="8994001",
            options=generate.LetterOptions(template="attendance-concern"),
            settings=load_settings(), out_dir=folder / f"bulk-{run}", officer="Bench Officer",
            pdf=False,
        )  # fmt: skip
        times.append(time.perf_counter() - start)
        count = len(result.letters)
        conn.close()
    print(
        f"bulk, Castle Hill persistently absent: {count} letters, {_median_worst(times)} "
        f"({count / statistics.median(times):.0f} letters/s, with the combined document and CSV)"
    )

    for no_copy in (False, True):
        times = []
        for run in range(RUNS):
            db = fresh(f"notice-{no_copy}-{run}")
            args = [sys.executable, "-m", "attendance_cli", "--db", str(db), "penalty", "add",
                    "A899200218001", "--parent", "Paul Marsden", "--issued", "2025-11-17",
                    "--served-by", "post"]  # fmt: skip
            if no_copy:
                args += ["--no-copy", "bench"]
            start = time.perf_counter()
            subprocess.run(args, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        what = "--no-copy" if no_copy else "with its copy filed"
        print(f"att penalty add, {what}: {_median_worst(times)}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as work:
            main(Path(work))
