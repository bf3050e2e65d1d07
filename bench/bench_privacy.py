"""Benchmark: `att privacy` on a whole LA's worth of pupils (not a test: prints figures).

    python bench/bench_privacy.py [--pupils 48000] [--left 6000]

Builds a database in a temporary folder: ``--pupils`` pupils at 120 schools, each with one
enrolment, two contacts and the 2025/26 marks; ``--left`` of them left in July 2018 (marks for
2017/18 only, a closed case with one note and one action), so they are past every default
period. Then times, in this process (start-up excluded):

- ``retention_items`` over the whole database;
- a child's subject access report (``child_access``: the walk, the other-children name scan of
  every pupil, redaction) and its release (JSON + PDF written, audited);
- ``erase_records`` of everything past retention (one transaction, a tombstone per row).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from attendance_cli.config import document_store  # noqa: E402
from attendance_cli.db.engine import open_database  # noqa: E402
from attendance_cli.identifiers import make_upn  # noqa: E402
from attendance_cli.marks import YEAR_LENGTH  # noqa: E402
from attendance_cli.privacy.access import child_access, release_report  # noqa: E402
from attendance_cli.privacy.erase import erase_records, past_retention_targets  # noqa: E402
from attendance_cli.privacy.retention import RetentionPeriods, retention_items  # noqa: E402
from attendance_cli.store import Store  # noqa: E402

NOW = "2025-09-01 09:00:00.000000"
SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Marsden", "Doyle"]
FORENAMES = ["Amelia", "Oliver", "Isla", "Harvey", "Ava", "Noah", "Mia", "Leo", "Kieran"]


def build(path: Path, pupils: int, left: int) -> Store:
    conn, _ = open_database(path)
    marks = ("/\\" * (YEAR_LENGTH // 2))[:YEAR_LENGTH]
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO school (id, laestab, name, created_at) VALUES (?, ?, ?, ?)",
        [(s, f"899{4000 + s}", f"School {s}", NOW) for s in range(1, 121)],
    )
    conn.executemany(
        "INSERT INTO pupil (id, upn, surname, forename, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                n,
                make_upn(899, 4000 + n % 120, 18, n // 120),
                SURNAMES[n % 9],
                FORENAMES[n // 9 % 9],
                NOW,
                NOW,
            )
            for n in range(1, pupils + 1)
        ],
    )
    conn.executemany(
        "INSERT INTO enrolment (id, pupil_id, school_id, leaving_date) VALUES (?, ?, ?, ?)",
        [(n, n, 1 + n % 120, "2018-07-20" if n <= left else None) for n in range(1, pupils + 1)],
    )
    conn.executemany(
        "INSERT INTO mark_year (enrolment_id, academic_year, marks) VALUES (?, ?, ?)",
        [(n, 2017 if n <= left else 2025, marks) for n in range(1, pupils + 1)],
    )
    conn.executemany(
        "INSERT INTO contact (pupil_id, priority, name, address) VALUES (?, ?, ?, ?)",
        [
            (n, p, f"{FORENAMES[(n + p) % 9]} {SURNAMES[n % 9]}", f"{n} Long Road")
            for n in range(1, pupils + 1)
            for p in (1, 2)
        ],
    )
    conn.executemany(
        "INSERT INTO pupil_case (id, pupil_id, status, opened_at, opened_by, closed_at, outcome) "
        "VALUES (?, ?, 'closed', '2017-10-01 09:00:00.000000', 'b', "
        "'2018-07-20 09:00:00.000000', 'left')",
        [(n, n) for n in range(1, left + 1)],
    )
    conn.executemany(
        "INSERT INTO case_note (case_id, text, created_at, officer) VALUES (?, ?, ?, 'b')",
        [(n, f"Spoke to mum; {FORENAMES[n % 9]} Smith also off.", NOW) for n in range(1, left + 1)],
    )
    conn.executemany(
        "INSERT INTO case_action (case_id, tier, kind, description, status, created_at, officer) "
        "VALUES (?, 'support', 'home visit', 'Visit', 'done', ?, 'b')",
        [(n, NOW) for n in range(1, left + 1)],
    )
    conn.execute("COMMIT")
    return Store(conn, path)


def timed(label: str, function):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = function()
    print(f"{label}: {time.perf_counter() - start:.2f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pupils", type=int, default=48_000)
    parser.add_argument("--left", type=int, default=6_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "att.sqlite"
        store = timed(f"build {args.pupils:,} pupils", lambda: build(path, args.pupils, args.left))
        today = dt.date(2025, 11, 30)
        periods = RetentionPeriods()
        items = timed(
            "retention_items (whole LA)",
            lambda: retention_items(store, periods=periods, today=today),
        )
        print(f"  {len(items):,} past retention")
        upn = store.connection.execute("SELECT upn FROM pupil WHERE id = 1").fetchone()[0]
        report = timed(
            "child_access (one pupil, 2017/18 marks, a case)",
            lambda: child_access(store, upn=upn, documents=document_store(path), officer="b"),
        )
        print(f"  {report.redactions} third-party names redacted")
        timed(
            "release_report (JSON + PDF, audited)",
            lambda: release_report(store, report, out=Path(work) / "sar"),
        )
        result = timed(
            "erase everything past retention",
            lambda: erase_records(
                store,
                targets=lambda s: past_retention_targets(s, periods=periods, today=today),
                reason="past retention",
                officer="b",
                documents=document_store(path),
            ),
        )
        print(f"  {result.total:,} rows erased, {result.tombstones:,} tombstones")
        store.close()


if __name__ == "__main__":
    main()
