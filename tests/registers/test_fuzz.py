"""Property tests: whatever bytes or cells a file holds, import either succeeds or rejects the
file with located problems; it never raises and never writes part of a rejected file."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attendance_cli.db.engine import connect
from attendance_cli.registers.importer import import_registers
from attendance_cli.store import Store
from tests.helpers import SCHOOL, UPN1, counts, write_csv, write_xlsx

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Excel cannot hold control characters, so generated text leaves them out (CSV bytes cover them).
text = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=12)
cells = st.one_of(
    st.sampled_from(
        ["/", "\\", "N", "c1", " I ", "-", "", "QQ", "=1+1", "@SUM(A1)", "J", "Y4", "#"]
    ),
    text,
)
dates = st.one_of(
    st.sampled_from(["2025-09-03", "03/09/2025", "2025-09-06", "31/02/2025", "2024-08-16", ""]),
    text,
)
upns = st.one_of(st.just(UPN1), st.sampled_from(["A801200005001", "", "b801200005001"]), text)


def _fresh(template_db: Path, tmp_path: Path, name: str) -> tuple[sqlite3.Connection, Path]:
    path = tmp_path / f"{name}.sqlite"
    shutil.copyfile(template_db, path)
    return Store(connect(path), path), path


def _check(conn: sqlite3.Connection, files: list[Path]) -> None:
    result = import_registers(conn, paths=files, school=SCHOOL)
    for summary in result.files:
        assert summary.status in {"imported", "rejected"}
        if summary.status == "rejected":
            assert summary.problems and all(p.message for p in summary.problems)
            assert all(p.file for p in summary.problems)
    if all(s.status == "rejected" for s in result.files):
        assert counts(conn)["mark_year"] == 0 and counts(conn)["import_log"] == 0


@FUZZ
@given(data=st.binary(max_size=600))
def test_random_bytes(template_db: Path, tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("bytes")
    conn, _ = _fresh(template_db, tmp, "db")
    path = tmp / "f.csv"
    path.write_bytes(data)
    _check(conn, [path])
    conn.close()


@FUZZ
@given(
    rows=st.lists(
        st.tuples(upns, dates, st.sampled_from(["AM", "PM", "am", "x", ""]), cells), max_size=8
    ),
    as_xlsx=st.booleans(),
)
def test_random_marks_rows(template_db: Path, tmp_path_factory, rows, as_xlsx: bool) -> None:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("marks")
    conn, _ = _fresh(template_db, tmp, "db")
    table = [["UPN", "Date", "Session", "Mark"], *[list(r) for r in rows]]
    path = write_xlsx(tmp / "f.xlsx", table) if as_xlsx else write_csv(tmp / "f.csv", table)
    _check(conn, [path])
    conn.close()


@FUZZ
@given(
    headers=st.lists(
        st.one_of(
            st.sampled_from(["2025-09-03 AM", "2025-09-03 PM", "06/09/2025 AM", "31/02/2025 PM"]),
            text,
        ),
        min_size=1,
        max_size=5,
    ),
    body=st.lists(st.lists(cells, min_size=0, max_size=6), max_size=5),
)
def test_random_grids(template_db: Path, tmp_path_factory, headers, body) -> None:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("grid")
    conn, _ = _fresh(template_db, tmp, "db")
    width = len(headers) + 1
    table = [
        ["UPN", *headers],
        *[[UPN1, *row][:width] + [""] * (width - len(row) - 1) for row in body],
    ]
    _check(conn, [write_csv(tmp / "g.csv", table)])
    conn.close()
