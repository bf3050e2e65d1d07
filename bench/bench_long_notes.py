"""Benchmark: ``att referral export`` against the length of a case's notes (issue 13: it grew
faster than the text — 9.6 s with one 64,000-character note, 552 s with 1 MB of notes).

    python bench/bench_long_notes.py [WORK_FOLDER]

On a copy of the demo database (the sample LA), adds notes of 64,000 characters to one pupil's
case until they hold 0, 64 k, 256 k and 1 M characters, and times the export (a fresh process,
start-up included) at each size. Linear means the seconds per 100,000 characters stay about the
same as the notes grow.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

UPN = "V899200116001"  # Jayden Calloway, Castle Hill: severe absence
NOTE = 64_000
SIZES = (0, 64_000, 256_000, 1_024_000)
WORDS = "Mum says Jayden was anxious about the maths test and stayed at home; school to call. "


def main() -> None:
    from attendance_cli.cases import notes
    from attendance_cli.db.engine import connect

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="att-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "XDG_DATA_HOME": str(folder / "data"), "ATT_OFFICER": "bench"}
    att = [sys.executable, "-m", "attendance_cli"]
    subprocess.run([*att, "demo"], env=env, check=True, capture_output=True)
    db = folder / "notes.sqlite"
    shutil.copyfile(folder / "data" / "att" / "att-demo.sqlite", db)
    env["ATT_DB"] = str(db)
    note = (WORDS * (NOTE // len(WORDS) + 1))[:NOTE]
    held = 0
    base = None
    for size in SIZES:
        conn = connect(db)
        while held < size:
            notes.add_note(conn, upn=UPN, text=note, officer="bench")
            held += NOTE
        conn.close()
        out = folder / f"bundle-{size}.zip"
        out.unlink(missing_ok=True)
        start = time.perf_counter()
        subprocess.run(
            [*att, "referral", "export", UPN, "--route", "prosecution", "--out", str(out)]
            + ["--force", "--reason", "benchmark"],
            env=env,
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - start
        base = seconds if base is None else base
        per = f"{(seconds - base) / (held / 100_000):.2f} s per 100,000 characters" if held else ""
        print(f"notes {held:>9,} characters: export {seconds:6.2f} s  {per}")


if __name__ == "__main__":
    main()
