"""The LA benchmark cache (``store.benchmark``, migration 0013_benchmark_cache): a TSM pack's LA
figures are kept per period for the current marks, right after every import that changes marks
(a school's correction too) and every erasure of marks, and a row counted from older marks is
never read. Figures hand-computed from the registers written here."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from attendance_cli.config import document_store
from attendance_cli.privacy.erase import ErasureTarget, erase_records
from attendance_cli.registers.importer import import_registers
from attendance_cli.store import Store, benchmark, transaction
from attendance_cli.tsm.pack import prepare_tsm_pack
from tests.helpers import SCHOOL, UPN1, UPN2, weekdays, write_csv

PERIOD = (dt.date(2025, 8, 1), dt.date(2025, 9, 12))  # year to date: two weeks from Mon 1 Sep
FIELDS = (
    "enrolments",
    "on_roll",
    "possible",
    "attended",
    "authorised",
    "unauthorised",
    "persistent",
    "severe",
)


def _import(conn: Any, tmp_path: Path, codes_by_upn: dict[str, list[str]]) -> None:
    days = weekdays(dt.date(2025, 9, 1), 10)
    rows = [["UPN", "Date", "Session", "Mark"]]
    for upn, codes in codes_by_upn.items():
        for i, code in enumerate(codes):
            rows.append([upn, days[i // 2].isoformat(), "AM" if i % 2 == 0 else "PM", code])
    import_registers(conn, paths=[write_csv(tmp_path / "m.csv", rows)], school=SCHOOL)


def _la(conn: Any) -> tuple[int, ...]:
    la = prepare_tsm_pack(conn, school=SCHOOL).la_summary
    return tuple(getattr(la, name) for name in FIELDS)


def _cached(conn: Any) -> tuple[int, ...] | None:
    found = benchmark.cached_la_totals(conn, start=PERIOD[0], end=PERIOD[1])
    return None if found is None else tuple(getattr(found, name) for name in FIELDS)


# UPN1: 2 illness (I) of 20 sessions = exactly 10%, persistent; UPN2: 10 unauthorised (N) of 20
# = 50%, severe (and persistent). LA = this one school: 40 possible, 28 attended.
BEFORE = (2, 2, 40, 28, 2, 10, 2, 1)
MARKS = {UPN1: ["I", "I"] + ["/"] * 18, UPN2: ["N"] * 10 + ["/"] * 10}


def test_the_first_pack_keeps_its_la_figures_and_the_next_reads_them(
    conn: Any, tmp_path: Path
) -> None:
    _import(conn, tmp_path, MARKS)
    assert _cached(conn) is None
    assert _la(conn) == BEFORE
    assert _cached(conn) == BEFORE
    assert _la(conn) == BEFORE


def test_a_correcting_import_and_an_erasure_give_new_figures(
    conn: Any, tmp_path: Path, db_path: Path
) -> None:
    _import(conn, tmp_path, MARKS)
    assert _la(conn) == BEFORE
    # the school corrects UPN1's illness to present: 0 authorised, 30 attended; UPN1 no longer PA
    _import(conn, tmp_path, {UPN1: ["/"] * 20})
    assert _cached(conn) is None  # counted from the marks before the correction: not read
    assert _la(conn) == (2, 2, 40, 30, 0, 10, 1, 1)
    assert _cached(conn) == (2, 2, 40, 30, 0, 10, 1, 1)
    # an import that changes nothing keeps the figures
    _import(conn, tmp_path, {UPN1: ["/"] * 20})
    assert _cached(conn) == (2, 2, 40, 30, 0, 10, 1, 1)
    # UPN2's year of marks erased: the LA is UPN1 alone, 20 of 20 attended
    (enrolment,) = conn.connection.execute(
        "SELECT e.id FROM enrolment e JOIN pupil p ON p.id = e.pupil_id WHERE p.upn = ?", (UPN2,)
    ).fetchone()
    erase_records(
        conn,
        targets=[ErasureTarget("mark_year", int(enrolment), 2025)],
        reason="request",
        officer="DPO",
        documents=document_store(db_path),
    )
    assert _cached(conn) is None
    assert _la(conn) == (1, 1, 20, 20, 0, 0, 0, 0)


def test_a_row_of_older_marks_is_never_read(conn: Any, tmp_path: Path) -> None:
    _import(conn, tmp_path, MARKS)
    store = conn
    version = benchmark.marks_version(store)
    forged = benchmark.LaTotals(9, 9, 90, 90, 0, 0, 0, 0, 0, 0)
    assert benchmark.save_la_totals(
        store, start=PERIOD[0], end=PERIOD[1], version=version, totals=forged
    )
    assert _la(conn)[:3] == (9, 9, 90)  # the pack reads the cache (the figures are forged)
    with transaction(store):
        benchmark.marks_changed(store)  # as every write of marks does
    assert _cached(conn) is None
    assert _la(conn) == BEFORE  # counted again, and kept
    assert _cached(conn) == BEFORE
    # a pack that counted before a write cannot overwrite the row of later marks
    assert benchmark.save_la_totals(
        store, start=PERIOD[0], end=PERIOD[1], version=version, totals=forged
    )
    assert _cached(conn) == BEFORE


def test_no_save_inside_the_callers_transaction(conn: Any, tmp_path: Path) -> None:
    _import(conn, tmp_path, MARKS)
    store = conn
    with transaction(store):
        assert _la(conn) == BEFORE
    assert _cached(conn) is None


@pytest.mark.sqlite_only
def test_saving_never_waits_for_a_writer(conn: Store, db_path: Path) -> None:
    store = conn
    version = benchmark.marks_version(store)
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # an import holding the write lock
    try:
        totals = benchmark.LaTotals(1, 1, 2, 2, 0, 0, 0, 0, 0, 0)
        saved = benchmark.save_la_totals(
            store, start=PERIOD[0], end=PERIOD[1], version=version, totals=totals
        )
        assert saved is False
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    (timeout,) = conn.connection.execute("PRAGMA busy_timeout").fetchone()
    assert timeout > 0  # put back


WRITES_MARKS = re.compile(
    r"(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+mark_year\b|copy_rows\(\s*\"mark_year\"", re.I
)


def test_every_module_that_writes_marks_says_so() -> None:
    package = Path(__file__).resolve().parents[2] / "attendance_cli"
    writers = [p for p in package.rglob("*.py") if WRITES_MARKS.search(p.read_text())]
    assert writers  # store/imports.py at least
    for path in writers:
        assert "marks_changed(" in path.read_text(), f"{path} writes marks: call marks_changed"
